import { expect } from "chai";
import { assemble } from "../src/assembler.js";
import { decode, toHex } from "../src/bytecode.js";
import { disassemble } from "../src/disassembler.js";
import { AssemblyError, ValidationError } from "../src/errors.js";
import { P } from "../src/field.js";
import { loadProgram } from "../src/load.js";
import { Op } from "../src/opcodes.js";
import { validate } from "../src/validator.js";
import { expectError, hex } from "./helpers/code.js";
import { loadExamples } from "./helpers/examples.js";

/** Assembles and returns the bytes as hex. */
const bytesOf = (source: string) => toHex(assemble(source).code);

/** Expects an AssemblyError `code` on 1-based `line`. */
function rejects(source: string, code: string, line: number): AssemblyError {
  const e = expectError(() => assemble(source), AssemblyError, code);
  expect(e.line, "line").to.equal(line);
  expect(e.stage).to.equal("assemble");
  return e;
}

describe("assembler", () => {
  describe("syntax", () => {
    it("assembles SPEC's seed example to its bytes", () => {
      expect(bytesOf("PUSH 5\nPUSH 3\nADD\nSTORE 0\nSTOP\n")).to.equal("01050103020400ff");
    });

    it("ignores comments, blank lines, indentation and CRLF line ends", () => {
      const source =
        "; the seed\r\n\r\n   PUSH 5 ; five\r\n\tPUSH 3\r\nADD;no space\r\nSTORE 0\r\nSTOP";
      expect(bytesOf(source)).to.equal("01050103020400ff");
    });

    it("reads mnemonics and directives in any case", () => {
      const source = ".PRIVATE x 0\n.Output y 1\npush 1\nLoad x\nAdD\nstore y\nsTOP";
      const program = assemble(source);
      expect(toHex(program.code)).to.equal("01010500020401ff");
      expect(program.io.inputs).to.deep.equal([{ name: "x", cell: 0, visibility: "private" }]);
      expect(program.io.outputs).to.deep.equal([{ name: "y", cell: 1 }]);
    });

    it("reads decimal and 0x-hex numbers", () => {
      // 0xFF is two LEB128 bytes, ff 01.
      expect(bytesOf("PUSH 0xFF\nSTORE 0x10\nPUSH 0x0\nSTOP")).to.equal("01ff0104100100ff");
    });

    it("turns a negative PUSH value -v into p - v", () => {
      const [a, b] = decode(assemble("PUSH -1\nPUSH -0x10\nSTOP").code);
      expect(a!.arg).to.equal(P - 1n);
      expect(b!.arg).to.equal(P - 16n);
      expect(decode(assemble(`PUSH -${P - 1n}\nSTOP`).code)[0]!.arg).to.equal(1n);
    });

    it("declares inputs, outputs and work cells whose names are addresses", () => {
      const program = assemble(`
        .private secret 3
        .public  n      0x4
        .output  y      5
        .cell    tmp    6
                 LOAD secret
                 LOAD n
                 STORE tmp
                 STORE y
                 LOAD 7
                 STOP`);
      expect(toHex(program.code)).to.equal("05030504040604050507ff");
      expect(program.io).to.deep.equal({
        inputs: [
          { name: "secret", cell: 3, visibility: "private" },
          { name: "n", cell: 4, visibility: "public" },
        ],
        outputs: [{ name: "y", cell: 5 }],
      });
    });

    it("resolves labels, forward and backward, on their own line or before an instruction", () => {
      const source = `
        start:
                PUSH 0      ; 0
                JUMPI done  ; 2
        again:  PUSH 1      ; 4
        twice: JUMPI again  ; 6
                JUMP start  ; 8
        done: STOP          ; 10`;
      expect(bytesOf(source)).to.equal("0100070a010107040600ff");
    });

    it("allows several labels for one instruction, and labels are case-sensitive", () => {
      expect(bytesOf("a: b:\nc: JUMP B\nB: STOP\n")).to.equal("0602ff");
    });

    it("accepts numeric jump targets", () => {
      expect(bytesOf("PUSH 1\nJUMPI 0x5\nSTOP\nJUMP 4")).to.equal("01010705ff0604");
    });

    it("maps each instruction's offset to its source line", () => {
      const program = assemble("; header\nPUSH 5\n\nlabel: ADD\nSTOP");
      expect([...program.lines!]).to.deep.equal([
        [0, 2],
        [2, 4],
        [3, 5],
      ]);
    });

    it("points a jump to a label after the last instruction at the end of the code", () => {
      const program = assemble("JUMP end\nSTOP\nend:\n");
      expect(toHex(program.code)).to.equal("0603ff");
      const e = expectError(() => validate(program), ValidationError, "BAD_JUMP_TARGET");
      expect(e.line).to.equal(1);
    });

    it("assembles an empty source to an empty program", () => {
      expect(assemble("; nothing\n\n").code).to.have.length(0);
    });
  });

  describe("layout of jump targets at 128 and beyond (two-byte LEB128)", () => {
    const filler = (pushes: number) => Array<string>(pushes).fill("PUSH 1").join("\n");

    it("grows a forward jump whose target moves from 128 to 129", () => {
      // One-byte guess: JUMP (2) + 126 bytes puts `end` at 128, which needs two bytes.
      const program = assemble(`JUMP end\n${filler(63)}\nend: STOP`);
      expect([...program.code.slice(0, 3)]).to.deep.equal([Op.JUMP, 0x81, 0x01]);
      expect(program.code.length).to.equal(130);
      expect(program.code[129]).to.equal(Op.STOP);
      validate(program);
    });

    it("keeps a one-byte jump when the target is 127", () => {
      const program = assemble(`JUMP end\n${filler(62)}\nADD\nend: STOP`);
      expect([...program.code.slice(0, 2)]).to.deep.equal([Op.JUMP, 0x7f]);
      expect(program.code[127]).to.equal(Op.STOP);
    });

    it("reaches a fixpoint when one jump's growth pushes another's target past 127", () => {
      // One-byte guesses put a at 127 and b at 128: JUMP b grows, which moves a
      // to 128, so JUMP a grows too, which moves a to 129 and b to 130.
      const program = assemble(`JUMP b\nJUMP a\n${filler(61)}\nADD\na: STOP\nb: STOP`);
      expect(toHex(program.code.slice(0, 6))).to.equal("068201068101");
      expect(program.code.length).to.equal(131);
      expect([program.code[129], program.code[130]]).to.deep.equal([Op.STOP, Op.STOP]);
      validate(program);
    });

    it("encodes backward jumps to a target beyond 128", () => {
      const stores = Array<string>(41).fill("PUSH 1\nSTORE 0").join("\n");
      const program = assemble(`${stores}\nloop: PUSH 0\nJUMPI loop\nJUMP loop`);
      // The loop starts at 41 * 4 = 164 = 0xa4, two LEB128 bytes: a4 01.
      expect(toHex(program.code.slice(164))).to.equal("010007a40106a401");
      validate(program);
    });
  });

  describe("errors, each with its line", () => {
    it("UNKNOWN_MNEMONIC", () => {
      rejects("PUSH 1\nPOP\nSTOP", "UNKNOWN_MNEMONIC", 2);
      rejects("STOP\nlabel: DUP", "UNKNOWN_MNEMONIC", 2);
    });

    it("UNDEFINED_LABEL", () => {
      rejects("PUSH 1\n\nJUMPI nowhere\nSTOP", "UNDEFINED_LABEL", 3);
    });

    it("DUPLICATE_LABEL", () => {
      const e = rejects("x: PUSH 0\nJUMPI x\nx: STOP", "DUPLICATE_LABEL", 3);
      expect(e.message).to.match(/line 1/);
    });

    it("BAD_LABEL", () => {
      rejects("1abc: STOP", "BAD_LABEL", 1);
    });

    it("UNDEFINED_NAME: an address that is neither a number nor a declared cell", () => {
      rejects(".private x 0\nLOAD x\nSTORE y\nSTOP", "UNDEFINED_NAME", 3);
    });

    it("BAD_OPERAND: missing, extra, or of the wrong kind", () => {
      rejects("PUSH\nSTOP", "BAD_OPERAND", 1);
      rejects("PUSH 1\nADD 2\nSTOP", "BAD_OPERAND", 2);
      rejects("PUSH 1 2\nSTOP", "BAD_OPERAND", 1);
      rejects(".cell x 0\nPUSH x\nSTOP", "BAD_OPERAND", 2);
      rejects("STOP\nJUMP -1", "BAD_OPERAND", 2);
    });

    it("VALUE_OUT_OF_FIELD: a PUSH value outside (-p, p)", () => {
      rejects(`PUSH ${P}\nSTOP`, "VALUE_OUT_OF_FIELD", 1);
      rejects(`STOP\nPUSH -${P}`, "VALUE_OUT_OF_FIELD", 2);
      rejects(`PUSH 0x${(P + 1n).toString(16)}`, "VALUE_OUT_OF_FIELD", 1);
    });

    it("ADDRESS_OUT_OF_RANGE: a numeric address outside [0, 2^32)", () => {
      rejects("LOAD 4294967296\nSTOP", "ADDRESS_OUT_OF_RANGE", 1);
      rejects("PUSH 1\nSTORE -1\nSTOP", "ADDRESS_OUT_OF_RANGE", 2);
      expect(bytesOf("LOAD 4294967295\nSTOP")).to.equal("05ffffffff0fff");
    });

    it("UNKNOWN_DIRECTIVE", () => {
      rejects(".input x 0\nSTOP", "UNKNOWN_DIRECTIVE", 1);
    });

    it("SYNTAX_ERROR: a directive without a name and a cell", () => {
      rejects(".private x\nSTOP", "SYNTAX_ERROR", 1);
      rejects(".output y 1 2\nSTOP", "SYNTAX_ERROR", 1);
    });

    it("BAD_NAME and BAD_ADDRESS in directives", () => {
      rejects(".private 9x 0", "BAD_NAME", 1);
      rejects(".private x -1", "BAD_ADDRESS", 1);
      rejects(".output y 0x100000000", "BAD_ADDRESS", 1);
    });

    it("DUPLICATE_NAME: one name declared twice, whatever the directives", () => {
      const e = rejects(".private x 0\n.cell y 1\n.output x 2", "DUPLICATE_NAME", 3);
      expect(e.message).to.match(/line 1/);
    });

    it("DUPLICATE_INPUT_CELL: two inputs in one cell", () => {
      rejects(".private x 0\n.public y 0\nSTOP", "DUPLICATE_INPUT_CELL", 2);
    });

    it("stops at the first error, reported by describe() with its line", () => {
      const e = rejects("STOP\nFOO\nBAR", "UNKNOWN_MNEMONIC", 2);
      expect(e.describe()).to.match(/^UNKNOWN_MNEMONIC at line 2: /);
    });
  });

  describe("disassembler", () => {
    it("prints the seed example as assembly with offsets", () => {
      const text = disassemble(hex("01 05 01 03 02 04 00 FF"));
      expect(text.split("\n").map((l) => l.replace(/\s*;.*$/, "").trim())).to.deep.equal([
        "PUSH 5",
        "PUSH 3",
        "ADD",
        "STORE 0",
        "STOP",
        "",
      ]);
    });

    it("labels jump targets and prints I/O directives", () => {
      const program = assemble(".public n 0\n.output y 1\ntop: LOAD n\nJUMPI top\nSTOP");
      const text = disassemble(program.code, program.io);
      expect(text).to.match(/^\.public n 0\n\.output y 1\nL0:\n\s+LOAD 0/);
      expect(text).to.match(/JUMPI L0/);
    });

    for (const example of loadExamples()) {
      it(`round-trips ${example.name}: disassembled text assembles to the same bytes and I/O`, () => {
        const program = loadProgram(example.source);
        const again = assemble(disassemble(program.code, program.io));
        expect(toHex(again.code)).to.equal(toHex(program.code));
        // Raw bytecode's I/O is named by address, which is not a directive name.
        if (example.path.endsWith(".zkasm")) expect(again.io).to.deep.equal(program.io);
      });
    }

    it("round-trips bytecode that the validator would reject", () => {
      // A jump into an immediate and unreachable junk decode fine, so they disassemble.
      const code = hex("06 03 01 80 01 FF 02 02");
      expect(toHex(assemble(disassemble(code)).code)).to.equal(toHex(code));
    });
  });
});
