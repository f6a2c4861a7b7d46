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
import { promises as fsp } from "node:fs";
import path from "node:path";
import { compileIntoDir, lockFile } from "../build/directory.js";
import { checkArtifacts, MANIFEST, sha256, sha256File, VKEY } from "../build/manifest.js";
import { checkFreshProof, proveOptions } from "../build/proofs.js";
import type { ProverChoice } from "../groth16/prover.js";
import { PipelineError } from "../pipeline/errors.js";
import {
  circomVersion,
  pathExists,
  prove,
  readJsonFile,
  snarkjsVersion,
  sweepDeadTemporaries,
  verify,
  withFileLock,
  writeFileAtomic,
  zkvmVersion,
  type Groth16VerificationKey,
  type Progress,
  type VerifyResult,
} from "../pipeline/index.js";
import { directSetupFiles } from "../groth16/node.js";
import type { Inputs } from "../inputs.js";
import { executeProgram, type ProofResult } from "../machine.js";
import type { Program } from "../program.js";
import { validate, type ValidatedProgram } from "../validator.js";
import {
  canonicalize,
  checkBounds,
  checkBoundValues,
  type CanonicalProgram,
  type UniversalBounds,
} from "./encode.js";
import { segmentCircom, universalCircom, stepBudget, type StepBudget } from "./generate.js";
import { programHash } from "./hash.js";
import { universalInput } from "./witness.js";

export const UNIVERSAL_FORMAT = "zkvm-universal/1";
// Not "universal": circom would resolve `include "universal.circom"` to the file itself.
const NAME = "zkvm_universal";

export interface UniversalManifest {
  readonly format: typeof UNIVERSAL_FORMAT;
  readonly bounds: UniversalBounds;
  /**
   * Set for a segment build (templates/segment.circom): L, the steps per
   * segment (bounds.steps is L too). Its proofs are links of a chain.
   */
  readonly segmentSteps?: number;
  /** Constraints in the .r1cs after circom --O2. */
  readonly constraints: number;
  /** programHash + maxOutputs + maxInputs (a segment build: + stateIn, stateOut, halted, first). */
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

/**
 * The default directory name of the universal build for `bounds`
 * (universal-n<N>-i<I>-m<M>-s<S>-in<K>-out<L>-w<W>), for the CLI and the
 * library's cache alike.
 */
export function universalBuildName(b: UniversalBounds): string {
  return `universal-n${b.steps}-i${b.maxInstructions}-m${b.maxCells}-s${b.maxStack}-in${b.maxInputs}-out${b.maxOutputs}-w${b.width}`;
}

/** The default directory name of the segment build for `bounds` (L = bounds.steps). */
export function segmentBuildName(b: UniversalBounds): string {
  return universalBuildName(b).replace(/^universal-n/, "segment-l");
}

/** Whether `dir` holds a universal build (its manifest says so). */
export async function isUniversalDir(dir: string): Promise<boolean> {
  try {
    const m = await readJsonFile<{ format?: unknown }>(path.join(dir, MANIFEST));
    return m.format === UNIVERSAL_FORMAT;
  } catch {
    return false;
  }
}

/** Whether `dir` holds a segment build (a universal build with segmentSteps). */
export async function isSegmentDir(dir: string): Promise<boolean> {
  try {
    const m = await readJsonFile<{ format?: unknown; segmentSteps?: unknown }>(
      path.join(dir, MANIFEST),
    );
    return m.format === UNIVERSAL_FORMAT && m.segmentSteps !== undefined;
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

export async function openUniversal(dir: string): Promise<UniversalManifest> {
  const m = await readUniversalManifest(dir);
  await checkArtifacts(dir, m, "zkvm compile --universal");
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
  options: { onProgress?: Progress; segment?: boolean } = {},
): Promise<UniversalBuildResult> {
  checkBoundValues(bounds);
  const segment = options.segment === true;
  const parent = path.dirname(path.resolve(dir));
  await fsp.mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw new PipelineError("FILE_UNWRITABLE", `cannot create the directory ${parent}`, {
      cause: e,
      path: dir,
    });
  });
  return withFileLock(lockFile(dir), async () => {
    // Staging directories of builds whose process died (killed mid-compile), and circom's inside them.
    await sweepDeadTemporaries(parent);
    const circom = segment ? segmentCircom(bounds) : universalCircom(bounds);
    const circomHash = sha256(circom);
    try {
      const existing = await readUniversalManifest(dir);
      if (existing.files.circom.sha256 === circomHash) {
        await checkArtifacts(dir, existing, "zkvm compile --universal");
        return { manifest: existing, cached: true };
      }
    } catch {
      // No build, another kind of build, or a corrupt one: rebuild below.
    }
    return compileIntoDir(
      dir,
      NAME,
      circom,
      options.onProgress,
      (files, result): Promise<UniversalManifest> =>
        Promise.resolve({
          format: UNIVERSAL_FORMAT,
          bounds,
          ...(segment ? { segmentSteps: bounds.steps } : {}),
          constraints: result.constraints,
          nPublic: 1 + bounds.maxOutputs + bounds.maxInputs + (segment ? 4 : 0),
          budget: stepBudget(bounds),
          tools: { zkvm: zkvmVersion(), circom2: circomVersion(), snarkjs: snarkjsVersion() },
          files,
        }),
    );
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
  return withFileLock(lockFile(dir), async () => {
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

/** The manifest of a set-up build; a segment build's proofs are chains (src/segments), not single proofs. */
export async function setUp(
  dir: string,
  kind: "universal" | "segment" = "universal",
): Promise<UniversalManifest & { setup: NonNullable<UniversalManifest["setup"]> }> {
  const manifest = await openUniversal(dir);
  if ((manifest.segmentSteps !== undefined) !== (kind === "segment")) {
    throw new PipelineError(
      "BUILD_MISMATCH",
      kind === "segment"
        ? `${dir} is a universal build, not a segment build; compile one with 'zkvm compile --universal --segment-steps L'`
        : `${dir} is a segment build: its proofs are chains ('zkvm prove ${dir} --program F' writes chain.json, 'zkvm verify ${dir} --chain chain.json' checks it)`,
      { path: dir },
    );
  }
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

/** A universal proof: public.json is programHash, out[maxOutputs], publicIn[maxInputs]. */
export interface UniversalProof extends ProofResult {
  readonly programHash: string;
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
  options: { onProgress?: Progress; prover?: ProverChoice } = {},
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
  const result = await prove(
    path.join(dir, manifest.setup.zkey),
    path.join(dir, manifest.files.wasm.path),
    input,
    proveOptions(options),
  );
  await checkFreshProof(dir, result, path.join(dir, manifest.setup.zkey));
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    programHash: prepared.hash.toString(),
    outputs,
    steps: execution.steps,
    timings: result.timings,
  };
}

export async function universalVerificationKey(
  dir: string,
  kind: "universal" | "segment" = "universal",
): Promise<Groth16VerificationKey> {
  await setUp(dir, kind);
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
