/**
 * Universal circuits: the canonical encoding and program hash, the bounds,
 * and differential tests — the universal circuit's witness agrees with the
 * interpreter (and with the per-program circuit) on every example and on
 * random programs; a fault or a run that does not halt within N has no
 * witness. Groth16 and the EVM are in test/universal-onchain.test.ts, forged
 * witnesses in test/universal-soundness.test.ts.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { compile } from "../src/compiler/index.js";
import { ZkvmError } from "../src/errors.js";
import { validate } from "../src/validator.js";
import { loadProgram } from "../src/load.js";
import {
  canonicalize,
  checkBounds,
  prepareProgram,
  programHash,
  type UniversalBounds,
} from "../src/universal/index.js";
import { universalCircuit, universalProgramHash } from "../src/universal/library.js";
import { ZKVM } from "../src/zkvm.js";
import { zkvm } from "./helpers/cli.js";
import { isErrorCase, loadExamples, type ExampleCase } from "./helpers/examples.js";
import { validProgram } from "./helpers/programs.js";
import { TEST_BOUNDS, testCircuit, universalOutcome } from "./helpers/universal.js";
import {
  circuitOutcome,
  describeOutcome,
  disagreement,
  inputsFor,
  interpreterOutcome,
} from "./helpers/witness.js";

const hashOf = async (source: string, io = {}) =>
  (await prepareProgram(loadProgram(source, io))).hash;

const POWER = loadExamples().find((e) => e.name === "power")!.source;

describe("universal circuits", function () {
  describe("canonical encoding", function () {
    it("renumbers cells: public inputs, private inputs, then the rest by address; targets become instruction indices", function () {
      const canonical = canonicalize(validate(loadProgram(POWER)));
      // power: .private x 0, .public e 1, .output y 2, work cell k 3.
      expect(canonical.cellAddresses).to.deep.equal([1, 0, 2, 3]);
      expect(canonical.publicInputs).to.equal(1);
      expect(canonical.inputs).to.equal(2);
      expect(canonical.outputCells).to.deep.equal([2]);
      expect(canonical.maxHeight).to.equal(2);
      // `JUMPI body` (offset 15) is instruction 9: LOAD y.
      const jumpi = canonical.rows.find((r) => r.op === 0x07)!;
      expect(canonical.rows[Number(jumpi.arg)]).to.deep.equal({ op: 0x05, arg: 2n });
      expect(canonical.rows.at(-1)).to.deep.equal({ op: 0x06, arg: 4n }); // JUMP loop
    });

    it("the hash binds the code, every address and the declaration", async function () {
      const base = await hashOf("01 05 04 07 FF", { private: [], outputs: [7] });
      const variants = [
        ["a changed constant", "01 06 04 07 FF", { outputs: [7] }],
        ["an isomorphic program on another cell", "01 05 04 08 FF", { outputs: [8] }],
        ["one more instruction", "01 05 04 07 FF FF", { outputs: [7] }],
        ["cell 7 also a private input", "01 05 04 07 FF", { private: [7], outputs: [7] }],
        ["cell 7 also a public input", "01 05 04 07 FF", { public: [7], outputs: [7] }],
        ["another output cell", "01 05 04 07 FF", { outputs: [7, 9] }],
      ] as const;
      const hashes = new Set([base]);
      for (const [what, code, io] of variants) {
        const h = await hashOf(code, io);
        expect(h, what).to.not.equal(base);
        hashes.add(h);
      }
      expect(hashes.size).to.equal(variants.length + 1);
      expect(await hashOf("01 05 04 07 FF", { outputs: [7] })).to.equal(base);
    });

    it("zkvm hash (and universalProgramHash) prints the hash, with no build", async function () {
      const expected = (await hashOf(POWER)).toString();
      const text = await zkvm("hash", "examples/power.zkasm");
      expect(text.status).to.equal(0);
      expect(text.out.trim()).to.equal(expected);
      const json = await zkvm("hash", "examples/seed.hex", "--json");
      expect(JSON.parse(json.out)).to.deep.include({
        programHash: (await hashOf("01 05 01 03 02 04 00 FF")).toString(),
        instructions: 5,
        cells: 1,
        outputs: 1,
      });
      expect(await programHash(canonicalize(validate(loadProgram(POWER))))).to.equal(
        BigInt(expected),
      );
      expect(await universalProgramHash(POWER)).to.equal(expected);
    });
  });

  describe("bounds", function () {
    const power = canonicalize(validate(loadProgram(POWER)));
    const cases: Array<[keyof UniversalBounds, number, RegExp]> = [
      ["maxInstructions", 17, /program has 18 instructions; .* allows 17 \(--max-instructions\)/],
      ["maxCells", 3, /program has 4 memory cells; .* allows 3 \(--max-cells\)/],
      ["maxStack", 1, /program has 2 stack values .* allows 1 \(--max-stack\)/],
      ["maxInputs", 1, /program has 2 inputs; .* allows 1 \(--max-inputs\)/],
    ];
    for (const [bound, value, message] of cases) {
      it(`a program over ${bound} is BOUND_EXCEEDED naming the bound`, function () {
        const bounds = { ...TEST_BOUNDS, [bound]: value };
        expect(() => checkBounds(power, bounds))
          .to.throw(ZkvmError)
          .that.satisfies((e: ZkvmError) => e.code === "BOUND_EXCEEDED" && message.test(e.message));
      });
    }

    it("bad bounds are BAD_OPTION before any compile", async function () {
      for (const bad of [{ maxStack: 1 }, { width: 253 }, { maxInputs: 9, maxCells: 8 }]) {
        let code: string | undefined;
        try {
          await universalCircuit({ ...TEST_BOUNDS, ...bad }, { cacheDir: "/nonexistent" });
        } catch (e) {
          code = (e as ZkvmError).code;
        }
        expect(code, JSON.stringify(bad)).to.equal("BAD_OPTION");
      }
    });
  });

  describe("differential: universal circuit, interpreter and per-program circuit agree", function () {
    const { steps: N, width } = TEST_BOUNDS;

    /** Per example: its first two halting cases and one case of each run-time fault. */
    const chosen = (cases: readonly ExampleCase[]) => {
      const halting = cases.filter((c) => !isErrorCase(c)).slice(0, 2);
      const faults = ["COMPARISON_OUT_OF_RANGE", "STEP_LIMIT_EXCEEDED"].flatMap((code) =>
        cases.filter((c) => isErrorCase(c) && c.error === code).slice(0, 1),
      );
      return [...halting, ...faults];
    };

    for (const example of loadExamples()) {
      it(`${example.name}: halting and faulting cases`, async function () {
        const circuit = await testCircuit();
        const program = loadProgram(example.source);
        const validated = validate(program);
        // The per-program circuit at the example's own N (test/differential.test.ts builds it too).
        const perProgram = compile(validated, { steps: example.steps, width });
        for (const c of chosen(example.cases)) {
          const truth = interpreterOutcome(validated, c.inputs, { steps: N, width });
          const universal = await universalOutcome(circuit, program, c.inputs);
          const label = `${example.name} ${JSON.stringify(c.inputs)}: interpreter ${describeOutcome(truth)}`;
          expect(universal.slotProblem, label).to.equal(undefined);
          expect(
            disagreement(truth, universal),
            `${label}; universal ${describeOutcome(universal)}`,
          ).to.be.undefined;
          const own = interpreterOutcome(validated, c.inputs, { steps: example.steps, width });
          const per = await circuitOutcome(perProgram, validated.io, c.inputs);
          expect(disagreement(own, per), `${label}; per-program ${describeOutcome(per)}`).to.be
            .undefined;
          if (universal.kind === "halt" && per.kind === "halt") {
            expect(universal.outputs, label).to.deep.equal(per.outputs);
            expect(universal.publicInputs, label).to.deep.equal(per.publicInputs);
          }
        }
      });
    }

    it("random programs within the bounds (fast-check)", async function () {
      const circuit = await testCircuit();
      const fits = (source: string) => {
        try {
          checkBounds(canonicalize(validate(loadProgram(source))), TEST_BOUNDS);
          return true;
        } catch {
          return false;
        }
      };
      const programs = fc
        .sample(validProgram({ maxDepth: 1, maxStatements: 3 }), { seed: 13, numRuns: 60 })
        .filter((p) => fits(p.source))
        .slice(0, 5);
      expect(programs.length).to.be.greaterThan(2);
      let halts = 0;
      let faults = 0;
      for (const [i, generated] of programs.entries()) {
        const program = loadProgram(generated.source);
        const validated = validate(program);
        for (const inputs of fc.sample(inputsFor(generated.io), { seed: i, numRuns: 3 })) {
          const truth = interpreterOutcome(validated, inputs, { steps: N, width });
          const universal = await universalOutcome(circuit, program, inputs);
          const label = `${generated.source}\ninputs ${JSON.stringify(inputs, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
          expect(universal.slotProblem, label).to.equal(undefined);
          expect(disagreement(truth, universal), label).to.be.undefined;
          if (truth.kind === "halt") halts++;
          else faults++;
        }
      }
      expect(halts, "some runs halt").to.be.greaterThan(0);
      expect(halts + faults).to.equal(programs.length * 3);
    });

    it("a program over a bound is BOUND_EXCEEDED before any witness work (library)", async function () {
      const circuit = await testCircuit();
      const wide = new ZKVM(`
.output a 0
.output b 1
.output c 2
.output d 3
        PUSH 1
        STORE a
        STOP
`);
      let error: unknown;
      try {
        await wide.generateProof({}, { circuit });
      } catch (e) {
        error = e;
      }
      expect((error as ZkvmError).code).to.equal("BOUND_EXCEEDED");
      expect((error as ZkvmError).message).to.match(/4 outputs; .* allows 3 \(--max-outputs\)/);
    });

    it("zkvm prove DIR --program FILE over a bound: one line on stderr, exit 1, nothing written", async function () {
      const circuit = await testCircuit();
      const dir = mkdtempSync(path.join(tmpdir(), "zkvm-universal-bound-"));
      try {
        const file = path.join(dir, "deep.zkasm");
        // Seven values on the stack: one more than the circuit's stack holds.
        writeFileSync(
          file,
          `.output y 0\n${" PUSH 1\n".repeat(7)}${" ADD\n".repeat(6)} STORE y\n STOP\n`,
        );
        const r = await zkvm("prove", circuit.dir, "--program", file, "--out", dir);
        expect(r.status).to.equal(1);
        expect(r.err).to.match(
          /^zkvm prove: error BOUND_EXCEEDED: program has 7 stack values at its highest; this universal circuit allows 6 \(--max-stack\)$/,
        );
        expect(existsSync(path.join(dir, "proof.json"))).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
