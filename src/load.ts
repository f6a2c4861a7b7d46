/** Turns what a user hands over (bytes, hex text or assembly text) into a Program. */
import { assemble } from "./assembler.js";
import { parseHex } from "./bytecode.js";
import { ZkvmError } from "./errors.js";
import { rawIoLayout, type Program, type RawIoOptions } from "./program.js";

export type ProgramSource = Uint8Array | string;

/**
 * Bytes are bytecode. A string is hex when it is nothing but hex digits
 * (whitespace and a 0x prefix aside), otherwise assembly: every valid assembly
 * program ends in STOP or JUMP, whose letters are not hex digits.
 */
export function loadProgram(source: ProgramSource, io: RawIoOptions = {}): Program {
  checkRawIo(io);
  if (typeof source === "string") {
    const bytes = /[0-9a-fA-F]/.test(source) ? parseHex(source) : undefined;
    if (bytes === undefined) return assemble(source);
    return { code: bytes, io: rawIoLayout(bytes, io) };
  }
  // Callers from JavaScript can pass anything: a typed error, not a TypeError from decoding.
  if (!(source instanceof Uint8Array)) {
    throw new ZkvmError(
      "decode",
      "BAD_PROGRAM",
      `a program is bytecode (a Uint8Array) or text (hex or assembly), not ${describe(source)}`,
    );
  }
  return { code: source, io: rawIoLayout(source, io) };
}

/** The cell lists must be arrays of numbers (validation then checks each is an address). */
function checkRawIo(io: unknown): void {
  const bad = (why: string) => new ZkvmError("usage", "BAD_OPTION", `io: ${why}`);
  if (typeof io !== "object" || io === null) throw bad(`expected an object, got ${describe(io)}`);
  for (const key of ["private", "public", "outputs"] as const) {
    const cells: unknown = (io as Record<string, unknown>)[key];
    if (cells === undefined) continue;
    if (!Array.isArray(cells) || !cells.every((c) => typeof c === "number")) {
      throw bad(`${key} must be an array of cell addresses (numbers)`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
