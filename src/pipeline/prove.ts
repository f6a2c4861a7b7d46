/**
 * Witness computation, Groth16 proving and verification with snarkjs, plus a
 * JSON file reader with typed errors.
 */
import { promises as fsp } from "node:fs";
import { BN128_Q, BN128_R } from "./binfile.js";
import { errorMessage, PipelineError } from "./errors.js";
import { isErrnoException, pathExists } from "./fsutil.js";
import { type Progress, report, timed } from "./progress.js";
import {
  collectingLogger,
  type Groth16Proof,
  type Groth16VerificationKey,
  loadSnarkjs,
  sharedCurve,
} from "./snarkjs.js";
import { calculateWitness } from "./witness.js";
import { readZkeyInfo } from "./zkey.js";

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
  const zkey = await readZkeyInfo(zkeyPath);
  const w0 = performance.now();
  const witness = await computeWitness(wasmPath, input, opts);
  const witnessMs = Math.round(performance.now() - w0);
  if (witness.values.length !== zkey.nVars) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proving key and the witness generator are for different circuits (zkey has ${zkey.nVars} wires, witness ${witness.values.length})`,
      { path: zkeyPath },
    );
  }
  const snarkjs = await loadSnarkjs();
  await sharedCurve();
  const { result, elapsedMs } = await timed(opts.onProgress, "prove", "groth16 prove", async () => {
    try {
      return await snarkjs.groth16.prove(zkeyPath, { type: "mem", data: witness.wtns });
    } catch (e) {
      throw new PipelineError("PROVE_FAILED", `groth16 prove failed: ${errorMessage(e)}`, {
        cause: e,
        path: zkeyPath,
      });
    }
  });
  return { ...result, timings: { witnessMs, proveMs: elapsedMs } };
}

export interface VerifyResult {
  valid: boolean;
  /** Why the proof was rejected (absent when valid). */
  reason?: string;
}

const DECIMAL_RE = /^(0|[1-9][0-9]{0,77})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `undefined` if `v` is a decimal string < modulus, else what is wrong. */
function checkElement(v: unknown, modulus: bigint, what: string): string | undefined {
  if (typeof v !== "string") return `${what} is not a decimal string`;
  if (!DECIMAL_RE.test(v))
    return `${what} is not a decimal string: ${JSON.stringify(v).slice(0, 40)}`;
  if (BigInt(v) >= modulus) return `${what} is not below the field modulus`;
  return undefined;
}

function checkG1(v: unknown, what: string): string | undefined {
  if (!Array.isArray(v) || v.length !== 3) return `${what} must be an array of 3 decimal strings`;
  for (let i = 0; i < 3; i++) {
    const r = checkElement(v[i], BN128_Q, `${what}[${i}]`);
    if (r !== undefined) return r;
  }
  return undefined;
}

function checkG2(v: unknown, what: string): string | undefined {
  if (!Array.isArray(v) || v.length !== 3) {
    return `${what} must be an array of 3 pairs of decimal strings`;
  }
  for (let i = 0; i < 3; i++) {
    const pair: unknown = v[i];
    if (!Array.isArray(pair) || pair.length !== 2) return `${what}[${i}] must be a pair`;
    for (let j = 0; j < 2; j++) {
      const r = checkElement(pair[j], BN128_Q, `${what}[${i}][${j}]`);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

function checkVkey(vkey: unknown): string | undefined {
  if (!isRecord(vkey)) return "verification key is not an object";
  if (vkey.protocol !== "groth16") return "verification key: protocol is not groth16";
  if (vkey.curve !== "bn128") return "verification key: curve is not bn128";
  const n = vkey.nPublic;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    return "verification key: nPublic is not a non-negative integer";
  }
  const ic = vkey.IC;
  if (!Array.isArray(ic) || ic.length !== n + 1) {
    return `verification key: IC must have nPublic + 1 = ${n + 1} points`;
  }
  for (let i = 0; i < ic.length; i++) {
    const r = checkG1(ic[i], `verification key IC[${i}]`);
    if (r !== undefined) return r;
  }
  return (
    checkG1(vkey.vk_alpha_1, "verification key vk_alpha_1") ??
    checkG2(vkey.vk_beta_2, "verification key vk_beta_2") ??
    checkG2(vkey.vk_gamma_2, "verification key vk_gamma_2") ??
    checkG2(vkey.vk_delta_2, "verification key vk_delta_2")
  );
}

function checkProof(proof: unknown): string | undefined {
  if (!isRecord(proof)) return "proof is not an object";
  if (proof.protocol !== undefined && proof.protocol !== "groth16") {
    return "proof: protocol is not groth16";
  }
  if (proof.curve !== undefined && proof.curve !== "bn128") return "proof: curve is not bn128";
  return (
    checkG1(proof.pi_a, "proof pi_a") ??
    checkG2(proof.pi_b, "proof pi_b") ??
    checkG1(proof.pi_c, "proof pi_c")
  );
}

function checkPublicSignals(signals: unknown, nPublic: number): string | undefined {
  if (!Array.isArray(signals)) return "public signals are not an array";
  if (signals.length !== nPublic) {
    return `expected ${nPublic} public signals, got ${signals.length}`;
  }
  for (let i = 0; i < signals.length; i++) {
    const r = checkElement(signals[i], BN128_R, `public signal ${i}`);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** What is wrong with a proof as proof.json holds it (shape, coordinates below q), if anything. */
export function proofProblem(proof: unknown): string | undefined {
  return checkProof(proof);
}

/** What is wrong with public signals as public.json holds them (decimal strings below r), if anything. */
export function publicSignalsProblem(signals: unknown): string | undefined {
  if (!Array.isArray(signals)) return "public signals are not an array";
  return checkPublicSignals(signals, signals.length);
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
  try {
    const bad =
      checkVkey(vkey) ??
      checkProof(proof) ??
      checkPublicSignals(publicSignals, (vkey as Groth16VerificationKey).nPublic);
    if (bad !== undefined) return { valid: false, reason: bad };
    const snarkjs = await loadSnarkjs();
    await sharedCurve();
    const logger = collectingLogger();
    const ok = await snarkjs.groth16.verify(vkey, publicSignals, proof, logger);
    if (ok === true) return { valid: true };
    const why = logger.errors.join("; ");
    return {
      valid: false,
      reason:
        why === "" || why === "Invalid proof"
          ? "pairing check failed: the proof does not match these public signals and key"
          : why,
    };
  } catch (e) {
    return { valid: false, reason: `verification error: ${errorMessage(e)}` };
  }
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
