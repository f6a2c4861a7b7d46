/**
 * Bytecode codec (SPEC "Encoding"): one opcode byte, then an unsigned LEB128
 * immediate for PUSH, STORE, LOAD, JUMP and JUMPI. Non-minimal encodings are
 * rejected, and so are values the immediate's kind does not allow.
 */
import { ValidationError } from "./errors.js";
import { P } from "./field.js";
import { ADDRESS_LIMIT, Op, OPCODES, opcodeInfo, type OpcodeInfo } from "./opcodes.js";

export interface Instruction {
  /** Byte offset of the opcode. */
  readonly offset: number;
  readonly op: Op;
  /** The immediate, for opcodes that take one. */
  readonly arg?: bigint;
  /** Encoded size in bytes (opcode + immediate). */
  readonly size: number;
}

/** Largest LEB128 length any legal immediate needs: ceil(254 / 7) = 37 bytes. */
const MAX_LEB_BYTES = 37;

/** Encodes a non-negative integer as minimal unsigned LEB128. */
export function encodeLeb128(value: bigint): number[] {
  if (value < 0n) throw new RangeError("LEB128 value must be non-negative");
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

/** The error for an immediate too long to be legal, in the terms of its kind. */
function tooLong(info: OpcodeInfo, offset: number): ValidationError {
  const what = `${info.mnemonic} immediate at offset ${offset} is longer than ${MAX_LEB_BYTES} bytes`;
  switch (info.immediate) {
    case "value":
      return new ValidationError("VALUE_OUT_OF_FIELD", `${what}, so it is not below p`, { offset });
    case "address":
      return new ValidationError("ADDRESS_OUT_OF_RANGE", `${what}, so it is not below 2^32`, {
        offset,
      });
    case "target":
    case "none":
      return new ValidationError(
        "BAD_JUMP_TARGET",
        `${what}, so it is not the start of an instruction`,
        { offset },
      );
    default:
      return info.immediate satisfies never;
  }
}

/** Decodes an unsigned LEB128 immediate at `at`, for the instruction at `offset`. */
function decodeLeb128(
  code: Uint8Array,
  at: number,
  offset: number,
  info: OpcodeInfo,
): { value: bigint; size: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; ; i++) {
    const byte = code[at + i];
    if (byte === undefined) {
      throw new ValidationError(
        "TRUNCATED_IMMEDIATE",
        `immediate of the instruction at offset ${offset} runs past the end of the code`,
        { offset },
      );
    }
    if (i >= MAX_LEB_BYTES) throw tooLong(info, offset);
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) {
        throw new ValidationError(
          "NON_MINIMAL_IMMEDIATE",
          `immediate at offset ${offset} has a non-minimal LEB128 encoding`,
          { offset },
        );
      }
      return { value, size: i + 1 };
    }
  }
}

/**
 * Splits bytecode into instructions by a linear sweep from offset 0. Rejects
 * unknown opcodes, truncated or non-minimal immediates, PUSH values >= p and
 * addresses >= 2^32. Jump targets are checked by the validator.
 */
export function decode(code: Uint8Array): Instruction[] {
  const instructions: Instruction[] = [];
  let offset = 0;
  while (offset < code.length) {
    const byte = code[offset]!;
    const info = OPCODES.get(byte as Op);
    if (info === undefined) {
      throw new ValidationError(
        "UNKNOWN_OPCODE",
        `unknown opcode 0x${byte.toString(16).padStart(2, "0")} at offset ${offset}`,
        { offset },
      );
    }
    if (info.immediate === "none") {
      instructions.push({ offset, op: info.op, size: 1 });
      offset += 1;
      continue;
    }
    const { value, size } = decodeLeb128(code, offset + 1, offset, info);
    if (info.immediate === "value" && value >= P) {
      throw new ValidationError(
        "VALUE_OUT_OF_FIELD",
        `PUSH value at offset ${offset} is not below the field modulus p`,
        { offset },
      );
    }
    if (info.immediate === "address" && value >= ADDRESS_LIMIT) {
      throw new ValidationError(
        "ADDRESS_OUT_OF_RANGE",
        `${info.mnemonic} address ${value} at offset ${offset} is not below 2^32`,
        { offset },
      );
    }
    instructions.push({ offset, op: info.op, arg: value, size: 1 + size });
    offset += 1 + size;
  }
  return instructions;
}

/** Encodes one instruction. */
export function encodeInstruction(op: Op, arg?: bigint): number[] {
  const info = opcodeInfo(op);
  if (info.immediate === "none") return [op];
  if (arg === undefined) throw new RangeError(`${info.mnemonic} needs an immediate`);
  return [op, ...encodeLeb128(arg)];
}

export function encode(instructions: ReadonlyArray<{ op: Op; arg?: bigint }>): Uint8Array {
  return Uint8Array.from(instructions.flatMap((i) => encodeInstruction(i.op, i.arg)));
}

/** Parses hex text (whitespace and an optional 0x prefix ignored) into bytes. */
export function parseHex(text: string): Uint8Array | undefined {
  let t = text.replace(/\s+/g, "");
  if (t.startsWith("0x") || t.startsWith("0X")) t = t.slice(2);
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return undefined;
  const bytes = new Uint8Array(t.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Lower-case hex of the bytes; plain code rather than Node's Buffer so it runs in a browser. */
export function toHex(code: Uint8Array): string {
  let hex = "";
  for (const byte of code) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
