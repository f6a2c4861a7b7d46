/**
 * Universal build directories: compile once for bounds, set up once, then
 * prove and verify any program within the bounds.
 *
 * A universal build directory holds zkvm_universal.circom, circom2's .r1cs,
 * universal.sym and universal_js/universal.wasm, and after setup universal.zkey
 * and verification_key.json; manifest.json (format zkvm-universal/1) records
 * the bounds, the constraint count and the sha256 of every artifact, each
 * checked before use (BUILD_CORRUPT). A build is made in a staging directory
 * and renamed into place, so a failed compile leaves no half-written build.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import path from "node:path";
import { PipelineError } from "../pipeline/errors.js";
import { isErrnoException, pathExists, withFileLock, writeFileAtomic } from "../pipeline/fsutil.js";
import {
  circomVersion,
  compileCircom,
  defaultIncludePaths,
  prove,
  readJsonFile,
  verify,
  type Groth16Proof,
  type Groth16VerificationKey,
  type Progress,
  type VerifyResult,
} from "../pipeline/index.js";
import { loadSnarkjs } from "../pipeline/snarkjs.js";
import { directSetupFiles } from "../groth16/node.js";
import { ZkvmError } from "../errors.js";
import type { Inputs } from "../inputs.js";
import { executeProgram } from "../machine.js";
import type { Program } from "../program.js";
import { validate, type ValidatedProgram } from "../validator.js";
import {
  canonicalize,
  checkBounds,
  checkBoundValues,
  type CanonicalProgram,
  type UniversalBounds,
} from "./encode.js";
import { universalCircom, stepBudget, type StepBudget } from "./generate.js";
import { programHash } from "./hash.js";
import { universalInput } from "./witness.js";

export const UNIVERSAL_FORMAT = "zkvm-universal/1";
const MANIFEST = "manifest.json";
const VKEY = "verification_key.json";
// Not "universal": circom would resolve `include "universal.circom"` to the file itself.
const NAME = "zkvm_universal";

export interface UniversalManifest {
  readonly format: typeof UNIVERSAL_FORMAT;
  readonly bounds: UniversalBounds;
  /** Constraints in the .r1cs after circom --O2. */
  readonly constraints: number;
  /** programHash + maxOutputs + maxInputs. */
  readonly nPublic: number;
  readonly budget: StepBudget;
  readonly tools: Record<string, string>;
  readonly files: Record<"circom" | "r1cs" | "sym" | "wasm", { path: string; sha256: string }>;
  readonly setup?: {
    readonly method: "direct-development";
    readonly zkey: string;
    readonly zkeySha256: string;
    readonly vkeySha256: string;
    readonly setupMs: number;
    readonly createdAt: string;
  };
}

let curveInFlight: Promise<unknown> | undefined;

/**
 * snarkjs's bn128 curve, built once even when proofs start concurrently
 * (ffjavascript caches it only once a build finishes; a second concurrent build
 * would leave worker threads no one terminates). As src/artifacts.ts does.
 */
async function sharedCurve(): Promise<void> {
  if ((globalThis as { curve_bn128?: unknown }).curve_bn128) return;
  curveInFlight ??= loadSnarkjs()
    .then((snarkjs) => snarkjs.curves.getCurveFromName("bn128"))
    .finally(() => {
      curveInFlight = undefined;
    });
  await curveInFlight;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const lockOf = (dir: string) =>
  path.join(path.dirname(path.resolve(dir)), `.${path.basename(path.resolve(dir))}.lock`);

/** Whether `dir` holds a universal build (its manifest says so). */
export async function isUniversalDir(dir: string): Promise<boolean> {
  try {
    const m = await readJsonFile<{ format?: unknown }>(path.join(dir, MANIFEST));
    return m.format === UNIVERSAL_FORMAT;
  } catch {
    return false;
  }
}

export async function readUniversalManifest(dir: string): Promise<UniversalManifest> {
  const file = path.join(dir, MANIFEST);
  if (!(await pathExists(file))) {
    throw new PipelineError(
      "BUILD_NOT_FOUND",
      `${dir} is not a zkvm build directory (no ${MANIFEST}); run 'zkvm compile --universal' first`,
      { path: dir },
    );
  }
  const m = await readJsonFile<Partial<UniversalManifest>>(file).catch((e: unknown) => {
    throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} is truncated or not JSON`, {
      cause: e,
      path: file,
    });
  });
  if (
    typeof m !== "object" ||
    m === null ||
    m.format !== UNIVERSAL_FORMAT ||
    typeof m.bounds !== "object" ||
    typeof m.files !== "object" ||
    !Number.isSafeInteger(m.constraints)
  ) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `${MANIFEST} is not a universal build manifest (${UNIVERSAL_FORMAT}); run 'zkvm compile --universal' again`,
      { path: file },
    );
  }
  try {
    checkBoundValues(m.bounds);
  } catch (e) {
    throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} has bad bounds`, {
      cause: e,
      path: file,
    });
  }
  return m as UniversalManifest;
}

async function checkArtifacts(dir: string, m: UniversalManifest): Promise<void> {
  const entries: Array<[string, string]> = Object.values(m.files).map((f) => [f.path, f.sha256]);
  if (m.setup) entries.push([m.setup.zkey, m.setup.zkeySha256], [VKEY, m.setup.vkeySha256]);
  for (const [rel, expected] of entries) {
    const file = path.join(dir, rel);
    if (rel.split(/[\\/]/).includes("..") || path.isAbsolute(rel)) {
      throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} names a file outside the build`, {
        path: dir,
      });
    }
    if (!(await pathExists(file)) || (await sha256File(file)) !== expected) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        `${rel} is missing or does not match the build manifest; run 'zkvm compile --universal' again`,
        { path: file },
      );
    }
  }
}

export async function openUniversal(dir: string): Promise<UniversalManifest> {
  const m = await readUniversalManifest(dir);
  await checkArtifacts(dir, m);
  return m;
}

export interface UniversalBuildResult {
  readonly manifest: UniversalManifest;
  readonly cached: boolean;
}

/** Compiles the universal circuit for `bounds` into `dir` (reused when it already holds it). */
export async function compileUniversal(
  dir: string,
  bounds: UniversalBounds,
  options: { onProgress?: Progress } = {},
): Promise<UniversalBuildResult> {
  checkBoundValues(bounds);
  const parent = path.dirname(path.resolve(dir));
  await fsp.mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw new PipelineError("FILE_UNWRITABLE", `cannot create the directory ${parent}`, {
      cause: e,
      path: dir,
    });
  });
  return withFileLock(lockOf(dir), async () => {
    const circom = universalCircom(bounds);
    const circomHash = createHash("sha256").update(circom).digest("hex");
    if (await isUniversalDir(dir)) {
      try {
        const existing = await openUniversal(dir);
        if (existing.files.circom.sha256 === circomHash)
          return { manifest: existing, cached: true };
      } catch {
        // rebuild below
      }
    } else if (await pathExists(dir)) {
      const entries = await fsp.readdir(dir).catch(() => null);
      if (entries === null || entries.length > 0) {
        throw new PipelineError(
          "NOT_A_BUILD_DIR",
          `${dir} exists and is not an empty directory or a zkvm build; refusing to replace it`,
          { path: dir },
        );
      }
    }
    const staging = path.join(
      parent,
      `.${path.basename(dir)}.build-${process.pid}-${randomBytes(4).toString("hex")}`,
    );
    try {
      await fsp.mkdir(staging);
      const circomFile = path.join(staging, `${NAME}.circom`);
      await fsp.writeFile(circomFile, circom);
      const result = await compileCircom({
        circomFile,
        outDir: staging,
        includePaths: defaultIncludePaths(),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      const rel = (p: string) => path.relative(staging, p);
      const manifest: UniversalManifest = {
        format: UNIVERSAL_FORMAT,
        bounds,
        constraints: result.constraints,
        nPublic: 1 + bounds.maxOutputs + bounds.maxInputs,
        budget: stepBudget(bounds),
        tools: { zkvm: "0.1.0", circom2: circomVersion(), snarkjs: "0.7.6" },
        files: {
          circom: { path: rel(circomFile), sha256: circomHash },
          r1cs: { path: rel(result.r1csPath), sha256: await sha256File(result.r1csPath) },
          sym: { path: rel(result.symPath), sha256: await sha256File(result.symPath) },
          wasm: { path: rel(result.wasmPath), sha256: await sha256File(result.wasmPath) },
        },
      };
      await fsp.writeFile(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
      const old = `${staging}.old`;
      const hadOld = await pathExists(dir);
      if (hadOld) await fsp.rename(dir, old);
      await fsp.rename(staging, dir);
      if (hadOld) await fsp.rm(old, { recursive: true, force: true });
      return { manifest, cached: false };
    } catch (e) {
      await fsp.rm(staging, { recursive: true, force: true });
      if (e instanceof ZkvmError || !isErrnoException(e)) throw e;
      throw new PipelineError("FILE_UNWRITABLE", `cannot write the build ${dir}: ${e.message}`, {
        cause: e,
        path: dir,
      });
    }
  });
}

/**
 * Groth16 setup of a universal build with the direct development setup
 * (src/groth16): the secrets are sampled on this machine, so whoever ran it
 * could forge proofs — for development only, like the local ceremony.
 */
export async function setupUniversal(
  dir: string,
  options: { force?: boolean; onProgress?: Progress } = {},
): Promise<UniversalBuildResult> {
  return withFileLock(lockOf(dir), async () => {
    const manifest = await openUniversal(dir);
    if (manifest.setup && !options.force) return { manifest, cached: true };
    const zkey = path.join(dir, `${NAME}.zkey`);
    const t0 = performance.now();
    const { vkey } = await directSetupFiles(
      path.join(dir, manifest.files.r1cs.path),
      zkey,
      options.onProgress ? { onProgress: options.onProgress } : {},
    );
    await writeFileAtomic(path.join(dir, VKEY), `${JSON.stringify(vkey, null, 1)}\n`);
    const updated: UniversalManifest = {
      ...manifest,
      setup: {
        method: "direct-development",
        zkey: path.relative(dir, zkey),
        zkeySha256: await sha256File(zkey),
        vkeySha256: await sha256File(path.join(dir, VKEY)),
        setupMs: Math.round(performance.now() - t0),
        createdAt: new Date().toISOString(),
      },
    };
    await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(updated, null, 2) + "\n");
    return { manifest: updated, cached: false };
  });
}

async function setUp(
  dir: string,
): Promise<UniversalManifest & { setup: NonNullable<UniversalManifest["setup"]> }> {
  const manifest = await openUniversal(dir);
  if (manifest.setup === undefined) {
    throw new PipelineError(
      "NOT_SET_UP",
      `${dir} has no proving key yet; run 'zkvm setup ${dir}' first`,
      { path: dir },
    );
  }
  return manifest as UniversalManifest & { setup: NonNullable<UniversalManifest["setup"]> };
}

/** A program prepared for a universal circuit: validated, encoded, within the bounds, hashed. */
export interface UniversalProgram {
  readonly program: ValidatedProgram;
  readonly canonical: CanonicalProgram;
  readonly hash: bigint;
}

/** Validates, encodes and hashes a program; BOUND_EXCEEDED when it does not fit `bounds`. */
export async function prepareProgram(
  program: Program,
  bounds?: UniversalBounds,
): Promise<UniversalProgram> {
  const validated = "blocks" in program ? (program as ValidatedProgram) : validate(program);
  const canonical = canonicalize(validated);
  if (bounds !== undefined) checkBounds(canonical, bounds);
  return { program: validated, canonical, hash: await programHash(canonical) };
}

export interface UniversalProof {
  readonly proof: Groth16Proof;
  /** programHash, out[maxOutputs], publicIn[maxInputs], as decimal strings. */
  readonly publicSignals: string[];
  readonly programHash: string;
  /** Output values by name, from the reference interpreter. */
  readonly outputs: Record<string, bigint>;
  readonly steps: number;
  readonly timings: { witnessMs: number; proveMs: number };
}

/**
 * Proves one execution of `program` with the universal build in `dir`: the
 * bounds are checked first (BOUND_EXCEEDED), then the interpreter runs (a
 * fault is reported as such), then the witness and the proof.
 */
export async function proveUniversal(
  dir: string,
  program: Program,
  inputs: Inputs,
  options: { onProgress?: Progress } = {},
): Promise<UniversalProof> {
  const manifest = await setUp(dir);
  const { bounds } = manifest;
  const prepared = await prepareProgram(program, bounds);
  const { program: validated, canonical } = prepared;
  const execution = executeProgram(validated, inputs, {
    steps: bounds.steps,
    width: bounds.width,
  });
  const { outputs } = execution;
  const input = universalInput(canonical, validated.io, bounds, inputs);
  await sharedCurve();
  const result = await prove(
    path.join(dir, manifest.setup.zkey),
    path.join(dir, manifest.files.wasm.path),
    input,
    options.onProgress ? { onProgress: options.onProgress } : {},
  );
  const check = await verify(
    await readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY)),
    result.publicSignals,
    result.proof,
  );
  if (!check.valid) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proof does not verify with the build's verification key (${check.reason ?? "invalid"}); run 'zkvm setup ${dir} --force'`,
      { path: dir },
    );
  }
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    programHash: prepared.hash.toString(),
    outputs,
    steps: execution.steps,
    timings: result.timings,
  };
}

export async function universalVerificationKey(dir: string): Promise<Groth16VerificationKey> {
  await setUp(dir);
  return readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY));
}

/**
 * Verifies a universal proof as a proof about `program`: its first public
 * signal must be the program's hash (recomputed here), then the Groth16 check.
 */
export async function verifyUniversal(
  dir: string,
  program: Program,
  proof: unknown,
  publicSignals: unknown,
): Promise<VerifyResult & { programHash: string; values?: Record<string, string> }> {
  const manifest = await setUp(dir);
  const prepared = await prepareProgram(program);
  const expected = prepared.hash.toString();
  if (!Array.isArray(publicSignals) || publicSignals.length !== manifest.nPublic) {
    return {
      valid: false,
      reason: `expected ${manifest.nPublic} public signals (program hash, ${manifest.bounds.maxOutputs} outputs, ${manifest.bounds.maxInputs} public inputs)`,
      programHash: expected,
    };
  }
  if (publicSignals[0] !== expected) {
    return {
      valid: false,
      reason: `the proof is for another program: it proves program hash ${String(publicSignals[0])}, this program's hash is ${expected}`,
      programHash: expected,
    };
  }
  try {
    checkBounds(prepared.canonical, manifest.bounds);
  } catch (e) {
    return { valid: false, reason: (e as Error).message, programHash: expected };
  }
  const vkey = await readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY));
  await sharedCurve();
  const result = await verify(vkey, publicSignals, proof);
  if (!result.valid) return { ...result, programHash: expected };
  // The proven values by the program's names: outputs, then public inputs.
  const signals = publicSignals as string[];
  const { io } = prepared.program;
  const values: Record<string, string> = Object.fromEntries([
    ...io.outputs.map((o, k) => [o.name, signals[1 + k]!]),
    ...io.inputs
      .filter((i) => i.visibility === "public")
      .map((i, k) => [i.name, signals[1 + manifest.bounds.maxOutputs + k]!]),
  ]);
  return { ...result, programHash: expected, values };
}
