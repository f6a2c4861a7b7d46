import { expect } from "chai";
import { assemble } from "../src/assembler.js";
import { ValidationError } from "../src/errors.js";
import { Op } from "../src/opcodes.js";
import { validate } from "../src/validator.js";
import { expectError, hex, rawProgram } from "./helpers/code.js";

/** Validates raw bytecode and expects the error `code` at byte `offset`. */
function rejects(code: Uint8Array | number[], error: string, offset: number): ValidationError {
  const e = expectError(() => validate(rawProgram(code)), ValidationError, error);
  expect(e.offset, "offset").to.equal(offset);
  expect(e.message).to.be.a("string").and.not.equal("");
  return e;
}

describe("validator", () => {
  describe("SPEC's rules, one by one", () => {
    it("UNKNOWN_OPCODE", () => {
      rejects(hex("01 01 0B FF"), "UNKNOWN_OPCODE", 2);
    });

    it("TRUNCATED_IMMEDIATE", () => {
      rejects(hex("FF 01 80"), "TRUNCATED_IMMEDIATE", 1);
    });

    it("NON_MINIMAL_IMMEDIATE", () => {
      rejects(hex("01 81 00 04 00 FF"), "NON_MINIMAL_IMMEDIATE", 0);
    });

    it("VALUE_OUT_OF_FIELD: a PUSH value >= p", () => {
      // p in LEB128, from the assembler's encoding of p - 1 plus one in the low byte.
      const p = assemble("PUSH -1").code;
      p[1]! += 1;
      rejects([Op.STOP, ...p], "VALUE_OUT_OF_FIELD", 1);
    });

    it("ADDRESS_OUT_OF_RANGE: an address >= 2^32", () => {
      rejects(hex("01 01 04 80 80 80 80 10 FF"), "ADDRESS_OUT_OF_RANGE", 2);
      rejects(hex("05 80 80 80 80 10 FF"), "ADDRESS_OUT_OF_RANGE", 0);
    });

    it("BAD_JUMP_TARGET: into an immediate, past the end, at the end", () => {
      rejects(hex("01 05 06 01 FF"), "BAD_JUMP_TARGET", 2);
      rejects(hex("06 09 FF"), "BAD_JUMP_TARGET", 0);
      rejects(hex("01 00 07 05 FF"), "BAD_JUMP_TARGET", 2);
    });

    it("BAD_JUMP_TARGET applies to unreachable jumps too", () => {
      rejects(hex("FF 06 07"), "BAD_JUMP_TARGET", 1);
    });

    it("STACK_UNDERFLOW: a pop from an empty stack, and JUMPI without a condition", () => {
      rejects(hex("01 01 02 FF"), "STACK_UNDERFLOW", 2);
      rejects(hex("04 00 FF"), "STACK_UNDERFLOW", 0);
      rejects(hex("07 02 FF"), "STACK_UNDERFLOW", 0);
    });

    it("STACK_UNDERFLOW on one path only", () => {
      // PUSH 0; JUMPI 5; STOP; [5:] ADD; STOP: only the jump reaches ADD, with an empty stack.
      rejects(hex("01 00 07 05 FF 02 FF"), "STACK_UNDERFLOW", 5);
    });

    it("STACK_OVERFLOW: 1024 values are allowed, the 1025th push is not", () => {
      const pushes = (n: number) => Array<number[]>(n).fill([Op.PUSH, 0]).flat();
      expect(validate(rawProgram([...pushes(1024), Op.STOP])).maxHeight).to.equal(1024);
      rejects([...pushes(1025), Op.STOP], "STACK_OVERFLOW", 2048);
    });

    it("a loop that pushes on every iteration is a height mismatch before it overflows", () => {
      // [0:] PUSH 1; JUMP 0 reaches offset 0 again with one more value.
      rejects(hex("01 01 06 00"), "STACK_HEIGHT_MISMATCH", 0);
    });

    it("STACK_HEIGHT_MISMATCH: two paths reach an instruction with different heights", () => {
      // PUSH 0; JUMPI 8; PUSH 9; PUSH 9; [8:] STOP: reached with heights 0 and 2.
      const e = rejects(hex("01 00 07 08 01 09 01 09 FF"), "STACK_HEIGHT_MISMATCH", 8);
      expect(e.message).to.match(/height/);
    });

    it("FALLS_OFF_END: the last instruction is not STOP or JUMP", () => {
      rejects(hex("01 05 01 03 02 04 00"), "FALLS_OFF_END", 5);
    });

    it("FALLS_OFF_END: JUMPI's fall-through runs past the end", () => {
      rejects(hex("01 00 07 00"), "FALLS_OFF_END", 2);
    });

    it("FALLS_OFF_END: the empty program", () => {
      rejects([], "FALLS_OFF_END", 0);
    });
  });

  describe("what is allowed", () => {
    it("accepts SPEC's seed example", () => {
      const v = validate(rawProgram(hex("01 05 01 03 02 04 00 FF")));
      expect(v.maxHeight).to.equal(2);
      expect(v.cellsWritten).to.deep.equal([0]);
    });

    it("allows unreachable code that would underflow or fall off the end", () => {
      // STOP; ADD; STORE 3; PUSH 1
      const v = validate(rawProgram(hex("FF 02 04 03 01 01")));
      expect([...v.heightBefore.keys()]).to.deep.equal([0]);
      expect(v.instructions).to.have.length(4);
      expect(v.cellsWritten).to.deep.equal([]);
    });

    it("allows STOP with values on the stack and a JUMP as the last instruction", () => {
      // PUSH 1; JUMPI 7; PUSH 7; [6:] STOP; [7:] PUSH 8; JUMP 6
      const v = validate(rawProgram(hex("01 01 07 07 01 07 FF 01 08 06 06")));
      expect(v.heightBefore.get(6)).to.equal(1);
      expect(v.heightBefore.get(7)).to.equal(0);
      expect(v.heightBefore.get(9)).to.equal(1);
    });

    it("allows a backward jump that keeps the stack height", () => {
      // PUSH 1; JUMPI 0 (back to the start, where the stack is empty again); STOP
      const v = validate(rawProgram(hex("01 01 07 00 FF")));
      expect([0, 2, 4].map((pc) => v.heightBefore.get(pc))).to.deep.equal([0, 1, 0]);
      const entry = v.blocks.find((b) => b.start === 0)!;
      expect(entry.successors).to.include(entry.id);
    });
  });

  describe("facts for the compiler", () => {
    // A loop summing 3 + 2 + 1 into cell 1, with unreachable code at the end.
    const source = `
        .output total 1
        .cell   i 2
                PUSH 3          ; 0
                STORE i         ; 2
        loop:   LOAD i          ; 4
                PUSH 0          ; 6
                EQ              ; 8
                JUMPI done      ; 9
                LOAD total      ; 11
                LOAD i          ; 13
                ADD             ; 15
                STORE total     ; 16
                LOAD i          ; 18
                PUSH -1         ; 20 (38 bytes)
                ADD             ; 58
                STORE i         ; 59
                JUMP loop       ; 61
        done:   STOP            ; 63
                LOAD 7          ; 64: unreachable
                STOP            ; 66
    `;
    const v = validate(assemble(source));

    it("records the stack height before every reachable instruction", () => {
      expect(Object.fromEntries(v.heightBefore)).to.deep.equal({
        0: 0,
        2: 1,
        4: 0,
        6: 1,
        8: 2,
        9: 1,
        11: 0,
        13: 1,
        15: 2,
        16: 1,
        18: 0,
        20: 1,
        58: 2,
        59: 1,
        61: 0,
        63: 0,
      });
      expect(v.heightBefore.has(64)).to.equal(false);
      expect(v.maxHeight).to.equal(2);
    });

    it("splits the reachable code into basic blocks with successors", () => {
      const summary = v.blocks.map((b) => ({
        id: b.id,
        start: b.start,
        offsets: b.instructions.map((i) => i.offset),
        heightIn: b.heightIn,
        heightOut: b.heightOut,
        successors: b.successors,
      }));
      expect(summary).to.deep.equal([
        { id: 0, start: 0, offsets: [0, 2], heightIn: 0, heightOut: 0, successors: [1] },
        { id: 1, start: 4, offsets: [4, 6, 8, 9], heightIn: 0, heightOut: 0, successors: [3, 2] },
        {
          id: 2,
          start: 11,
          offsets: [11, 13, 15, 16, 18, 20, 58, 59, 61],
          heightIn: 0,
          heightOut: 0,
          successors: [1],
        },
        { id: 3, start: 63, offsets: [63], heightIn: 0, heightOut: 0, successors: [] },
      ]);
      expect(Object.fromEntries(v.blockAt)).to.deep.equal({ 0: 0, 4: 1, 11: 2, 63: 3 });
    });

    it("lists the cells read and written by reachable code only", () => {
      expect(v.cellsRead).to.deep.equal([1, 2]);
      expect(v.cellsWritten).to.deep.equal([1, 2]);
    });

    it("keeps every decoded instruction, reachable or not", () => {
      expect(v.instructions.map((i) => i.offset)).to.include.members([64, 66]);
      expect(v.instructionAt.get(64)?.op).to.equal(Op.LOAD);
    });

    it("gives blocks heights that carry values across a branch", () => {
      // PUSH 7; PUSH 1; JUMPI t; PUSH 2; JUMP e; t: PUSH 3; e: ADD; STORE 0; STOP
      const w = validate(
        assemble("PUSH 7\nPUSH 1\nJUMPI t\nPUSH 2\nJUMP e\nt: PUSH 3\ne: ADD\nSTORE 0\nSTOP"),
      );
      expect(w.blocks.map((b) => [b.heightIn, b.heightOut, b.successors])).to.deep.equal([
        [0, 1, [2, 1]],
        [1, 2, [3]],
        [1, 2, [3]],
        [2, 0, []],
      ]);
    });
  });

  describe("I/O declarations", () => {
    it("allows an output in an input's cell, under the same name for raw bytecode", () => {
      const assembled = validate(assemble(".private x 0\n.output y 0\nSTOP"));
      expect(assembled.io.inputs.map((i) => [i.name, i.cell])).to.deep.equal([["x", 0]]);
      expect(assembled.io.outputs.map((o) => [o.name, o.cell])).to.deep.equal([["y", 0]]);
      // Raw bytecode names cells by address: --private 0 --output 0.
      const io = {
        inputs: [{ name: "0", cell: 0, visibility: "private" as const }],
        outputs: [{ name: "0", cell: 0 }],
      };
      expect(validate({ code: hex("FF"), io }).io).to.deep.equal(io);
    });

    it("rejects two inputs in one cell and one name for two things", () => {
      const code = hex("FF");
      expectError(
        () =>
          validate({
            code,
            io: {
              inputs: [
                { name: "a", cell: 0, visibility: "private" },
                { name: "b", cell: 0, visibility: "public" },
              ],
              outputs: [],
            },
          }),
        ValidationError,
        "DUPLICATE_INPUT_CELL",
      );
      expectError(
        () =>
          validate({
            code,
            io: {
              inputs: [{ name: "a", cell: 0, visibility: "private" }],
              outputs: [{ name: "a", cell: 1 }],
            },
          }),
        ValidationError,
        "DUPLICATE_NAME",
      );
      expectError(
        () =>
          validate({
            code,
            io: { inputs: [], outputs: [{ name: "y", cell: 2 ** 32 }] },
          }),
        ValidationError,
        "ADDRESS_OUT_OF_RANGE",
      );
    });
  });

  describe("errors in assembly programs", () => {
    it("carry the source line of the offending instruction", () => {
      const source = "PUSH 1\n; a comment\n\nADD\nSTORE 0\nSTOP\n";
      const e = expectError(() => validate(assemble(source)), ValidationError, "STACK_UNDERFLOW");
      expect(e.offset).to.equal(2);
      expect(e.line).to.equal(4);
    });

    it("point at the join for a height mismatch and the jump for a bad target", () => {
      const mismatch = "PUSH 0\nJUMPI end\nPUSH 1\nend: STOP\n";
      const e = expectError(
        () => validate(assemble(mismatch)),
        ValidationError,
        "STACK_HEIGHT_MISMATCH",
      );
      expect(e.line).to.equal(4);
      const target = expectError(
        () => validate(assemble("PUSH 1\nJUMP 1\nSTOP")),
        ValidationError,
        "BAD_JUMP_TARGET",
      );
      expect([target.line, target.offset]).to.deep.equal([2, 2]);
    });

    it("name the last line when execution falls off the end", () => {
      const e = expectError(
        () => validate(assemble("PUSH 1\nSTORE 0\n")),
        ValidationError,
        "FALLS_OFF_END",
      );
      expect(e.line).to.equal(2);
      expect(e.describe()).to.match(/^FALLS_OFF_END at line 2, offset 2: /);
    });
  });
});
