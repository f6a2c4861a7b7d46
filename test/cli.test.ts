import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { assemble } from "../src/assembler.js";
import { toHex } from "../src/bytecode.js";
import { loadProgram } from "../src/load.js";
import { COMMANDS } from "../src/cli/main.js";
import { P } from "../src/field.js";
import { EXAMPLES_DIR, loadExamples } from "./helpers/examples.js";
import { zkvm } from "./helpers/cli.js";

const ROOT = join(EXAMPLES_DIR, "..");
const SEED_HEX = join(EXAMPLES_DIR, "seed.hex");
const example = (name: string) => join(EXAMPLES_DIR, `${name}.zkasm`);

/** Expects a failure with `status` whose single stderr line mentions `code`. */
async function fails(status: 1 | 2, code: string, ...argv: string[]): Promise<string> {
  const r = await zkvm(...argv);
  expect(r.status, r.err).to.equal(status);
  expect(r.err).to.include(code);
  expect(r.err.trim().split("\n")).to.have.length(1);
  expect(r.out).to.equal("");
  return r.err;
}

describe("CLI", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "zkvm-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("run", () => {
    it("--json prints exactly the seed example's outputs and steps", async () => {
      const r = await zkvm("run", SEED_HEX, "--json");
      expect(r.status).to.equal(0);
      expect(JSON.parse(r.out)).to.deep.equal({ outputs: { "0": "8" }, steps: 5 });
      expect(r.err).to.equal("");
    });

    it("prints outputs and the step count as text", async () => {
      const r = await zkvm("run", example("cubic"), "--input", "x=3");
      expect(r.status).to.equal(0);
      expect(r.out).to.equal("y = 35\nhalted after 11 steps");
    });

    it("takes inputs as decimal, hex and negative values, with -i as a short form", async () => {
      const r = await zkvm("run", example("power"), "-i", "x=-1", "--input", "e=0x3", "--json");
      expect(JSON.parse(r.out).outputs).to.deep.equal({
        y: (P - 1n).toString(),
      });
    });

    it("--trace prints every step with pc, opcode, stack and memory write", async () => {
      const r = await zkvm("run", SEED_HEX, "--trace");
      const lines = r.out.split("\n");
      expect(lines).to.have.length(7);
      expect(lines[0]).to.match(/^\s*0\s+pc=0\s+PUSH\s+\[\]$/);
      expect(lines[2]).to.match(/^\s*2\s+pc=4\s+ADD\s+\[5, 3\]$/);
      expect(lines[3]).to.match(/STORE\s+\[8\]\s+mem\[0\] = 8$/);
      expect(lines[4]).to.match(/^\s*4\s+pc=7\s+STOP/);
      expect(lines.slice(5)).to.deep.equal(["0 = 8", "halted after 5 steps"]);
    });

    it("--json --trace includes the trace with values as strings", async () => {
      const r = await zkvm("run", SEED_HEX, "--json", "--trace");
      const json = JSON.parse(r.out);
      expect(json.trace).to.have.length(5);
      expect(json.trace[3]).to.deep.equal({
        step: 3,
        pc: 5,
        op: "STORE",
        stack: ["8"],
        write: { cell: 0, value: "8" },
      });
    });

    it("--steps and --width change the bound and the comparison range", async () => {
      await fails(
        1,
        "STEP_LIMIT_EXCEEDED",
        "run",
        example("sum"),
        "--input",
        "n=5",
        "--steps",
        "10",
      );
      const sum = await zkvm("run", example("sum"), "--input", "n=5", "--steps", "72", "--json");
      expect(JSON.parse(sum.out)).to.deep.equal({ outputs: { total: "15" }, steps: 72 });
      const args = ["run", example("max"), "--input", "a=300", "--input", "b=2"];
      await fails(1, "COMPARISON_OUT_OF_RANGE", ...args, "--width", "8");
      expect((await zkvm(...args, "--width", "9")).out).to.include("m = 300");
    });

    it("runs raw bytecode with --private, --public and --output cells named by address", async () => {
      const path = join(dir, "mul.bin");
      // LOAD 0; LOAD 1; MUL; STORE 2; STOP
      writeFileSync(path, Uint8Array.from([0x05, 0, 0x05, 1, 0x03, 0x04, 2, 0xff]));
      const r = await zkvm(
        "run",
        path,
        "--private",
        "0",
        "--public",
        "1",
        "--output",
        "2",
        "--input",
        "0=6",
        "--input",
        "1=7",
        "--json",
      );
      expect(r.status, r.err).to.equal(0);
      expect(JSON.parse(r.out)).to.deep.equal({ outputs: { "2": "42" }, steps: 5 });
      await fails(
        1,
        "MISSING_INPUT",
        "run",
        path,
        "--private",
        "0",
        "--public",
        "1",
        "--input",
        "0=6",
      );
    });

    it("accepts inputs and outputs named like Object.prototype's members", async () => {
      const path = join(dir, "proto.zkasm");
      writeFileSync(path, ".private constructor 0\n.output __proto__ 1\nLOAD 0\nSTORE 1\nSTOP\n");
      const r = await zkvm("run", path, "--input", "constructor=5", "--json");
      expect(r.status, r.err).to.equal(0);
      expect(r.out).to.include('"__proto__": "5"');
    });

    it("without declarations, raw bytecode has every STOREd cell as an output", async () => {
      const path = join(dir, "seed.bin");
      writeFileSync(path, Uint8Array.from([1, 5, 1, 3, 2, 4, 0, 0xff]));
      expect(JSON.parse((await zkvm("run", path, "--json")).out)).to.deep.equal({
        outputs: { "0": "8" },
        steps: 5,
      });
    });
  });

  describe("asm and disasm", () => {
    it("asm writes the assembled bytes", async () => {
      const out = join(dir, "cubic.bin");
      const r = await zkvm("asm", example("cubic"), "-o", out);
      expect(r.status, r.err).to.equal(0);
      expect(r.out).to.equal(`wrote 17 bytes to ${out}`);
      const expected = assemble(readFileSync(example("cubic"), "utf8")).code;
      expect(new Uint8Array(readFileSync(out))).to.deep.equal(expected);
    });

    it("asm writes hex text to a .hex file, which run reads back", async () => {
      const out = join(dir, "wrap.hex");
      await zkvm("asm", example("wrap"), "-o", out);
      const expected = assemble(readFileSync(example("wrap"), "utf8")).code;
      expect(readFileSync(out, "utf8")).to.equal(`${toHex(expected)}\n`);
      const r = await zkvm("run", out, "--json");
      expect(JSON.parse(r.out).outputs).to.have.keys(["1", "2", "3"]);
    });

    it("asm --json prints the I/O declarations", async () => {
      const r = await zkvm("asm", example("sum"), "-o", join(dir, "sum.bin"), "--json");
      const json = JSON.parse(r.out);
      expect(json.io).to.deep.equal({
        inputs: [{ name: "n", cell: 0, visibility: "public" }],
        outputs: [{ name: "total", cell: 1 }],
      });
      expect(json.hex).to.equal(toHex(new Uint8Array(readFileSync(join(dir, "sum.bin")))));
    });

    it("asm rejects an invalid program with its file and line", async () => {
      const path = join(dir, "bad.zkasm");
      writeFileSync(path, "PUSH 1\nADD\nSTOP\n");
      const message = await fails(1, "STACK_UNDERFLOW", "asm", path, "-o", join(dir, "bad.bin"));
      expect(message).to.include(path).and.include("line 2");
    });

    for (const ex of loadExamples()) {
      it(`disasm output of ${ex.name} assembles back to the same bytes`, async () => {
        const text = await zkvm("disasm", ex.path);
        expect(text.status).to.equal(0);
        const source = join(dir, `${ex.name}.dis.zkasm`);
        writeFileSync(source, text.out);
        const again = join(dir, `${ex.name}.again.bin`);
        expect((await zkvm("asm", source, "-o", again)).status).to.equal(0);
        expect(new Uint8Array(readFileSync(again))).to.deep.equal(loadProgram(ex.source).code);
      });
    }
  });

  describe("help and usage", () => {
    for (const command of COMMANDS) {
      it(`${command.name} --help prints its usage and exits 0`, async () => {
        for (const flag of ["--help", "-h"]) {
          const r = await zkvm(command.name, flag);
          expect(r.status).to.equal(0);
          expect(r.out).to.match(new RegExp(`^Usage: zkvm ${command.name} `));
        }
      });
    }

    it("zkvm --help lists every command and exits 0; no command at all exits 2", async () => {
      const r = await zkvm("--help");
      expect(r.status).to.equal(0);
      for (const command of COMMANDS) expect(r.out).to.include(command.name);
      expect((await zkvm()).status).to.equal(2);
    });

    it("usage errors exit 2", async () => {
      const unknown = await zkvm("frobnicate");
      expect(unknown.status).to.equal(2);
      expect(unknown.err).to.match(/^zkvm: unknown command 'frobnicate'\n\nUsage: /);
      await fails(2, "unknown option --frob", "run", SEED_HEX, "--frob");
      await fails(2, "expected 1 argument", "run");
      await fails(2, "expected 1 argument", "run", SEED_HEX, SEED_HEX);
      await fails(2, "--steps 0", "run", SEED_HEX, "--steps", "0");
      await fails(2, "--steps", "run", SEED_HEX, "--steps", "ten");
      await fails(2, "--width", "run", SEED_HEX, "--width", "0");
      await fails(2, "--width", "run", SEED_HEX, "--width", "253");
      await fails(2, "name=value", "run", example("cubic"), "--input", "x");
      await fails(2, "twice", "run", example("cubic"), "--input", "x=1", "--input", "x=2");
      await fails(2, "--private", "run", SEED_HEX, "--private", "-1");
      await fails(2, "-o", "asm", example("cubic"));
    });

    it("a usage error wins over an error in the program", async () => {
      await fails(2, "--steps", "run", join(dir, "missing.hex"), "--steps", "0");
    });
  });

  describe("errors in programs, inputs and files exit 1 with the code", () => {
    it("a missing file", async () => {
      await fails(1, "FILE_NOT_FOUND", "run", join(dir, "missing.zkasm"));
    });

    it("assembly and validation errors, with file and line", async () => {
      const path = join(dir, "typo.zkasm");
      writeFileSync(path, "PUSH 1\nPSUH 2\nSTOP\n");
      const message = await fails(1, "UNKNOWN_MNEMONIC", "run", path);
      expect(message).to.include(`${path}, line 2`);
      writeFileSync(path, "PUSH 1\nJUMP 1\nSTOP\n");
      expect(await fails(1, "BAD_JUMP_TARGET", "run", path)).to.include("line 2");
    });

    it("bad bytecode and bad hex", async () => {
      const hexPath = join(dir, "bad.hex");
      writeFileSync(hexPath, "01 05 0");
      await fails(1, "BAD_HEX", "run", hexPath);
      writeFileSync(hexPath, "01 05 0B FF");
      expect(await fails(1, "UNKNOWN_OPCODE", "run", hexPath)).to.include("offset 2");
      await fails(1, "UNKNOWN_OPCODE", "disasm", hexPath);
    });

    it("input errors", async () => {
      const cubic = example("cubic");
      await fails(1, "MISSING_INPUT", "run", cubic);
      await fails(1, "UNKNOWN_INPUT", "run", cubic, "--input", "x=1", "--input", "z=2");
      await fails(1, "BAD_INPUT_VALUE", "run", cubic, "--input", "x=three");
      await fails(1, "INPUT_OUT_OF_FIELD", "run", cubic, "--input", `x=${P}`);
    });

    it("run-time faults, with step and pc", async () => {
      const message = await fails(
        1,
        "COMPARISON_OUT_OF_RANGE",
        "run",
        example("sum"),
        "--input",
        "n=-1",
      );
      // LOAD n; STORE i; LOAD i; PUSH 1; then LT, the fifth step, at pc 8.
      expect(message).to.include("step 4").and.include("pc 8");
    });
  });

  describe("as a child process", () => {
    const cli = (...argv: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...argv], {
        cwd: ROOT,
      });

    it("prints the seed example's JSON and exits 0", async () => {
      const { stdout, stderr } = await cli("run", "examples/seed.hex", "--json");
      expect(JSON.parse(stdout)).to.deep.equal({ outputs: { "0": "8" }, steps: 5 });
      expect(stderr).to.equal("");
    });

    for (const [status, argv] of [
      [1, ["run", "examples/cubic.zkasm", "--input", "x=1", "--input", "q=2"]],
      [2, ["run", "examples/seed.hex", "--steps", "0"]],
    ] as const) {
      it(`exits ${status} with one line on stderr and no stack trace for: ${argv.join(" ")}`, async () => {
        try {
          await cli(...argv);
          expect.fail("the command succeeded");
        } catch (e) {
          const { code, stdout, stderr } = e as { code: number; stdout: string; stderr: string };
          expect(code).to.equal(status);
          expect(stdout).to.equal("");
          expect(stderr.endsWith("\n")).to.equal(true);
          expect(stderr.trimEnd().split("\n")).to.have.length(1);
          expect(stderr).to.match(/^zkvm run: /);
          expect(stderr).not.to.match(/\n\s+at /);
        }
      });
    }
  });
});
