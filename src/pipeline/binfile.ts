/**
 * Minimal reader for the iden3 binary container used by .r1cs, .ptau, .zkey
 * and .wtns files: 4-byte magic, u32 version, u32 section count, then
 * sections of (u32 type, u64 size, data), all little-endian. Only the section
 * table and small headers are read, never whole sections, so it is cheap on
 * multi-gigabyte files.
 */
import { promises as fsp } from "node:fs";

export interface Section {
  /** Offset of the section's data in the file. */
  pos: number;
  size: number;
}

export interface SectionTable {
  magic: string;
  version: number;
  fileSize: number;
  sections: Map<number, Section[]>;
}

/** Why a file is not a well-formed container (for the caller to wrap in a typed error). */
export class BinFileFormatError extends Error {}

export async function readSectionTable(
  fh: fsp.FileHandle,
  expectedMagic: string,
): Promise<SectionTable> {
  const { size: fileSize } = await fh.stat();
  const head = Buffer.alloc(12);
  const { bytesRead } = await fh.read(head, 0, 12, 0);
  const magic = head.toString("latin1", 0, Math.min(4, bytesRead));
  if (bytesRead < 4 || magic !== expectedMagic) {
    throw new BinFileFormatError(`not a ${expectedMagic} file (bad magic)`);
  }
  if (bytesRead < 12) throw new BinFileFormatError("truncated file header");
  const version = head.readUInt32LE(4);
  const nSections = head.readUInt32LE(8);
  const sections = new Map<number, Section[]>();
  const sh = Buffer.alloc(12);
  let pos = 12;
  for (let i = 0; i < nSections; i++) {
    if (pos + 12 > fileSize) {
      throw new BinFileFormatError(`truncated: section ${i + 1} of ${nSections} is missing`);
    }
    await fh.read(sh, 0, 12, pos);
    const type = sh.readUInt32LE(0);
    const size64 = sh.readBigUInt64LE(4);
    if (size64 > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new BinFileFormatError(`section ${type} has an impossible size`);
    }
    const size = Number(size64);
    pos += 12;
    if (pos + size > fileSize) {
      throw new BinFileFormatError(
        `truncated: section ${type} needs ${size} bytes, only ${fileSize - pos} left`,
      );
    }
    const list = sections.get(type) ?? [];
    list.push({ pos, size });
    sections.set(type, list);
    pos += size;
  }
  if (pos !== fileSize) {
    throw new BinFileFormatError(`${fileSize - pos} unexpected bytes after the last section`);
  }
  return { magic, version, fileSize, sections };
}

/** The only section of this type, or an error. */
export function uniqueSection(table: SectionTable, type: number): Section {
  const list = table.sections.get(type);
  if (list === undefined || list.length === 0) {
    throw new BinFileFormatError(`section ${type} is missing`);
  }
  if (list.length > 1) throw new BinFileFormatError(`section ${type} appears ${list.length} times`);
  return list[0] as Section;
}

export async function readBytes(fh: fsp.FileHandle, pos: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, pos);
  if (bytesRead !== length) throw new BinFileFormatError("truncated file");
  return buf;
}

/** Little-endian unsigned integer of `buf` (a field element as stored in these files). */
export function leToBigInt(buf: Uint8Array): bigint {
  if (buf.length === 32) {
    // A field element: four 64-bit words rather than 32 byte shifts (a large .r1cs has millions).
    const view = new DataView(buf.buffer, buf.byteOffset, 32);
    const w0 = view.getBigUint64(0, true);
    const w1 = view.getBigUint64(8, true);
    const w2 = view.getBigUint64(16, true);
    const w3 = view.getBigUint64(24, true);
    if (w1 === 0n && w2 === 0n && w3 === 0n) return w0;
    return w0 | (w1 << 64n) | (w2 << 128n) | (w3 << 192n);
  }
  let v = 0n;
  for (let i = buf.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[i] ?? 0);
  return v;
}

export { BN128_Q, BN128_R } from "../proofshape.js";
