/**
 * Errors that say what to do: where (source line), what the program needs,
 * the CLI's own words for its options, one line, and JSON under --json.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssemblyError, InputError, RuntimeFault, ZkvmError } from "../src/errors.js";
import { ZKVM } from "../src/zkvm.js";
import { zkvm, type Outcome } from "./helpers/cli.js";

/** The one line on stderr of a failed command, with its exit status checked. */
function oneLine(r: Outcome, status: number): string {
  expect(r.status, r.err || r.out).to.equal(status);
  expect(r.out).to.equal("");
  const lines = r.err.split("\n").filter((l) => l !== "");
  expect(lines, r.err).to.have.length(1);
  return lines[0]!;
}

describe("errors that say what to do", function () {
  this.timeout(300_000);
  let work: string;
  const file = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  let compare: string;
  let countdown: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "zkvm-errors-"));
    compare = file(
      "compare.zkasm",
      ".private x 0\n.private z 2\n.output y 1\nLOAD x\nLOAD z\nLT\nSTORE y\nSTOP\n",
    );
    // 3 + 6x steps for x >= 1: the loop body runs x times.
    countdown = file(
      "countdown.zkasm",
      ".private x 0\n.output y 1\nloop:\nLOAD x\nPUSH -1\nADD\nSTORE x\nLOAD x\nJUMPI loop\nPUSH 1\nSTORE y\nSTOP\n",
    );
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  describe("option parsing, in the CLI's words", () => {
    it("an unknown option: one line, with 'did you mean --steps'", async () => {
      const line = oneLine(await zkvm("run", compare, "--stepz", "5"), 2);
      expect(line).to.match(/unknown option --stepz/);
      expect(line).to.match(/did you mean --steps\?/);
      expect(line).to.not.match(/positional argument|place it at the end/);
    });

    it("a negative number as a value is the value, checked as such", async () => {
      const line = oneLine(await zkvm("run", compare, "--steps", "-5"), 2);
      expect(line).to.match(/--steps -5: expected a positive integer/);
      expect(line).to.not.match(/ambiguous/);
    });

    it("a missing value and a value given to a flag", async () => {
      expect(oneLine(await zkvm("run", compare, "--steps"), 2)).to.match(/--steps needs a value/);
      expect(oneLine(await zkvm("run", compare, "--trace=yes"), 2)).to.match(
        /--trace takes no value/,
      );
    });
  });

  describe("--json covers errors", () => {
    it("a program error: {code, message, location} on stdout, exit status 1", async () => {
      const r = await zkvm("run", file("sub.zkasm", "PUSH 3\nPUSH 1\nSUB\nSTOP\n"), "--json");
      expect(r.status).to.equal(1);
      const json = JSON.parse(r.out) as Record<string, unknown>;
      expect(json).to.include({ code: "UNKNOWN_MNEMONIC" });
      expect(json.message).to.be.a("string");
      expect(json.location).to.deep.include({ line: 3 });
    });

    it("a usage error: code USAGE, exit status 2", async () => {
      const r = await zkvm("run", compare, "--stepz", "5", "--json");
      expect(r.status).to.equal(2);
      expect(JSON.parse(r.out)).to.include({ code: "USAGE" });
    });
  });

  it("MISSING_INPUT names every missing input", async () => {
    const line = oneLine(await zkvm("run", compare), 1);
    expect(line).to.match(/MISSING_INPUT/);
    expect(line).to.match(/'x'/).and.match(/'z'/);
  });

  it("a run-time fault in run names the source line", async () => {
    const line = oneLine(await zkvm("run", compare, "--input", "x=1", "--input", "z=-1"), 1);
    expect(line).to.match(/COMPARISON_OUT_OF_RANGE at .*line 6/);
  });

  describe("hints for common slips", () => {
    it("'#' comments: use ';'", async () => {
      const line = oneLine(await zkvm("run", file("hash.zkasm", "# a comment\nPUSH 1\nSTOP\n")), 1);
      expect(line)
        .to.match(/line 1/)
        .and.match(/comments start with ';'/);
    });

    it("SUB: there is none, PUSH -1 ... ADD", async () => {
      const line = oneLine(await zkvm("run", file("sub2.zkasm", "PUSH 3\nPUSH 1\nSUB\nSTOP\n")), 1);
      expect(line)
        .to.match(/there is no SUB/)
        .and.match(/PUSH -1/);
    });

    it("--input x=5 on raw bytecode without --private/--public", async () => {
      const hex = file("square.hex", "05 00 05 00 03 04 01 ff\n");
      const line = oneLine(await zkvm("run", hex, "--input", "x=5"), 1);
      expect(line)
        .to.match(/UNKNOWN_INPUT/)
        .and.match(/--private/)
        .and.match(/--input 0=/);
    });
  });

  describe("library errors carry the location in message", () => {
    it("String(e) of an assembly error has its line", () => {
      let error: unknown;
      try {
        new ZKVM("PUSH 1\nPUSH 2\nFROB\nSTOP");
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(AssemblyError);
      expect(String(error)).to.match(/line 3/);
      expect((error as ZkvmError).describe()).to.match(/^UNKNOWN_MNEMONIC at line 3: unknown/);
    });

    it("a run-time fault has its line, step and pc in message", () => {
      const vm = new ZKVM(".public x 0\n.output y 1\nLOAD x\nPUSH 1\nGT\nSTORE y\nSTOP", {
        width: 8,
      });
      let error: unknown;
      try {
        vm.execute({ x: 300 });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(RuntimeFault);
      expect((error as Error).message).to.match(/^line 5, step 2, pc 4: /);
    });

    it("MISSING_INPUT lists every missing input", () => {
      const vm = new ZKVM(
        ".private a 0\n.private b 1\n.output y 2\nLOAD a\nLOAD b\nADD\nSTORE y\nSTOP",
      );
      expect(() => vm.execute({}))
        .to.throw(InputError)
        .with.property("message")
        .that.matches(/'a'.*'b'/);
    });
  });

  it("prove past the circuit's N: says N, the steps this input needs, and how to recompile", async () => {
    const dir = join(work, "countdown");
    for (const argv of [
      ["compile", countdown, "--steps", "16", "-o", dir],
      ["setup", dir],
    ]) {
      const r = await zkvm(...argv);
      expect(r.status, r.err).to.equal(0);
    }
    const ok = await zkvm("prove", dir, "--input", "x=2");
    expect(ok.status, ok.err).to.equal(0);
    const line = oneLine(await zkvm("prove", dir, "--input", "x=5"), 1);
    expect(line).to.match(/STEP_LIMIT_EXCEEDED/);
    expect(line).to.match(/N = 16/);
    expect(line).to.match(/needs 33 steps/);
    expect(line).to.match(/zkvm compile .* --steps 33/);
  });
});
