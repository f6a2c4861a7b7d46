/**
 * Property tests (fast-check): the assembler and disassembler are inverse on
 * valid programs, the loader and validator only ever accept a program or throw
 * a ZkvmError, and the interpreter on a valid program only returns or faults.
 */
import { expect } from "chai";
import fc from "fast-check";
import { assemble } from "../src/assembler.js";
import { encodeLeb128, toHex } from "../src/bytecode.js";
import { disassemble } from "../src/disassembler.js";
import { RuntimeFault, ZkvmError } from "../src/errors.js";
import { inputCells } from "../src/inputs.js";
import { run } from "../src/interpreter.js";
import { loadProgram } from "../src/load.js";
import { Op } from "../src/opcodes.js";
import { validate, type ValidatedProgram } from "../src/validator.js";
import { programWithInputs, validProgram } from "./helpers/programs.js";

const WITH_IMMEDIATE = [Op.PUSH, Op.STORE, Op.LOAD, Op.JUMP, Op.JUMPI];
const WITHOUT_IMMEDIATE = [Op.ADD, Op.MUL, Op.EQ, Op.LT, Op.GT, Op.STOP];

/** Immediates: mostly small and minimal, sometimes long, non-minimal or cut short. */
const immediate = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map((v) => [v]) },
  { weight: 1, arbitrary: fc.bigInt(0n, 1n << 260n).map(encodeLeb128) },
  { weight: 1, arbitrary: fc.constantFrom([0x80, 0x00], [0xff, 0x80, 0x00], [0x80], [0xff]) },
);

/** Byte strings made mostly of real instructions, so that many of them decode. */
const opcodeBytes = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom(...WITH_IMMEDIATE), immediate)
          .map(([op, imm]) => [op, ...imm]),
      },
      { weight: 3, arbitrary: fc.constantFrom(...WITHOUT_IMMEDIATE).map((op) => [op]) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((b) => [b]) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

/**
 * Byte strings that usually validate: decodable instructions with minimal
 * immediates, pushes weighted against underflow, small jump targets, and a
 * final STOP.
 */
const mostlyValidBytes = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 20 }).map((v) => [Op.PUSH, v]) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 4 }).map((k) => [Op.LOAD, k]) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 4 }).map((k) => [Op.STORE, k]) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(Op.ADD, Op.MUL, Op.EQ, Op.LT, Op.GT).map((op) => [op]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(Op.JUMP, Op.JUMPI), fc.integer({ min: 0, max: 40 }))
          .map(([op, t]) => [op, t]),
      },
      { weight: 1, arbitrary: fc.constant([Op.STOP]) },
    ),
    { minLength: 1, maxLength: 25 },
  )
  .map((parts) => Uint8Array.from([...parts.flat(), Op.STOP]));

/** Text that looks a little like assembly, and text that does not. */
const assemblyish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          "PUSH 1",
          "push -1",
          "ADD",
          "mul",
          "STORE x",
          "LOAD 0",
          "JUMP l",
          "JUMPI l",
          "l:",
          "STOP",
          ".private x 0",
          ".output y 1",
          ".cell x 2",
          "; note",
          "PUSH",
          "FOO 1",
          "",
        ),
        fc.string({ maxLength: 12 }),
      ),
      { maxLength: 20 },
    )
    .map((lines) => lines.join("\n")),
);

/** Validates, or throws anything but a ZkvmError; returns undefined for a rejected program. */
function validateOrReject(source: Uint8Array | string): ValidatedProgram | undefined {
  try {
    return validate(loadProgram(source));
  } catch (e) {
    if (e instanceof ZkvmError) return undefined;
    throw e;
  }
}

describe("properties", function () {
  this.timeout(60_000);

  describe("valid programs round-trip through the disassembler", () => {
    it("bytes -> disassemble -> assemble gives the same bytes and I/O", () => {
      fc.assert(
        fc.property(validProgram(), (generated) => {
          const program = validate(assemble(generated.source));
          const again = assemble(disassemble(program.code, program.io));
          expect(toHex(again.code)).to.equal(toHex(program.code));
          expect(again.io).to.deep.equal(program.io);
        }),
        { numRuns: 300 },
      );
    });

    it("the generator's programs validate and some use two-byte jump targets", () => {
      let long = 0;
      fc.assert(
        fc.property(validProgram(), (generated) => {
          const program = validate(assemble(generated.source));
          expect(program.io.outputs.length).to.be.at.least(1);
          if (program.code.length > 128) long++;
        }),
        { numRuns: 100 },
      );
      expect(long).to.be.greaterThan(0);
    });
  });

  describe("the loader and validator accept a program or throw a ZkvmError", () => {
    it("on random bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          validateOrReject(bytes);
        }),
        { numRuns: 2000 },
      );
    });

    it("on bytes made of opcodes and immediates", () => {
      let accepted = 0;
      fc.assert(
        fc.property(opcodeBytes, (bytes) => {
          if (validateOrReject(bytes) !== undefined) accepted++;
          // The same bytes as hex text take the loader's other path.
          validateOrReject(toHex(bytes));
        }),
        { numRuns: 500 },
      );
      expect(accepted).to.be.greaterThan(0);
    });

    it("on random text, read as hex or assembly", () => {
      fc.assert(
        fc.property(assemblyish, (text) => {
          validateOrReject(text);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe("the interpreter on a valid program returns or throws a RuntimeFault", () => {
    it("on random valid bytecode, any width, a small step bound", () => {
      let ran = 0;
      fc.assert(
        fc.property(
          mostlyValidBytes,
          fc.integer({ min: 1, max: 252 }),
          fc.integer({ min: 1, max: 200 }),
          (bytes, width, steps) => {
            const program = validateOrReject(bytes);
            if (program === undefined) return;
            ran++;
            try {
              const r = run(program, new Map(), { steps, width, trace: true });
              expect(r.steps).to.be.within(1, steps);
              expect(r.trace).to.have.length(r.steps);
              expect(r.trace!.at(-1)!.op).to.equal("STOP");
            } catch (e) {
              if (!(e instanceof RuntimeFault)) throw e;
              expect(e.step).to.be.within(0, steps);
            }
          },
        ),
        { numRuns: 600 },
      );
      expect(ran).to.be.greaterThan(20);
    });

    it("on generated programs with inputs: never past the generator's step bound", () => {
      const codes = new Set<string>();
      fc.assert(
        fc.property(programWithInputs(), ({ program: generated, inputs }) => {
          const program = validate(assemble(generated.source));
          try {
            const r = run(program, inputCells(program.io, inputs), { steps: generated.stepBound });
            expect(r.steps).to.be.at.most(generated.stepBound);
            codes.add("halted");
          } catch (e) {
            if (!(e instanceof RuntimeFault)) throw e;
            expect(e.code).to.equal("COMPARISON_OUT_OF_RANGE");
            codes.add(e.code);
          }
        }),
        { numRuns: 300 },
      );
      expect([...codes].sort()).to.deep.equal(["COMPARISON_OUT_OF_RANGE", "halted"]);
    });

    it("halts within exactly its step count: one step fewer is STEP_LIMIT_EXCEEDED", () => {
      fc.assert(
        fc.property(programWithInputs(), ({ program: generated, inputs }) => {
          const program = validate(assemble(generated.source));
          const cells = inputCells(program.io, inputs);
          let halted;
          try {
            halted = run(program, cells, { steps: generated.stepBound });
          } catch (e) {
            if (e instanceof RuntimeFault) return;
            throw e;
          }
          expect(run(program, cells, { steps: halted.steps })).to.deep.equal(halted);
          if (halted.steps > 1) {
            expect(() => run(program, cells, { steps: halted.steps - 1 }))
              .to.throw(RuntimeFault)
              .with.property("code", "STEP_LIMIT_EXCEEDED");
          }
        }),
        { numRuns: 150 },
      );
    });
  });
});
