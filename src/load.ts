/** Turns what a user hands over (bytes, hex text or assembly text) into a Program. */
import { assemble } from "./assembler.js";
import { parseHex } from "./bytecode.js";
import { rawIoLayout, type Program, type RawIoOptions } from "./program.js";

export type ProgramSource = Uint8Array | string;

/**
 * Bytes are bytecode. A string is hex when it is nothing but hex digits
 * (whitespace and a 0x prefix aside), otherwise assembly: every valid assembly
 * program ends in STOP or JUMP, whose letters are not hex digits.
 */
export function loadProgram(source: ProgramSource, io: RawIoOptions = {}): Program {
  if (typeof source === "string") {
    const bytes = /[0-9a-fA-F]/.test(source) ? parseHex(source) : undefined;
    if (bytes === undefined) return assemble(source);
    return { code: bytes, io: rawIoLayout(bytes, io) };
  }
  return { code: source, io: rawIoLayout(source, io) };
}
