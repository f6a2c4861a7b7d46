/**
 * The direct backend's files, in the formats circom and snarkjs use: the
 * .r1cs (iden3 container: header, constraints, wire → label map), the .sym
 * (`label,wire,template,name` per signal) and snarkjs's .wtns (version 2:
 * header with the field, then the values in wire order). No Node APIs.
 */
import { P } from "../field.js";
import type { Layout } from "./circuit.js";
import type { SimplifiedR1cs } from "./simplify.js";

function primeBytes(): Uint8Array {
  const out = new Uint8Array(32);
  let x = P;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** The .r1cs file as its parts (header and sections; the constraint section is shared, not copied). */
export function r1csParts(layout: Layout, r1cs: SimplifiedR1cs): Uint8Array[] {
  const header = new Uint8Array(12 + 12 + 64 + 12);
  const hv = new DataView(header.buffer);
  header.set([0x72, 0x31, 0x63, 0x73]); // "r1cs"
  hv.setUint32(4, 1, true);
  hv.setUint32(8, 3, true);
  // Section 1: header.
  hv.setUint32(12, 1, true);
  hv.setBigUint64(16, 64n, true);
  let o = 24;
  hv.setUint32(o, 32, true);
  header.set(primeBytes(), o + 4);
  o += 36;
  hv.setUint32(o, r1cs.nWires, true);
  hv.setUint32(o + 4, layout.nOutputs, true);
  hv.setUint32(o + 8, layout.nPublicInputs, true);
  hv.setUint32(o + 12, layout.nPrivateInputs, true);
  hv.setBigUint64(o + 16, BigInt(layout.size), true);
  hv.setUint32(o + 24, r1cs.nConstraints, true);
  o += 28;
  // Section 2: constraints.
  hv.setUint32(o, 2, true);
  hv.setBigUint64(o + 4, BigInt(r1cs.constraints.byteLength), true);
  // Section 3: wire → label map.
  const map = new Uint8Array(12 + 8 * r1cs.nWires);
  const mv = new DataView(map.buffer);
  mv.setUint32(0, 3, true);
  mv.setBigUint64(4, BigInt(8 * r1cs.nWires), true);
  for (let w = 0; w < r1cs.nWires; w++)
    mv.setBigUint64(12 + 8 * w, BigInt(r1cs.labelOfWire[w]!), true);
  return [header, r1cs.constraints, map];
}

/** The .sym file's text, in chunks of lines. */
export function symChunks(layout: Layout, r1cs: SimplifiedR1cs): string[] {
  const chunks: string[] = [];
  let lines: string[] = [];
  for (let l = 1; l < layout.size; l++) {
    lines.push(`${l},${r1cs.wireOfLabel[l]},${layout.templates[l]},${layout.names[l]}\n`);
    if (lines.length === 8192) {
      chunks.push(lines.join(""));
      lines = [];
    }
  }
  if (lines.length > 0) chunks.push(lines.join(""));
  return chunks;
}

/** The wires' labels, read back from an .r1cs file's map section (section 3). */
export function readWireLabels(bytes: Uint8Array): Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nSections = dv.getUint32(8, true);
  let pos = 12;
  for (let i = 0; i < nSections; i++) {
    const type = dv.getUint32(pos, true);
    const size = Number(dv.getBigUint64(pos + 4, true));
    pos += 12;
    if (type === 3) {
      const out = new Int32Array(size / 8);
      for (let w = 0; w < out.length; w++) out[w] = Number(dv.getBigUint64(pos + 8 * w, true));
      return out;
    }
    pos += size;
  }
  throw new Error("the .r1cs has no wire map (section 3)");
}

/** snarkjs's .wtns of the wires' values (`values` by label, `labelOfWire` from the .r1cs). */
export function wtnsBytes(values: readonly bigint[], labelOfWire: Int32Array): Uint8Array {
  const n = labelOfWire.length;
  const bytes = new Uint8Array(12 + 12 + 4 + 32 + 4 + 12 + 32 * n);
  const dv = new DataView(bytes.buffer);
  bytes.set([0x77, 0x74, 0x6e, 0x73]); // "wtns"
  dv.setUint32(4, 2, true);
  dv.setUint32(8, 2, true);
  dv.setUint32(12, 1, true);
  dv.setBigUint64(16, 40n, true);
  dv.setUint32(24, 32, true);
  bytes.set(primeBytes(), 28);
  dv.setUint32(60, n, true);
  dv.setUint32(64, 2, true);
  dv.setBigUint64(68, BigInt(32 * n), true);
  let o = 76;
  for (let w = 0; w < n; w++) {
    let x = values[labelOfWire[w]!]!;
    for (let i = 0; i < 4; i++) {
      dv.setBigUint64(o + 8 * i, BigInt.asUintN(64, x), true);
      x >>= 64n;
    }
    o += 32;
  }
  return bytes;
}
