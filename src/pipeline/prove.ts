/**
 * Witness computation, Groth16 proving and verification with snarkjs, plus a
 * JSON file reader with typed errors.
 */
import { promises as fsp } from "node:fs";
import { groth16Prove, type ProverChoice } from "../groth16/prover.js";
import { verifyChecked, type VerifyResult } from "../proofshape.js";
import { errorMessage, PipelineError } from "./errors.js";
import { isErrnoException, pathExists } from "./fsutil.js";
import { type Progress, report, timed } from "./progress.js";
import { type Groth16Proof, loadSnarkjs, sharedCurve } from "./snarkjs.js";
import { calculateWitness } from "./witness.js";
import { readZkeyInfo } from "./zkey.js";

export { proofProblem, publicSignalsProblem, type VerifyResult } from "../proofshape.js";

/** A circuit input value: decimal string, number, bigint, or (nested) arrays of them. */
export type CircuitInputValue = string | number | bigint | CircuitInputValue[];
export type CircuitInput = Record<string, CircuitInputValue>;

export interface Witness {
  /** All witness values (index 0 is the constant 1, then outputs, public inputs, ...). */
  values: bigint[];
  /** The witness in snarkjs's binary .wtns format. */
  wtns: Uint8Array;
}

export interface WitnessOptions {
  /** Receives the circuit's `log()` output and circom_runtime's messages as stage "witness". */
  onProgress?: Progress;
}

async function requireFile(p: string, what: string): Promise<void> {
  if (!(await pathExists(p))) {
    throw new PipelineError("FILE_NOT_FOUND", `${what} not found: ${p}`, { path: p });
  }
}

/** Clean up circom_runtime's error text: "Error: Assert Failed.\nError in template T_0 line: 5\n". */
function witnessMessage(e: unknown): string {
  return errorMessage(e)
    .replace(/^(Error: )+/, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("; ");
}

/**
 * Run the circuit's witness generator (`<name>_js/<name>.wasm`) on `input`, in
 * memory. A failed `assert`/constraint, a missing or extra input signal, or a
 * wrong array size throws PipelineError WITNESS_FAILED with circom's message.
 */
export async function computeWitness(
  wasmPath: string,
  input: CircuitInput,
  opts: WitnessOptions = {},
): Promise<Witness> {
  await requireFile(wasmPath, "witness generator (.wasm)");
  const wasm = await fsp.readFile(wasmPath);
  const { result } = await timed(opts.onProgress, "witness", "witness", async () => {
    try {
      return await calculateWitness(wasm, input, (line) =>
        report(opts.onProgress, { stage: "witness", message: line }),
      );
    } catch (e) {
      throw new PipelineError(
        "WITNESS_FAILED",
        `witness computation failed: ${witnessMessage(e)}`,
        {
          cause: e,
          path: wasmPath,
        },
      );
    }
  });
  return result;
}

export interface ProveOptions {
  onProgress?: Progress;
  /** zkvm's own prover (default) or snarkjs's (the reference); both make snarkjs-format proofs. */
  prover?: ProverChoice;
  /**
   * zkvm's prover only: on this thread alone (`false`), or with a worker per
   * core; default: workers from a size up (src/groth16/prover.ts). A pool
   * with a prover process per core proves on one thread in each.
   */
  workers?: boolean;
}

export interface ProveResult {
  proof: Groth16Proof;
  /** Public signals (outputs first, then public inputs), decimal strings. */
  publicSignals: string[];
  timings: { witnessMs: number; proveMs: number };
}

/**
 * Compute the witness for `input` and a Groth16 proof with `zkeyPath`.
 * Throws WITNESS_FAILED (circuit rejects the input) or PROVE_FAILED (e.g.
 * zkey and wasm from different circuits).
 */
export async function prove(
  zkeyPath: string,
  wasmPath: string,
  input: CircuitInput,
  opts: ProveOptions = {},
): Promise<ProveResult> {
  const w0 = performance.now();
  const witness = await computeWitness(wasmPath, input, opts);
  return proveWitness(zkeyPath, witness, Math.round(performance.now() - w0), opts);
}

/**
 * A Groth16 proof with `zkeyPath` of a witness computed already (by the
 * direct backend, or by `computeWitness`); `witnessMs` is reported back.
 */
export async function proveWitness(
  zkeyPath: string,
  witness: Witness,
  witnessMs: number,
  opts: ProveOptions = {},
): Promise<ProveResult> {
  const zkey = await readZkeyInfo(zkeyPath);
  if (witness.values.length !== zkey.nVars) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proving key and the witness generator are for different circuits (zkey has ${zkey.nVars} wires, witness ${witness.values.length})`,
      { path: zkeyPath },
    );
  }
  const useSnarkjs = opts.prover === "snarkjs";
  const snarkjs = useSnarkjs ? await loadSnarkjs() : undefined;
  if (useSnarkjs) await sharedCurve();
  const label = useSnarkjs ? "groth16 prove (snarkjs)" : "groth16 prove";
  const { result, elapsedMs } = await timed(opts.onProgress, "prove", label, async () => {
    try {
      if (snarkjs !== undefined) {
        return await snarkjs.groth16.prove(zkeyPath, { type: "mem", data: witness.wtns });
      }
      const { proof, publicSignals } = await groth16Prove(
        await fsp.readFile(zkeyPath),
        witness.wtns,
        opts.workers !== undefined ? { workers: opts.workers } : {},
      );
      return { proof, publicSignals };
    } catch (e) {
      throw new PipelineError("PROVE_FAILED", `groth16 prove failed: ${errorMessage(e)}`, {
        cause: e,
        path: zkeyPath,
      });
    }
  });
  return { ...result, timings: { witnessMs, proveMs: elapsedMs } };
}

/**
 * Verify a Groth16 proof. Never throws: malformed keys, proofs or public
 * signals (wrong shape, non-decimal, out of field, wrong count) and snarkjs
 * exceptions all give `{ valid: false, reason }`.
 */
export async function verify(
  vkey: unknown,
  publicSignals: unknown,
  proof: unknown,
): Promise<VerifyResult> {
  return verifyChecked(
    async () => {
      const snarkjs = await loadSnarkjs();
      await sharedCurve();
      return (v, signals, p, logger) => snarkjs.groth16.verify(v, signals, p, logger);
    },
    vkey,
    publicSignals,
    proof,
  );
}

/** Far above any key, proof or manifest; keeps `/dev/zero` or a wrong path from filling memory. */
const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

/** Reads at most `limit` bytes as UTF-8 (a device or pipe has no size to check first). */
async function readBoundedText(file: string, limit: number): Promise<string> {
  const fh = await fsp.open(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 << 20, limit + 1 - total));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return Buffer.concat(chunks, total).toString("utf8");
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) {
        throw new PipelineError(
          "BAD_JSON_FILE",
          `${file} is larger than ${limit / (1024 * 1024)} MiB: not a zkvm JSON file`,
          { path: file },
        );
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * Read and parse a JSON file. Throws PipelineError FILE_NOT_FOUND, or
 * BAD_JSON_FILE for an empty, truncated or otherwise malformed file.
 */
export async function readJsonFile<T = unknown>(file: string): Promise<T> {
  let text: string;
  try {
    text = await readBoundedText(file, MAX_JSON_FILE_BYTES);
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    if (isErrnoException(e) && e.code === "ENOENT") {
      throw new PipelineError("FILE_NOT_FOUND", `file not found: ${file}`, {
        cause: e,
        path: file,
      });
    }
    throw new PipelineError("BAD_JSON_FILE", `cannot read ${file}: ${errorMessage(e)}`, {
      cause: e,
      path: file,
    });
  }
  if (text.trim() === "") {
    throw new PipelineError("BAD_JSON_FILE", `${file} is empty`, { path: file });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new PipelineError("BAD_JSON_FILE", `${file} is not valid JSON: ${errorMessage(e)}`, {
      cause: e,
      path: file,
    });
  }
}
