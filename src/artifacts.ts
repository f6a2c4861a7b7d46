/**
 * Build directories: what `zkvm compile`, `setup`, `prove` and `verify` share.
 *
 * A build directory holds `<name>.circom`, circom's `<name>.r1cs`,
 * `<name>.sym` and `<name>_js/<name>.wasm`, then after setup `<name>.zkey`
 * and `verification_key.json`, and `manifest.json`, which records the
 * program, N, W, the public signal order and the sha256 of every artifact.
 * Every artifact is checked against the manifest before it is used, so a
 * truncated, corrupted or mixed-up build is a typed error, never a bad proof.
 * A build is made in a staging directory and swapped in whole, so a failed
 * compile leaves the previous good build untouched.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import path from "node:path";
import { compile, type CompiledCircuit, type PublicSignal } from "./compiler/index.js";
import { circuitInput } from "./compiler/input.js";
import type { ProfileEntry } from "./compiler/lower.js";
import { toHex, parseHex } from "./bytecode.js";
import type { Inputs } from "./inputs.js";
import { inputCells } from "./inputs.js";
import { run } from "./interpreter.js";
import {
  checkUserPtau,
  circomCompilerVersion,
  circomVersion,
  compileCircom,
  defaultIncludePaths,
  domainPower,
  groth16Setup,
  localPtau,
  PipelineError,
  prove,
  readJsonFile,
  requiredPower,
  verify,
  writeFileAtomic,
  type Groth16Proof,
  type Groth16VerificationKey,
  type Progress,
  type VerifyResult,
} from "./pipeline/index.js";
import { ZkvmError } from "./errors.js";
import { errorMessage } from "./pipeline/errors.js";
import {
  isErrnoException,
  pathExists,
  replaceWith,
  sweepDeadTemporaries,
  tempSibling,
  withFileLock,
} from "./pipeline/fsutil.js";
import { loadSnarkjs } from "./pipeline/snarkjs.js";
import type { IoLayout, Program } from "./program.js";
import { validate, type ValidatedProgram } from "./validator.js";

export const MANIFEST = "manifest.json";
export const VKEY = "verification_key.json";
const FORMAT = "zkvm-build/1";
const ZKVM_VERSION = "0.1.0";

export interface SetupRecord {
  /** "local-development": generated on this machine, for development only. */
  readonly ptau: {
    readonly source: "local-development" | "user";
    readonly path: string;
    readonly power: number;
    /** Whether an existing file was used (a cached local ceremony, or the user's). */
    readonly reused: boolean;
  };
  readonly power: number;
  readonly contributions: number;
  readonly createdAt: string;
  readonly timings: Record<string, number>;
  readonly zkey: string;
  readonly zkeySha256: string;
  readonly vkeySha256: string;
}

export interface Manifest {
  readonly format: typeof FORMAT;
  readonly name: string;
  readonly programHash: string;
  /** The program's bytecode (hex) and I/O, so that `prove` needs only the directory. */
  readonly bytecode: string;
  readonly io: IoLayout;
  readonly steps: number;
  readonly width: number;
  readonly publicSignals: readonly PublicSignal[];
  readonly privateInputs: ReadonlyArray<{ name: string; cell: number; signal: string }>;
  /** Constraints in the .r1cs after circom --O2. */
  readonly constraints: number;
  readonly estimatedConstraints: number;
  readonly blockSteps: number;
  readonly stepCounter: boolean;
  readonly profile: readonly ProfileEntry[];
  readonly perStep: readonly number[];
  readonly tools: Record<string, string>;
  /** Artifact paths relative to the directory, with their sha256. */
  readonly files: Record<"circom" | "r1cs" | "sym" | "wasm", { path: string; sha256: string }>;
  readonly setup?: SetupRecord;
}

export interface BuildOptions {
  readonly steps: number;
  readonly width?: number;
  readonly name: string;
  readonly onProgress?: Progress;
  /** The program compiled for these steps and width already (the library keys its cache on it). */
  readonly compiled?: CompiledCircuit;
}

export interface BuildResult {
  readonly manifest: Manifest;
  /** True when the directory already held this exact circuit. */
  readonly cached: boolean;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Compiles a program into `dir`: Circom text, then circom2 → r1cs, sym, witness wasm, manifest. */
export async function buildCircuit(
  program: Program,
  dir: string,
  options: BuildOptions,
): Promise<BuildResult> {
  const parent = path.dirname(path.resolve(dir));
  try {
    await fsp.mkdir(parent, { recursive: true });
  } catch (e) {
    throw new PipelineError(
      "FILE_UNWRITABLE",
      `cannot create the directory ${parent}: ${errorMessage(e)}`,
      { cause: e, path: dir },
    );
  }
  return withFileLock(lockFile(dir), () => buildUnlocked(program, dir, options));
}

/** One lock per build directory, beside it: builds and setups of the same directory never interleave. */
function lockFile(dir: string): string {
  return path.join(path.dirname(path.resolve(dir)), `.${path.basename(path.resolve(dir))}.lock`);
}

async function buildUnlocked(
  program: Program,
  dir: string,
  options: BuildOptions,
): Promise<BuildResult> {
  // Staging directories of builds whose process died (killed mid-compile), and circom's inside them.
  await sweepDeadTemporaries(path.dirname(path.resolve(dir)));
  const validated = validate(program);
  const compiled =
    options.compiled ??
    compile(validated, {
      steps: options.steps,
      ...(options.width !== undefined ? { width: options.width } : {}),
    });
  const name = options.name;
  const circomHash = sha256(compiled.circom);
  const existing = await readManifestIfAny(dir);
  if (
    existing !== undefined &&
    existing.files.circom.sha256 === circomHash &&
    existing.name === name
  ) {
    try {
      await checkArtifacts(dir, existing);
      return { manifest: existing, cached: true };
    } catch {
      // rebuild below
    }
  }

  await checkReplaceable(dir);
  const staging = tempSibling(path.resolve(dir));
  try {
    await fsp.mkdir(staging);
    const circomFile = path.join(staging, `${name}.circom`);
    await fsp.writeFile(circomFile, compiled.circom);
    const result = await compileCircom({
      circomFile,
      outDir: staging,
      includePaths: defaultIncludePaths(),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const rel = (p: string) => path.relative(staging, p);
    const manifest: Manifest = {
      format: FORMAT,
      name,
      programHash: compiled.programHash,
      bytecode: toHex(validated.code),
      io: validated.io,
      steps: compiled.steps,
      width: compiled.width,
      publicSignals: compiled.publicSignals,
      privateInputs: compiled.privateInputs,
      constraints: result.constraints,
      estimatedConstraints: compiled.estimatedConstraints,
      blockSteps: compiled.blockSteps,
      stepCounter: compiled.stepCounter,
      profile: compiled.profile,
      perStep: compiled.perStep,
      tools: {
        zkvm: ZKVM_VERSION,
        circom2: circomVersion(),
        circom: await circomCompilerVersion(),
        snarkjs: "0.7.6",
      },
      files: {
        circom: { path: rel(circomFile), sha256: circomHash },
        r1cs: { path: rel(result.r1csPath), sha256: await sha256File(result.r1csPath) },
        sym: { path: rel(result.symPath), sha256: await sha256File(result.symPath) },
        wasm: { path: rel(result.wasmPath), sha256: await sha256File(result.wasmPath) },
      },
    };
    await fsp.writeFile(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    await replaceWith(staging, dir);
    return { manifest, cached: false };
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true });
    if (e instanceof ZkvmError || !isErrnoException(e)) throw e;
    throw new PipelineError("FILE_UNWRITABLE", `cannot write the build ${dir}: ${e.message}`, {
      cause: e,
      path: dir,
    });
  }
}

/**
 * A build replaces `dir` whole, so `dir` must be absent, an empty directory or
 * a zkvm build (it has a manifest.json): `-o` naming a file or a project
 * directory by mistake must not delete it.
 */
async function checkReplaceable(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(dir);
  } catch (e) {
    if (isErrnoException(e) && e.code === "ENOENT") return;
    const why =
      isErrnoException(e) && e.code === "ENOTDIR"
        ? "exists and is not a directory"
        : `cannot be listed (${errorMessage(e)})`;
    throw new PipelineError("NOT_A_BUILD_DIR", `${dir} ${why}; refusing to replace it`, {
      cause: e,
      path: dir,
    });
  }
  if (entries.length > 0 && !entries.includes(MANIFEST)) {
    throw new PipelineError(
      "NOT_A_BUILD_DIR",
      `${dir} is not empty and is not a zkvm build directory (no ${MANIFEST}); refusing to replace it`,
      { path: dir },
    );
  }
}

async function readManifestIfAny(dir: string): Promise<Manifest | undefined> {
  if (!(await pathExists(path.join(dir, MANIFEST)))) return undefined;
  try {
    return await readManifest(dir);
  } catch {
    return undefined;
  }
}

/** Reads and sanity-checks `dir/manifest.json` (without its setup record, on request). */
export async function readManifest(
  dir: string,
  options: { withoutSetup?: boolean } = {},
): Promise<Manifest> {
  const file = path.join(dir, MANIFEST);
  if (!(await pathExists(file))) {
    throw new PipelineError(
      "BUILD_NOT_FOUND",
      `${dir} is not a zkvm build directory (no ${MANIFEST}); run 'zkvm compile' first`,
      { path: dir },
    );
  }
  let manifest: unknown;
  try {
    manifest = await readJsonFile(file);
  } catch (e) {
    if (!(e instanceof PipelineError) || e.code !== "BAD_JSON_FILE") throw e;
    throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} is truncated or not JSON`, {
      cause: e,
      path: file,
    });
  }
  if (options.withoutSetup === true && typeof manifest === "object" && manifest !== null) {
    manifest = { ...(manifest as Record<string, unknown>), setup: undefined };
  }
  const problem = manifestProblem(manifest);
  if (problem !== undefined) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `${MANIFEST} is not a zkvm build manifest (${FORMAT}): ${problem}; run 'zkvm compile' again`,
      { path: file },
    );
  }
  return manifest as Manifest;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/** A path relative to the build directory that stays inside it. */
function isInsidePath(p: unknown): p is string {
  return (
    typeof p === "string" && p !== "" && !path.isAbsolute(p) && !p.split(/[\\/]/).includes("..")
  );
}

function isCount(n: unknown, min: number): boolean {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= min;
}

/**
 * What is wrong with a parsed manifest.json, if anything: every field the
 * commands read has the type they expect, and every artifact path stays in
 * the directory. The artifacts themselves are checked by their sha256.
 */
function manifestProblem(m: unknown): string | undefined {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return "not an object";
  const r = m as Record<string, unknown>;
  if (r.format !== FORMAT) return `format is not ${FORMAT}`;
  if (typeof r.name !== "string" || !/^[A-Za-z0-9_]+$/.test(r.name)) return "bad name";
  if (typeof r.bytecode !== "string") return "bytecode is not a string";
  const io = r.io as Record<string, unknown> | null;
  if (
    typeof io !== "object" ||
    io === null ||
    !Array.isArray(io.inputs) ||
    !Array.isArray(io.outputs)
  ) {
    return "io is not {inputs, outputs}";
  }
  if (!isCount(r.steps, 1) || !isCount(r.width, 1)) return "bad steps or width";
  if (
    !isCount(r.constraints, 0) ||
    !isCount(r.estimatedConstraints, 0) ||
    !isCount(r.blockSteps, 0)
  ) {
    return "bad constraint or block-step counts";
  }
  for (const key of ["publicSignals", "privateInputs", "profile", "perStep"]) {
    if (!Array.isArray(r[key])) return `${key} is not an array`;
  }
  const signals = r.publicSignals as unknown[];
  if (
    !signals.every(
      (s) => typeof s === "object" && s !== null && typeof (s as PublicSignal).name === "string",
    )
  ) {
    return "bad public signal";
  }
  const files = r.files as Record<string, unknown> | null;
  if (typeof files !== "object" || files === null) return "files is not an object";
  for (const kind of ["circom", "r1cs", "sym", "wasm"]) {
    const f = files[kind] as Record<string, unknown> | null | undefined;
    if (
      typeof f !== "object" ||
      f === null ||
      !isInsidePath(f.path) ||
      typeof f.sha256 !== "string" ||
      !SHA256_RE.test(f.sha256)
    ) {
      return `bad files.${kind}`;
    }
  }
  if (r.setup !== undefined) {
    const setup = r.setup as Record<string, unknown> | null;
    if (
      typeof setup !== "object" ||
      setup === null ||
      !isInsidePath(setup.zkey) ||
      typeof setup.zkeySha256 !== "string" ||
      !SHA256_RE.test(setup.zkeySha256) ||
      typeof setup.vkeySha256 !== "string" ||
      !SHA256_RE.test(setup.vkeySha256) ||
      typeof setup.ptau !== "object" ||
      setup.ptau === null ||
      typeof (setup.ptau as Record<string, unknown>).path !== "string" ||
      !isCount(setup.power, 0)
    ) {
      return "bad setup record";
    }
  }
  return undefined;
}

/** Checks every artifact (and the setup's, when present) against the manifest's sha256. */
async function checkArtifacts(dir: string, manifest: Manifest): Promise<void> {
  const entries: Array<[string, string]> = Object.values(manifest.files).map((f) => [
    f.path,
    f.sha256,
  ]);
  if (manifest.setup)
    entries.push(
      [manifest.setup.zkey, manifest.setup.zkeySha256],
      [VKEY, manifest.setup.vkeySha256],
    );
  for (const [rel, expected] of entries) {
    const file = path.join(dir, rel);
    if (!(await pathExists(file))) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        `${rel} is missing from the build; run 'zkvm compile' again`,
        {
          path: file,
        },
      );
    }
    if ((await sha256File(file)) !== expected) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        `${rel} does not match the build manifest (changed, truncated or from another build); run 'zkvm compile' again`,
        { path: file },
      );
    }
  }
}

/** A build directory whose artifacts have been checked. */
export interface Build {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly program: ValidatedProgram;
  file(kind: keyof Manifest["files"]): string;
}

/**
 * Opens a build and checks its artifacts. With `withoutSetup`, the setup
 * record and the keys are ignored (neither read nor checked): what
 * `setup --force` needs to replace a damaged key.
 */
export async function openBuild(
  dir: string,
  options: { withoutSetup?: boolean } = {},
): Promise<Build> {
  const manifest = await readManifest(dir, options);
  await checkArtifacts(dir, manifest);
  const code = parseHex(manifest.bytecode);
  if (code === undefined)
    throw new PipelineError("BUILD_CORRUPT", "the manifest's bytecode is not hex", { path: dir });
  let program: ValidatedProgram;
  try {
    program = validate({ code, io: manifest.io });
  } catch (e) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `the manifest's program does not validate (${errorMessage(e)}); run 'zkvm compile' again`,
      { cause: e, path: path.join(dir, MANIFEST) },
    );
  }
  return { dir, manifest, program, file: (kind) => path.join(dir, manifest.files[kind].path) };
}

export interface SetupOptions {
  /** A phase-2-prepared powers-of-tau file (e.g. from a public ceremony); default: the local development ceremony. */
  readonly ptau?: string;
  /** Redo the setup even when the directory already has one. */
  readonly force?: boolean;
  readonly onProgress?: Progress;
}

let curveInFlight: Promise<unknown> | undefined;

/**
 * Builds snarkjs's bn128 curve once before setup, proving or verification.
 * ffjavascript caches the curve (and its worker threads) in
 * `globalThis.curve_bn128` only when a build finishes, so concurrent first
 * uses (`Promise.all` of proofs) each build one; all but the last are never
 * terminated and their workers keep the process alive after `terminateCurves`.
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

/** Groth16 setup of a compiled build: powers of tau (user's or local, cached), phase 2, verification key. */
export async function setupCircuit(
  dir: string,
  options: SetupOptions = {},
): Promise<{ manifest: Manifest; cached: boolean }> {
  return withFileLock(lockFile(dir), () => setupUnlocked(dir, options));
}

async function setupUnlocked(
  dir: string,
  options: SetupOptions,
): Promise<{ manifest: Manifest; cached: boolean }> {
  // --force must be able to replace a damaged key: only the circuit is checked then.
  // Temporary keys of a setup whose process died.
  await sweepDeadTemporaries(dir);
  const build = await openBuild(dir, { withoutSetup: options.force === true });
  const { manifest } = build;
  const samePtau =
    options.ptau === undefined || path.resolve(options.ptau) === manifest.setup?.ptau.path;
  if (manifest.setup && !options.force && samePtau) return { manifest, cached: true };
  const nPublic = manifest.publicSignals.length;
  // A user's file needs only the circuit's own domain (the local ceremony has a
  // floor: one small cached file for every tiny circuit). It is checked before
  // the curve's worker threads start, so a bad file fails at once.
  const userPtau = options.ptau
    ? await checkUserPtau(options.ptau, domainPower(manifest.constraints, nPublic))
    : undefined;
  await sharedCurve();
  const power = requiredPower(manifest.constraints, nPublic);
  const ptau = userPtau
    ? {
        path: path.resolve(userPtau.path),
        power: userPtau.power,
        source: "user" as const,
        cached: true,
      }
    : {
        ...(await localPtau(power, options.onProgress ? { onProgress: options.onProgress } : {})),
        source: "local-development" as const,
      };
  const result = await groth16Setup({
    r1csPath: build.file("r1cs"),
    ptauPath: ptau.path,
    outDir: dir,
    name: manifest.name,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const setup: SetupRecord = {
    ptau: {
      source: ptau.source,
      path: ptau.path,
      power: ptau.power,
      reused: ptau.source === "user" || ptau.cached,
    },
    power: result.power,
    contributions: 1,
    createdAt: new Date().toISOString(),
    timings: result.timings,
    zkey: path.relative(dir, result.zkeyPath),
    zkeySha256: await sha256File(result.zkeyPath),
    vkeySha256: await sha256File(result.vkeyPath),
  };
  const updated: Manifest = { ...manifest, setup };
  await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(updated, null, 2) + "\n");
  return { manifest: updated, cached: false };
}

async function openSetUpBuild(dir: string): Promise<Build & { setup: SetupRecord }> {
  const build = await openBuild(dir);
  const setup = build.manifest.setup;
  if (setup === undefined) {
    throw new PipelineError(
      "NOT_SET_UP",
      `${dir} has no proving key yet; run 'zkvm setup ${dir}' first`,
      { path: dir },
    );
  }
  return { ...build, setup };
}

export interface ProofResult {
  readonly proof: Groth16Proof;
  /** snarkjs's public.json: outputs, then public inputs, as decimal strings. */
  readonly publicSignals: string[];
  /** Output values by name, from the reference interpreter. */
  readonly outputs: Record<string, bigint>;
  /** Steps the execution took (not part of the proof). */
  readonly steps: number;
  readonly timings: { witnessMs: number; proveMs: number };
}

/**
 * Proves one execution: the interpreter runs first, so a fault or a step
 * bound that is too small is a clear typed error rather than a failed witness.
 */
export async function proveCircuit(
  dir: string,
  inputs: Inputs,
  options: { onProgress?: Progress } = {},
): Promise<ProofResult> {
  const build = await openSetUpBuild(dir);
  const { manifest, program } = build;
  const execution = run(program, inputCells(program.io, inputs), {
    steps: manifest.steps,
    width: manifest.width,
  });
  const outputs: Record<string, bigint> = Object.fromEntries(
    program.io.outputs.map((o) => [o.name, execution.memory.get(o.cell) ?? 0n]),
  );
  await sharedCurve();
  const result = await prove(
    path.join(dir, build.setup.zkey),
    build.file("wasm"),
    circuitInput(program.io, inputs),
    options.onProgress ? { onProgress: options.onProgress } : {},
  );
  // snarkjs proves whatever witness it is given: a proving key from another
  // circuit with as many wires (a manifest edited to match it) gives a proof
  // that never verifies. Checking it here means no command reports success
  // and writes a proof.json that its own build rejects.
  const check = await verify(
    await readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY)),
    result.publicSignals,
    result.proof,
  );
  if (!check.valid) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proof does not verify with the build's verification key (${check.reason ?? "invalid"}); the proving key does not belong to this circuit: run 'zkvm setup ${dir} --force'`,
      { path: path.join(dir, build.setup.zkey) },
    );
  }
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    outputs,
    steps: execution.steps,
    timings: result.timings,
  };
}

export async function readVerificationKey(dir: string): Promise<Groth16VerificationKey> {
  const build = await openSetUpBuild(dir);
  return readJsonFile<Groth16VerificationKey>(path.join(build.dir, VKEY));
}

/** Verifies a proof against a build's verification key; says why when it does not verify. */
export async function verifyCircuit(
  dir: string,
  proof: unknown,
  publicSignals: unknown,
): Promise<VerifyResult> {
  const vkey = await readVerificationKey(dir);
  await sharedCurve();
  return verify(vkey, publicSignals, proof);
}

/** Public signals by name, in the manifest's order. */
export function namedPublicSignals(
  manifest: Manifest,
  publicSignals: readonly string[],
): Record<string, string> {
  return Object.fromEntries(manifest.publicSignals.map((s, i) => [s.name, publicSignals[i] ?? ""]));
}
