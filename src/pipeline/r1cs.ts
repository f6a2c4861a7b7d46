/**
 * The header of a circom .r1cs file, read directly (no curve, no worker
 * threads): constraint count and the public/private signal counts.
 */
import { promises as fsp } from "node:fs";
import {
  BinFileFormatError,
  BN128_R,
  leToBigInt,
  readBytes,
  readSectionTable,
  uniqueSection,
} from "./binfile.js";
import { errorMessage, PipelineError } from "./errors.js";
import { isErrnoException } from "./fsutil.js";

export interface R1csInfo {
  /** The field's prime (bn128's r for circom's default). */
  prime: bigint;
  nWires: number;
  /** Public outputs. */
  nOutputs: number;
  nPublicInputs: number;
  nPrivateInputs: number;
  nLabels: number;
  nConstraints: number;
  /** Public signals as Groth16 sees them: outputs + public inputs. */
  nPublic: number;
}

/** Read the header section of an .r1cs file. Throws PipelineError R1CS_INVALID / FILE_NOT_FOUND. */
export async function readR1csInfo(r1csPath: string): Promise<R1csInfo> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(r1csPath, "r");
  } catch (e) {
    if (isErrnoException(e) && e.code === "ENOENT") {
      throw new PipelineError("FILE_NOT_FOUND", `r1cs file not found: ${r1csPath}`, {
        cause: e,
        path: r1csPath,
      });
    }
    throw new PipelineError("R1CS_INVALID", `cannot read ${r1csPath}: ${errorMessage(e)}`, {
      cause: e,
      path: r1csPath,
    });
  }
  try {
    const table = await readSectionTable(fh, "r1cs");
    const hdr = uniqueSection(table, 1);
    const n8Buf = await readBytes(fh, hdr.pos, 4);
    const n8 = n8Buf.readUInt32LE(0);
    if (n8 === 0 || n8 > 64 || hdr.size !== 4 + n8 + 4 * 4 + 8 + 4) {
      throw new BinFileFormatError("bad header section size");
    }
    const body = await readBytes(fh, hdr.pos + 4, hdr.size - 4);
    const prime = leToBigInt(body.subarray(0, n8));
    let o = n8;
    const nWires = body.readUInt32LE(o);
    const nOutputs = body.readUInt32LE(o + 4);
    const nPublicInputs = body.readUInt32LE(o + 8);
    const nPrivateInputs = body.readUInt32LE(o + 12);
    const nLabels = Number(body.readBigUInt64LE(o + 16));
    o += 24;
    const nConstraints = body.readUInt32LE(o);
    if (prime !== BN128_R) {
      throw new BinFileFormatError("the circuit's prime is not bn128's scalar field");
    }
    return {
      prime,
      nWires,
      nOutputs,
      nPublicInputs,
      nPrivateInputs,
      nLabels,
      nConstraints,
      nPublic: nOutputs + nPublicInputs,
    };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("R1CS_INVALID", `${r1csPath}: ${errorMessage(e)}`, {
      cause: e,
      path: r1csPath,
    });
  } finally {
    await fh.close();
  }
}

/**
 * The label of each wire, from an .r1cs file's wire → label map (section 3),
 * reading only that section.
 */
export async function readR1csWireLabels(r1csPath: string): Promise<Int32Array> {
  const fh = await fsp.open(r1csPath, "r");
  try {
    const table = await readSectionTable(fh, "r1cs");
    const map = uniqueSection(table, 3);
    const bytes = await readBytes(fh, map.pos, map.size);
    const labels = new Int32Array(map.size / 8);
    for (let w = 0; w < labels.length; w++) labels[w] = Number(bytes.readBigUInt64LE(8 * w));
    return labels;
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("R1CS_INVALID", `${r1csPath}: ${errorMessage(e)}`, {
      cause: e,
      path: r1csPath,
    });
  } finally {
    await fh.close();
  }
}
