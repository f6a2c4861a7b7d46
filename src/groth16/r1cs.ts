/**
 * Reads a circom .r1cs file from bytes: the header and the constraint
 * section, checked once here so the setup can then walk the constraints
 * without bounds checks. Layout (iden3 binary container): magic "r1cs",
 * u32 version, u32 section count, then (u32 type, u64 size, data) sections;
 * section 1 is the header, section 2 the constraints, each constraint three
 * linear combinations A, B, C of (u32 wire, 32-byte little-endian coefficient).
 */
import { PipelineError } from "../pipeline/errors.js";
import { R, readLE } from "./field.js";

export interface R1csView {
  nWires: number;
  /** Public signals as Groth16 sees them: outputs + public inputs. */
  nPublic: number;
  nConstraints: number;
  /** The constraint section's bytes (a view into the input). */
  constraints: Uint8Array;
  /** Terms in all A rows plus all B rows: entries of the zkey's coefficient section, public rows excluded. */
  nAbTerms: number;
}

const FR_BYTES = 32;

function bad(message: string): PipelineError {
  return new PipelineError("R1CS_INVALID", `not a usable .r1cs: ${message}`);
}

export function readR1cs(bytes: Uint8Array): R1csView {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12) throw bad("truncated header");
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== "r1cs") throw bad("bad magic");
  const nSections = dv.getUint32(8, true);
  const sections = new Map<number, { pos: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < nSections; i++) {
    if (pos + 12 > bytes.byteLength) throw bad(`section ${i + 1} of ${nSections} is missing`);
    const type = dv.getUint32(pos, true);
    const size = Number(dv.getBigUint64(pos + 4, true));
    pos += 12;
    if (!Number.isSafeInteger(size) || pos + size > bytes.byteLength) {
      throw bad(`section ${type} is truncated`);
    }
    if (sections.has(type)) throw bad(`section ${type} appears twice`);
    sections.set(type, { pos, size });
    pos += size;
  }
  const header = sections.get(1);
  const body = sections.get(2);
  if (header === undefined) throw bad("no header section");
  if (body === undefined) throw bad("no constraint section");
  if (header.size !== 4 + FR_BYTES + 4 * 4 + 8 + 4 || dv.getUint32(header.pos, true) !== FR_BYTES) {
    throw bad("the field is not 32 bytes wide");
  }
  if (readLE(bytes, header.pos + 4) !== R) throw bad("the circuit's prime is not bn128's");
  const h = header.pos + 4 + FR_BYTES;
  const nWires = dv.getUint32(h, true);
  const nOutputs = dv.getUint32(h + 4, true);
  const nPublicInputs = dv.getUint32(h + 8, true);
  const nConstraints = dv.getUint32(h + 24, true);
  const nPublic = nOutputs + nPublicInputs;
  if (nWires < nPublic + 1) throw bad("fewer wires than public signals");

  let p = body.pos;
  const end = body.pos + body.size;
  let nAbTerms = 0;
  for (let c = 0; c < nConstraints; c++) {
    for (let m = 0; m < 3; m++) {
      if (p + 4 > end) throw bad(`constraint ${c} is truncated`);
      const nTerms = dv.getUint32(p, true);
      p += 4;
      if (p + nTerms * (4 + FR_BYTES) > end) throw bad(`constraint ${c} is truncated`);
      for (let t = 0; t < nTerms; t++) {
        if (dv.getUint32(p, true) >= nWires) throw bad(`constraint ${c} names a wire out of range`);
        if (readLE(bytes, p + 4) >= R)
          throw bad(`constraint ${c} has a coefficient out of the field`);
        p += 4 + FR_BYTES;
      }
      if (m < 2) nAbTerms += nTerms;
    }
  }
  if (p !== end) throw bad("bytes after the last constraint");
  return {
    nWires,
    nPublic,
    nConstraints,
    constraints: bytes.subarray(body.pos, end),
    nAbTerms,
  };
}
