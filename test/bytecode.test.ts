import { expect } from "chai";
import {
  decode,
  encode,
  encodeInstruction,
  encodeLeb128,
  parseHex,
  toHex,
} from "../src/bytecode.js";
import { ValidationError } from "../src/errors.js";
import { P } from "../src/field.js";
import { Op } from "../src/opcodes.js";
import { expectError, hex } from "./helpers/code.js";

describe("bytecode", () => {
  describe("LEB128", () => {
    const cases: [bigint, number[]][] = [
      [0n, [0x00]],
      [1n, [0x01]],
      [127n, [0x7f]],
      [128n, [0x80, 0x01]],
      [300n, [0xac, 0x02]],
      [16383n, [0xff, 0x7f]],
      [16384n, [0x80, 0x80, 0x01]],
      [(1n << 32n) - 1n, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      it(`encodes ${value} as ${toHex(Uint8Array.from(bytes))} and decodes it back`, () => {
        expect(encodeLeb128(value)).to.deep.equal(bytes);
        const [ins] = decode(Uint8Array.from([Op.PUSH, ...bytes]));
        expect(ins).to.deep.equal({ offset: 0, op: Op.PUSH, arg: value, size: 1 + bytes.length });
      });
    }

    it("needs 37 bytes for p - 1, the largest PUSH value", () => {
      const bytes = encodeLeb128(P - 1n);
      expect(bytes).to.have.length(37);
      expect(decode(Uint8Array.from([Op.PUSH, ...bytes]))[0]!.arg).to.equal(P - 1n);
    });

    it("refuses to encode a negative value", () => {
      expect(() => encodeLeb128(-1n)).to.throw(RangeError);
    });
  });

  describe("decode", () => {
    it("splits SPEC's seed example into instructions with offsets and sizes", () => {
      expect(decode(hex("01 05 01 03 02 04 00 FF"))).to.deep.equal([
        { offset: 0, op: Op.PUSH, arg: 5n, size: 2 },
        { offset: 2, op: Op.PUSH, arg: 3n, size: 2 },
        { offset: 4, op: Op.ADD, size: 1 },
        { offset: 5, op: Op.STORE, arg: 0n, size: 2 },
        { offset: 7, op: Op.STOP, size: 1 },
      ]);
    });

    it("decodes every opcode of the table", () => {
      const code = hex("01 07 02 03 04 01 05 01 06 00 07 00 08 09 0A FF");
      expect(decode(code).map((i) => Op[i.op])).to.deep.equal([
        "PUSH",
        "ADD",
        "MUL",
        "STORE",
        "LOAD",
        "JUMP",
        "JUMPI",
        "EQ",
        "LT",
        "GT",
        "STOP",
      ]);
    });

    it("decodes the empty program to no instructions", () => {
      expect(decode(new Uint8Array())).to.deep.equal([]);
    });

    it("leaves jump targets to the validator", () => {
      expect(decode(hex("06 7F"))[0]!.arg).to.equal(127n);
    });

    for (const [code, offset] of [
      ["00", 0],
      ["02 0B", 1],
      ["01 05 FE", 2],
      ["01 80 01 0C", 3],
    ] as const) {
      it(`rejects the unknown opcode in ${code} at offset ${offset}`, () => {
        const e = expectError(() => decode(hex(code)), ValidationError, "UNKNOWN_OPCODE");
        expect(e.offset).to.equal(offset);
        expect(e.stage).to.equal("validate");
      });
    }

    for (const [code, offset] of [
      ["01", 0],
      ["02 04", 1],
      ["01 80", 0],
      ["02 05 FF FF", 1],
      ["01 05 06", 2],
    ] as const) {
      it(`rejects the truncated immediate in ${code} at offset ${offset}`, () => {
        const e = expectError(() => decode(hex(code)), ValidationError, "TRUNCATED_IMMEDIATE");
        expect(e.offset).to.equal(offset);
      });
    }

    for (const [code, offset] of [
      ["01 80 00", 0],
      ["02 04 85 00 FF", 1],
      ["01 05 06 FF 80 00", 2],
      ["05 80 80 00", 0],
    ] as const) {
      it(`rejects the non-minimal immediate in ${code} at offset ${offset}`, () => {
        const e = expectError(() => decode(hex(code)), ValidationError, "NON_MINIMAL_IMMEDIATE");
        expect(e.offset).to.equal(offset);
      });
    }

    it("accepts a single zero byte as the minimal encoding of 0", () => {
      expect(decode(hex("01 00"))[0]!.arg).to.equal(0n);
    });

    it("rejects a PUSH of p (VALUE_OUT_OF_FIELD) and accepts p - 1", () => {
      const push = (v: bigint) => Uint8Array.from([Op.ADD, ...encodeInstruction(Op.PUSH, v)]);
      expect(decode(push(P - 1n))[1]!.arg).to.equal(P - 1n);
      for (const v of [P, P + 1n, (1n << 259n) - 1n]) {
        const e = expectError(() => decode(push(v)), ValidationError, "VALUE_OUT_OF_FIELD");
        expect(e.offset).to.equal(1);
      }
    });

    for (const op of [Op.STORE, Op.LOAD]) {
      it(`rejects a ${Op[op]} address of 2^32 (ADDRESS_OUT_OF_RANGE) and accepts 2^32 - 1`, () => {
        const code = (k: bigint) =>
          Uint8Array.from([...encodeInstruction(Op.PUSH, 1n), ...encodeInstruction(op, k)]);
        expect(decode(code((1n << 32n) - 1n))[1]!.arg).to.equal((1n << 32n) - 1n);
        const e = expectError(
          () => decode(code(1n << 32n)),
          ValidationError,
          "ADDRESS_OUT_OF_RANGE",
        );
        expect(e.offset).to.equal(2);
      });
    }

    it("rejects an immediate longer than any legal one with its kind's code", () => {
      const long = [...Array<number>(40).fill(0x80), 0x01];
      const cases: [Op, string][] = [
        [Op.PUSH, "VALUE_OUT_OF_FIELD"],
        [Op.LOAD, "ADDRESS_OUT_OF_RANGE"],
        [Op.JUMP, "BAD_JUMP_TARGET"],
      ];
      for (const [op, code] of cases) {
        const e = expectError(
          () => decode(Uint8Array.from([Op.STOP, op, ...long, Op.STOP])),
          ValidationError,
          code,
        );
        expect(e.offset).to.equal(1);
      }
    });
  });

  describe("encode", () => {
    it("encodes instructions back to the bytes they were decoded from", () => {
      const code = hex("01 AC 02 01 80 01 02 04 FF FF FF FF 0F 06 00 FF");
      expect(encode(decode(code))).to.deep.equal(code);
    });

    it("needs an immediate for PUSH and ignores none for ADD", () => {
      expect(() => encodeInstruction(Op.PUSH)).to.throw(RangeError);
      expect(encodeInstruction(Op.ADD)).to.deep.equal([0x02]);
    });
  });

  describe("hex", () => {
    it("parses hex with spaces, newlines and a 0x prefix", () => {
      expect(parseHex("0x01 05\n01 03 02 04 00 ff\n")).to.deep.equal(
        Uint8Array.from([1, 5, 1, 3, 2, 4, 0, 0xff]),
      );
      expect(parseHex("")).to.deep.equal(new Uint8Array());
    });

    it("rejects an odd number of digits and non-hex characters", () => {
      expect(parseHex("01 0")).to.equal(undefined);
      expect(parseHex("0g")).to.equal(undefined);
    });

    it("prints lower-case hex without separators", () => {
      expect(toHex(hex("01 05 FF"))).to.equal("0105ff");
    });
  });
});
