/** Small helpers shared by the machine-layer tests. */
import { expect } from "chai";
import { parseHex } from "../../src/bytecode.js";
import { ZkvmError } from "../../src/errors.js";
import type { Program } from "../../src/program.js";

/** Bytes from spaced hex, as SPEC writes code: `hex("01 05 01 03 02 04 00 FF")`. */
export function hex(text: string): Uint8Array {
  const bytes = parseHex(text);
  if (bytes === undefined) throw new Error(`not hex: ${text}`);
  return bytes;
}

/** A raw-bytecode Program with no I/O, for the validator. */
export function rawProgram(code: Uint8Array | number[]): Program {
  return { code: Uint8Array.from(code), io: { inputs: [], outputs: [] } };
}

/**
 * Runs `f`, expects it to throw a ZkvmError of `type` with `code`, and returns
 * the error so that the test can check its location.
 */
export function expectError<E extends ZkvmError>(
  f: () => unknown,
  type: abstract new (...args: never[]) => E,
  code: string,
): E {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(type);
    expect((e as E).code, (e as Error).message).to.equal(code);
    return e as E;
  }
  expect.fail(`expected ${type.name} ${code}, but nothing was thrown`);
}
