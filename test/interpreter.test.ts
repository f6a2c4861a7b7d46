import { expect } from "chai";
import { assemble } from "../src/assembler.js";
import { ZkvmError, RuntimeFault } from "../src/errors.js";
import { P } from "../src/field.js";
import { run, type RunOptions, type RunResult } from "../src/interpreter.js";
import { validate } from "../src/validator.js";
import { expectError, hex, rawProgram } from "./helpers/code.js";

const TWO_64 = 1n << 64n;

/** Runs assembly with cells 0, 1, ... preset to `initial`; the step bound defaults to 1000. */
function exec(
  source: string,
  initial: readonly bigint[] = [],
  options: Partial<RunOptions> = {},
): RunResult {
  const cells = new Map(initial.map((v, cell) => [cell, v]));
  return run(validate(assemble(source)), cells, { steps: 1000, ...options });
}

/** The value a snippet leaves in cell 9 (the snippet ends in STORE 9). */
function result(snippet: string, initial: readonly bigint[] = []): bigint {
  return exec(`${snippet}\nSTORE 9\nSTOP`, initial).memory.get(9)!;
}

function fault(source: string, code: string, initial: readonly bigint[] = [], options = {}) {
  return expectError(() => exec(source, initial, options), RuntimeFault, code);
}

describe("interpreter", () => {
  describe("SPEC's opcodes", () => {
    it("runs the seed example: memory[0] = 8 after 5 steps", () => {
      const r = run(validate(rawProgram(hex("01 05 01 03 02 04 00 FF"))), new Map(), { steps: 5 });
      expect(Object.fromEntries(r.memory)).to.deep.equal({ 0: 8n });
      expect(r.steps).to.equal(5);
    });

    it("PUSH pushes its immediate", () => {
      expect(result("PUSH 42")).to.equal(42n);
      expect(result(`PUSH ${P - 1n}`)).to.equal(P - 1n);
    });

    it("ADD pushes a + b and MUL a * b", () => {
      expect(result("PUSH 20\nPUSH 22\nADD")).to.equal(42n);
      expect(result("PUSH 6\nPUSH 7\nMUL")).to.equal(42n);
    });

    it("STORE pops into a cell, LOAD pushes a cell, and an unwritten cell is 0", () => {
      expect(result("PUSH 5\nSTORE 3\nLOAD 3\nLOAD 3\nADD")).to.equal(10n);
      expect(result("LOAD 123456")).to.equal(0n);
      expect(result("LOAD 0\nLOAD 1\nMUL", [6n, 7n])).to.equal(42n);
      expect(result("PUSH 1\nSTORE 0\nPUSH 2\nSTORE 0\nLOAD 0")).to.equal(2n);
    });

    it("STORE pops the top of the stack, leaving the value below", () => {
      expect(result("PUSH 1\nPUSH 2\nSTORE 8")).to.equal(1n);
    });

    it("JUMP goes to its target", () => {
      expect(result("PUSH 1\nJUMP over\nPUSH 100\nADD\nover: PUSH 2\nADD")).to.equal(3n);
    });

    it("JUMPI jumps when the condition is not 0 and falls through when it is", () => {
      const branch = (c: string) =>
        result(`PUSH ${c}\nJUMPI yes\nPUSH 10\nJUMP end\nyes: PUSH 20\nend:`);
      expect(branch("0")).to.equal(10n);
      expect(branch("1")).to.equal(20n);
      expect(branch("7")).to.equal(20n);
      expect(branch("-1")).to.equal(20n);
    });

    it("EQ compares field elements: -1 is p - 1", () => {
      expect(result("PUSH 3\nPUSH 3\nEQ")).to.equal(1n);
      expect(result("PUSH 3\nPUSH 4\nEQ")).to.equal(0n);
      expect(result(`PUSH -1\nPUSH ${P - 1n}\nEQ`)).to.equal(1n);
      // EQ has no range limit, unlike LT and GT.
      expect(result(`PUSH ${P - 1n}\nPUSH ${P - 2n}\nEQ`)).to.equal(0n);
    });

    it("LT pushes a < b and GT a > b, with a below b on the stack", () => {
      expect(result("PUSH 2\nPUSH 3\nLT")).to.equal(1n);
      expect(result("PUSH 3\nPUSH 2\nLT")).to.equal(0n);
      expect(result("PUSH 3\nPUSH 3\nLT")).to.equal(0n);
      expect(result("PUSH 3\nPUSH 2\nGT")).to.equal(1n);
      expect(result("PUSH 2\nPUSH 3\nGT")).to.equal(0n);
      expect(result("PUSH 3\nPUSH 3\nGT")).to.equal(0n);
    });

    it("STOP halts, counting as a step, and leaves later code unrun", () => {
      const r = exec("STOP\nPUSH 1\nSTORE 0\nSTOP");
      expect(r.steps).to.equal(1);
      expect(r.memory.size).to.equal(0);
    });
  });

  describe("the field", () => {
    it("ADD wraps around p", () => {
      expect(result("PUSH -1\nPUSH 2\nADD")).to.equal(1n);
      expect(result("PUSH -1\nPUSH 1\nADD")).to.equal(0n);
      expect(result(`PUSH ${P - 1n}\nPUSH ${P - 1n}\nADD`)).to.equal(P - 2n);
    });

    it("MUL wraps around p", () => {
      expect(result("PUSH -1\nPUSH -1\nMUL")).to.equal(1n);
      expect(result("PUSH -1\nPUSH 5\nMUL")).to.equal(P - 5n);
      const two128 = 1n << 128n;
      expect(result(`PUSH ${two128}\nPUSH ${two128}\nMUL`)).to.equal((two128 * two128) % P);
    });
  });

  describe("comparison range (W = 64 by default)", () => {
    for (const op of ["LT", "GT"]) {
      it(`${op} accepts operands up to 2^64 - 1`, () => {
        const max = TWO_64 - 1n;
        expect(result(`PUSH ${max}\nPUSH ${max}\n${op}`)).to.equal(0n);
        expect(result(`PUSH 0\nPUSH ${max}\n${op}`)).to.equal(op === "LT" ? 1n : 0n);
      });

      it(`${op} faults on an operand of 2^64, in either position, with step and pc`, () => {
        for (const [a, b] of [
          [TWO_64, 0n],
          [0n, TWO_64],
          [P - 1n, 1n],
        ]) {
          const e = fault(
            `PUSH 1\nSTORE 0\nPUSH ${a}\nPUSH ${b}\n${op}\nSTOP`,
            "COMPARISON_OUT_OF_RANGE",
          );
          expect(e.step).to.equal(4);
          // PUSH 1 (2) + STORE 0 (2) + the two PUSHes.
          const pc = 4 + assemble(`PUSH ${a}\nPUSH ${b}`).code.length;
          expect(e.pc).to.equal(pc);
          expect(e.stage).to.equal("run");
        }
      });
    }

    it("faults on input values: -1 is p - 1, far above 2^64", () => {
      const e = fault("LOAD 0\nLOAD 1\nLT\nSTOP", "COMPARISON_OUT_OF_RANGE", [P - 1n, 0n]);
      expect([e.step, e.pc]).to.deep.equal([2, 4]);
    });

    it("follows the width option", () => {
      const cmp = (v: bigint, width: number) =>
        exec(`PUSH ${v}\nPUSH 0\nGT\nSTORE 0\nSTOP`, [], { width }).memory.get(0);
      expect(cmp(255n, 8)).to.equal(1n);
      fault("PUSH 256\nPUSH 0\nGT\nSTOP", "COMPARISON_OUT_OF_RANGE", [], { width: 8 });
      expect(cmp(1n, 1)).to.equal(1n);
      fault("PUSH 2\nPUSH 0\nGT\nSTOP", "COMPARISON_OUT_OF_RANGE", [], { width: 1 });
      expect(cmp(TWO_64, 65)).to.equal(1n);
      expect(cmp((1n << 252n) - 1n, 252)).to.equal(1n);
      fault(`PUSH ${1n << 252n}\nPUSH 0\nGT\nSTOP`, "COMPARISON_OUT_OF_RANGE", [], { width: 252 });
    });

    it("rejects a width outside 1..252 and a step bound that is not a positive integer", () => {
      for (const width of [0, -1, 253, 1.5, NaN]) {
        expectError(() => exec("STOP", [], { width }), ZkvmError, "BAD_WIDTH");
      }
      for (const steps of [0, -1, 2.5, NaN, Infinity]) {
        expectError(() => exec("top: JUMP top", [], { steps }), ZkvmError, "BAD_OPTION");
      }
    });
  });

  describe("step bound", () => {
    it("counts every executed instruction, the final STOP included", () => {
      const seed = validate(rawProgram(hex("01 05 01 03 02 04 00 FF")));
      expect(run(seed, new Map(), { steps: 5 }).steps).to.equal(5);
      const e = expectError(
        () => run(seed, new Map(), { steps: 4 }),
        RuntimeFault,
        "STEP_LIMIT_EXCEEDED",
      );
      // Step 4 (0-based) would be the STOP at pc 7.
      expect([e.step, e.pc]).to.deep.equal([4, 7]);
    });

    it("stops a loop that never halts with STEP_LIMIT_EXCEEDED at the bound", () => {
      const e = fault(
        "PUSH 0\nSTORE 0\ntop: LOAD 0\nPUSH 1\nADD\nSTORE 0\nJUMP top",
        "STEP_LIMIT_EXCEEDED",
        [],
        {
          steps: 100,
        },
      );
      // Two setup steps, then five per iteration from pc 4: step 100 = 2 + 5 * 19 + 3
      // is the fourth instruction of the twentieth iteration, STORE 0 at pc 9.
      expect(e.step).to.equal(100);
      expect(e.pc).to.equal(9);
    });

    it("counts loop iterations", () => {
      const r = exec(
        "PUSH 3\nSTORE 0\ntop: LOAD 0\nPUSH -1\nADD\nSTORE 0\nLOAD 0\nJUMPI top\nSTOP",
      );
      expect(r.steps).to.equal(2 + 3 * 6 + 1);
      expect(r.memory.get(0)).to.equal(0n);
    });
  });

  describe("results", () => {
    it("returns the inputs and every written cell as final memory, without touching the input map", () => {
      const initial = new Map([
        [0, 5n],
        [7, 1n],
      ]);
      const program = validate(assemble("LOAD 0\nSTORE 3\nPUSH 9\nSTORE 0\nSTOP"));
      const r = run(program, initial, { steps: 10 });
      expect(Object.fromEntries(r.memory)).to.deep.equal({ 0: 9n, 3: 5n, 7: 1n });
      expect(Object.fromEntries(initial)).to.deep.equal({ 0: 5n, 7: 1n });
      expect(r.trace).to.equal(undefined);
    });

    it("records a trace: step, pc, opcode, the stack before, and STORE's write", () => {
      const program = validate(rawProgram(hex("01 05 01 03 02 04 00 FF")));
      const r = run(program, new Map(), { steps: 10, trace: true });
      expect(r.trace).to.deep.equal([
        { step: 0, pc: 0, op: "PUSH", stack: [] },
        { step: 1, pc: 2, op: "PUSH", stack: [5n] },
        { step: 2, pc: 4, op: "ADD", stack: [5n, 3n] },
        { step: 3, pc: 5, op: "STORE", stack: [8n], write: { cell: 0, value: 8n } },
        { step: 4, pc: 7, op: "STOP", stack: [] },
      ]);
    });

    it("traces jumps by the pc of each step", () => {
      const r = exec("PUSH 1\nJUMPI t\nSTOP\nt: PUSH 2\nSTORE 0\nSTOP", [], { trace: true });
      expect(r.trace!.map((t) => [t.pc, t.op])).to.deep.equal([
        [0, "PUSH"],
        [2, "JUMPI"],
        [5, "PUSH"],
        [7, "STORE"],
        [9, "STOP"],
      ]);
    });
  });
});
