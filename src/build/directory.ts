/**
 * Build directories: what `zkvm compile`, `setup`, `prove` and `verify` share.
 *
 * A build directory holds `<name>.circom`, circom's `<name>.r1cs`,
 * `<name>.sym` and `<name>_js/<name>.wasm`, then after setup `<name>.zkey`
 * and `verification_key.json`, and `manifest.json` (./manifest.ts). A build
 * is made in a staging directory and swapped in whole under a lock beside
 * the directory, so a failed or killed compile leaves the previous good
 * build untouched and concurrent builds of one directory never interleave.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { compile, type CompiledCircuit } from "../compiler/index.js";
import { toHex, parseHex } from "../bytecode.js";
import { ZkvmError } from "../errors.js";
import {
  circomCompilerVersion,
  circomVersion,
  compileCircom,
  defaultIncludePaths,
  errorMessage,
  isErrnoException,
  PipelineError,
  replaceWith,
  snarkjsVersion,
  sweepDeadTemporaries,
  tempSibling,
  withFileLock,
  zkvmVersion,
  type CompileCircomResult,
  type Progress,
} from "../pipeline/index.js";
import { timed } from "../pipeline/progress.js";
import type { Program } from "../program.js";
import { validate, type ValidatedProgram } from "../validator.js";
import {
  checkArtifacts,
  FORMAT,
  MANIFEST,
  readManifest,
  readManifestIfAny,
  sha256,
  sha256File,
  backendOf,
  type Backend,
  type Manifest,
  type SetupRecord,
} from "./manifest.js";
import { directArtifacts } from "../direct/index.js";

export interface BuildOptions {
  readonly steps: number;
  readonly width?: number;
  readonly name: string;
  readonly onProgress?: Progress;
  /** The program compiled for these steps and width already (the library keys its cache on it). */
  readonly compiled?: CompiledCircuit;
  /** What writes the .r1cs, .sym and witness (default "direct"; see manifest.ts). */
  readonly backend?: Backend;
  /**
   * Replace a build that holds a proving key or a proof. Without it such a
   * build is never replaced (BUILD_HAS_KEY): a key may come from a ceremony.
   */
  readonly force?: boolean;
}

export interface BuildResult {
  readonly manifest: Manifest;
  /** True when the directory already held this exact circuit. */
  readonly cached: boolean;
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
export function lockFile(dir: string): string {
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
  const backend = options.backend ?? "direct";
  const given = options.compiled;
  const compiled =
    given !== undefined && (backend === "circom" || given.ir !== undefined)
      ? given
      : compile(validated, {
          steps: options.steps,
          ...(options.width !== undefined ? { width: options.width } : {}),
          keepNodes: backend === "direct",
        });
  const name = options.name;
  const circomHash = sha256(compiled.circom);
  const existing = await readManifestIfAny(dir);
  if (
    existing !== undefined &&
    existing.files.circom.sha256 === circomHash &&
    existing.name === name &&
    backendOf(existing) === backend
  ) {
    try {
      await checkArtifacts(dir, existing);
      return { manifest: existing, cached: true };
    } catch {
      // rebuild below
    }
  }

  if (options.force !== true) await refuseToDiscardKey(dir, existing, compiled);
  const manifestFor = async (
    files: Manifest["files"],
    constraints: number,
    tools: Record<string, string>,
  ): Promise<Manifest> => ({
    format: FORMAT,
    name,
    backend,
    ...(validated.lines !== undefined && validated.lines.size > 0
      ? { lines: [...validated.lines] }
      : {}),
    programHash: compiled.programHash,
    bytecode: toHex(validated.code),
    io: validated.io,
    steps: compiled.steps,
    width: compiled.width,
    publicSignals: compiled.publicSignals,
    privateInputs: compiled.privateInputs,
    constraints,
    estimatedConstraints: compiled.estimatedConstraints,
    blockSteps: compiled.blockSteps,
    stepCounter: compiled.stepCounter,
    profile: compiled.profile,
    perStep: compiled.perStep,
    tools: { zkvm: zkvmVersion(), ...tools, snarkjs: snarkjsVersion() },
    files,
  });
  if (backend === "direct") {
    return writeDirectIntoDir(dir, name, compiled, options.onProgress, (files, constraints) =>
      manifestFor(files, constraints, {}),
    );
  }
  return compileIntoDir(
    dir,
    name,
    compiled.circom,
    options.onProgress,
    async (files, result): Promise<Manifest> =>
      manifestFor(files, result.constraints, {
        circom2: circomVersion(),
        circom: await circomCompilerVersion(),
      }),
    compiled.estimatedConstraints,
  );
}

/**
 * The direct backend's build: the .circom text, and the .r1cs and .sym
 * written from the compiler's nodes (src/direct), in a staging directory
 * swapped in whole for `dir` as compileIntoDir does.
 */
async function writeDirectIntoDir(
  dir: string,
  name: string,
  compiled: CompiledCircuit,
  onProgress: Progress | undefined,
  manifestFor: (files: Manifest["files"], constraints: number) => Promise<Manifest>,
): Promise<{ manifest: Manifest; cached: false }> {
  return intoStagedDir(dir, async (staging) => {
    const circomFile = `${name}.circom`;
    await fsp.writeFile(path.join(staging, circomFile), compiled.circom);
    const { result: artifacts } = await timed(onProgress, "r1cs", `r1cs ${name}.r1cs`, async () =>
      directArtifacts(compiled),
    );
    // Written part by part and hashed on the way (no second read of large files).
    const write = async (file: string, parts: ReadonlyArray<string | Uint8Array>) => {
      const hash = createHash("sha256");
      const fh = await fsp.open(path.join(staging, file), "w");
      try {
        for (const part of parts) {
          hash.update(part);
          if (typeof part === "string") await fh.write(part);
          else await fh.write(part);
        }
      } finally {
        await fh.close();
      }
      return { path: file, sha256: hash.digest("hex") };
    };
    const files = {
      circom: { path: circomFile, sha256: sha256(compiled.circom) },
      r1cs: await write(`${name}.r1cs`, artifacts.r1cs),
      sym: await write(`${name}.sym`, artifacts.sym),
    };
    return manifestFor(files, artifacts.nConstraints);
  });
}

/**
 * Builds into a staging directory beside `dir` (`fill` writes the artifacts
 * and returns the manifest), writes the manifest and swaps the staging
 * directory in for `dir` whole: a failed build leaves the previous one
 * untouched and no staging behind. The caller holds `dir`'s lock.
 */
async function intoStagedDir<M>(
  dir: string,
  fill: (staging: string) => Promise<M>,
): Promise<{ manifest: M; cached: false }> {
  await checkReplaceable(dir);
  const staging = tempSibling(path.resolve(dir));
  try {
    await fsp.mkdir(staging);
    const manifest = await fill(staging);
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
 * A compile replaces the whole directory: when it holds a proving key or a
 * proof (of another circuit, or of a damaged build), that needs --force.
 */
async function refuseToDiscardKey(
  dir: string,
  existing: Manifest | undefined,
  next: Pick<CompiledCircuit, "steps" | "width">,
): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(dir);
  } catch {
    return; // absent, or not a directory: checkReplaceable says so
  }
  const keys = entries.filter((e) => e.endsWith(".zkey"));
  const proofs = entries.filter((e) => e === "proof.json");
  if (keys.length === 0 && proofs.length === 0 && existing?.setup === undefined) return;
  const held = [
    ...(keys.length > 0 || existing?.setup !== undefined
      ? [`a proving key (${keys.join(", ") || "recorded in the manifest"})`]
      : []),
    ...(proofs.length > 0 ? ["a proof"] : []),
  ].join(" and ");
  const what =
    existing === undefined
      ? "a build whose manifest cannot be read"
      : `the build of ${existing.name} for N = ${existing.steps}, W = ${existing.width}`;
  throw new PipelineError(
    "BUILD_HAS_KEY",
    `the directory holds ${what}, with ${held}; compiling N = ${next.steps}, W = ${next.width} there would delete ${keys.length + proofs.length > 1 ? "them" : "it"}. Compile into another directory (-o DIR), or add --force to replace it`,
    { path: dir },
  );
}

/** What circom2 made of `<name>.circom`, relative to the build directory, with each file's sha256. */
export type CircomArtifacts = Record<
  "circom" | "r1cs" | "sym" | "wasm",
  { path: string; sha256: string }
>;

/**
 * Compiles Circom text with circom2 into a staging directory beside `dir`,
 * writes the manifest that `manifestFor` makes of circom's result and the
 * artifacts' hashes, and swaps the staging directory in for `dir` whole: a
 * failed compile leaves the previous build untouched and no staging behind.
 * Per-program and universal builds both compile through it; the caller holds
 * `dir`'s lock. `expectedConstraints` is compileCircom's hint (the compiler's
 * estimate for a per-program circuit).
 */
export async function compileIntoDir<M>(
  dir: string,
  name: string,
  circom: string,
  onProgress: Progress | undefined,
  manifestFor: (files: CircomArtifacts, result: CompileCircomResult) => Promise<M>,
  expectedConstraints?: number,
): Promise<{ manifest: M; cached: false }> {
  return intoStagedDir(dir, async (staging) => {
    const circomFile = path.join(staging, `${name}.circom`);
    await fsp.writeFile(circomFile, circom);
    const result = await compileCircom({
      circomFile,
      outDir: staging,
      includePaths: defaultIncludePaths(),
      ...(onProgress ? { onProgress } : {}),
      ...(expectedConstraints !== undefined ? { expectedConstraints } : {}),
    });
    const rel = (p: string) => path.relative(staging, p);
    return manifestFor(
      {
        circom: { path: rel(circomFile), sha256: sha256(circom) },
        r1cs: { path: rel(result.r1csPath), sha256: await sha256File(result.r1csPath) },
        sym: { path: rel(result.symPath), sha256: await sha256File(result.symPath) },
        wasm: { path: rel(result.wasmPath), sha256: await sha256File(result.wasmPath) },
      },
      result,
    );
  });
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
    program = validate({
      code,
      io: manifest.io,
      ...(manifest.lines !== undefined ? { lines: new Map(manifest.lines) } : {}),
    });
  } catch (e) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `the manifest's program does not validate (${errorMessage(e)}); run 'zkvm compile' again`,
      { cause: e, path: path.join(dir, MANIFEST) },
    );
  }
  const file = (kind: keyof Manifest["files"]): string => {
    const f = manifest.files[kind];
    if (f === undefined) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        `the build has no ${kind} file (a ${backendOf(manifest)} build); run 'zkvm compile' again`,
        { path: dir },
      );
    }
    return path.join(dir, f.path);
  };
  return { dir, manifest, program, file };
}

export async function openSetUpBuild(dir: string): Promise<Build & { setup: SetupRecord }> {
  const build = await openBuild(dir);
  return { ...build, setup: requireSetup(dir, build.manifest) };
}

/**
 * The manifest of a set-up build, without checking (or reading) its
 * artifacts: what verifying needs, with the verification key.
 */
export async function openSetUpManifest(dir: string): Promise<Manifest & { setup: SetupRecord }> {
  const manifest = await readManifest(dir);
  return { ...manifest, setup: requireSetup(dir, manifest) };
}

function requireSetup(dir: string, manifest: Manifest): SetupRecord {
  if (manifest.setup === undefined) {
    throw new PipelineError(
      "NOT_SET_UP",
      `${dir} has no proving key yet; run 'zkvm setup ${dir}' first`,
      { path: dir },
    );
  }
  return manifest.setup;
}
