/**
 * The header of a snarkjs .zkey (read directly, no curve): protocol and the
 * Groth16 sizes, so the pipeline can reject a zkey/witness mismatch before
 * snarkjs does (snarkjs's groth16.prove throws on it without closing the zkey
 * file descriptor).
 */
import { promises as fsp } from "node:fs";
import {
  BinFileFormatError,
  BN128_Q,
  BN128_R,
  leToBigInt,
  readBytes,
  readSectionTable,
  uniqueSection,
} from "./binfile.js";
import { errorMessage, PipelineError } from "./errors.js";
import { isErrnoException } from "./fsutil.js";

export interface ZkeyInfo {
  protocol: "groth16";
  /** Number of witness values (wires) the circuit has, including the constant 1. */
  nVars: number;
  nPublic: number;
  domainSize: number;
}

/** Read a Groth16 zkey's header. Throws PipelineError FILE_NOT_FOUND or PROVE_FAILED (not a bn128 Groth16 zkey). */
export async function readZkeyInfo(zkeyPath: string): Promise<ZkeyInfo> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(zkeyPath, "r");
  } catch (e) {
    const code = isErrnoException(e) && e.code === "ENOENT" ? "FILE_NOT_FOUND" : "PROVE_FAILED";
    throw new PipelineError(code, `cannot open the proving key ${zkeyPath}: ${errorMessage(e)}`, {
      cause: e,
      path: zkeyPath,
    });
  }
  try {
    const table = await readSectionTable(fh, "zkey");
    const s1 = uniqueSection(table, 1);
    if (s1.size !== 4 || (await readBytes(fh, s1.pos, 4)).readUInt32LE(0) !== 1) {
      throw new BinFileFormatError("not a Groth16 zkey");
    }
    const s2 = uniqueSection(table, 2);
    const n8q = (await readBytes(fh, s2.pos, 4)).readUInt32LE(0);
    if (n8q !== 32) throw new BinFileFormatError("unsupported curve (only bn128)");
    const b = await readBytes(fh, s2.pos + 4, 32 + 4 + 32 + 12);
    const n8r = b.readUInt32LE(32);
    if (
      n8r !== 32 ||
      leToBigInt(b.subarray(0, 32)) !== BN128_Q ||
      leToBigInt(b.subarray(36, 68)) !== BN128_R
    ) {
      throw new BinFileFormatError("unsupported curve (only bn128)");
    }
    return {
      protocol: "groth16",
      nVars: b.readUInt32LE(68),
      nPublic: b.readUInt32LE(72),
      domainSize: b.readUInt32LE(76),
    };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError(
      "PROVE_FAILED",
      `${zkeyPath} is not a usable proving key: ${errorMessage(e)}`,
      {
        cause: e,
        path: zkeyPath,
      },
    );
  } finally {
    await fh.close();
  }
}
