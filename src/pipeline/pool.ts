/**
 * Proving many witness inputs for one set-up build, in parallel, each proof
 * in a forked child process. It knows nothing of what the circuit is: any
 * build directory whose manifest.json records its artifacts (`files`, with
 * `files.wasm`, or a per-program build of the direct backend, whose witness
 * is computed in TypeScript) and a setup (`setup.zkey`, `setup.zkeySha256`,
 * `setup.vkeySha256`) will do: per-program, universal or segment builds.
 *
 * API
 *
 *   proveMany(buildDir: string, inputs: readonly CircuitInput[], options?: {
 *     local?: number;        // prover processes; default os.availableParallelism(), at most inputs.length
 *                            // (with one per core or more, each proves on one thread: oneThreadEach)
 *     onProgress?: (e: PoolEvent) => void;  // one event per job state change (see PoolEvent)
 *     prover?: string;       // module the children import instead of snarkjs (see ProverModule)
 *     retries?: number;      // extra tries of a job whose proof is invalid or whose child died; default 2
 *   }): Promise<ProvedJob[]>
 *
 *   - The result is in the order of `inputs`: result[i] = { proof, publicSignals, timings?, worker }.
 *   - Every proof has been verified in this process against the build's
 *     verification_key.json before it is returned; one that does not verify
 *     is proven again (PROOF_INVALID after `retries` more), as is a job whose
 *     child process died (PROVER_DIED after `retries` more).
 *   - The build is checked first: BUILD_NOT_FOUND, NOT_SET_UP, BUILD_CORRUPT
 *     (an artifact that does not match its sha256 in the manifest).
 *   - A job the circuit rejects fails the whole call with that job's error
 *     (WITNESS_FAILED, PROVE_FAILED, ...), its message prefixed "job i: ".
 *     The other children are stopped; no child outlives the call.
 *   - Inputs are JSON (bigints are turned into decimal strings): what a
 *     child process, or a queue (src/distributed), can carry.
 *
 *   openProvingBuild(dir) → ProvingBuild { dir, zkey, wasm?, vkey, buildHash }
 *   proveInput(target, input) → the default prover's proof (what a `prover` module may wrap)
 *   buildHash(manifest) → the sha256 that names a build's circuit and keys
 *     (what a queue job carries and a worker checks, src/distributed).
 *
 * `proveMany` of `zkvm/distributed` takes the same arguments plus `queue`
 * (a redis:// URL): the same jobs, proven by `zkvm worker` processes.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkArtifacts, MANIFEST, sha256, VKEY } from "../build/manifest.js";
import { ZkvmError } from "../errors.js";
import { errorMessage, PipelineError, type PipelineErrorCode } from "./errors.js";
import { pathExists } from "./fsutil.js";
import type { ProgressEvent } from "./progress.js";
import {
  prove,
  proveWitness,
  readJsonFile,
  verify,
  type CircuitInput,
  type CircuitInputValue,
  type VerifyResult,
} from "./prove.js";
import type { Groth16Proof, Groth16VerificationKey } from "./snarkjs.js";

/** A circuit input as JSON can carry it: decimal strings (and numbers), in nested arrays. */
export type JsonCircuitInput = Record<string, JsonInputValue>;
export type JsonInputValue = string | number | JsonInputValue[];

/** One proof of `proveMany`, for `inputs[i]`. */
export interface ProvedJob {
  readonly proof: Groth16Proof;
  /** Decimal strings, in the circuit's public-signal order. */
  readonly publicSignals: string[];
  /** As the prover measured them, when it did. */
  readonly timings?: { readonly witnessMs: number; readonly proveMs: number };
  /** Who made it: "local:<pid>" for a child here, "<host>:<pid>" for a queue worker. */
  readonly worker: string;
}

/**
 * A job's state change. `stage` and `message` make it a ProgressEvent the
 * CLI's progress printer shows as it is.
 */
export interface PoolEvent extends ProgressEvent {
  readonly stage: "jobs";
  readonly index: number;
  readonly total: number;
  /**
   * queued: waiting for a prover; proving: taken by `worker`; proved: verified,
   * in the result; invalid: the proof did not verify (it is proven again);
   * retrying: the prover died or refused (proven again); failed: the job's
   * error ends the call.
   */
  readonly state: "queued" | "proving" | "proved" | "invalid" | "retrying" | "failed";
  readonly worker?: string;
  /** For "proved": from the job's start to its verified proof. */
  readonly elapsedMs?: number;
}

export interface ProveManyOptions {
  /** Prover processes on this machine; default os.availableParallelism() (at most one per job). */
  readonly local?: number;
  readonly onProgress?: (e: PoolEvent) => void;
  /** A module (path) that the children import instead of the built-in snarkjs prover. */
  readonly prover?: string;
  /** Extra tries of a job whose proof does not verify or whose prover died; default 2. */
  readonly retries?: number;
}

/**
 * What a prover is given of a build: its directory, proving key and, for a
 * build with a witness generator, its wasm (a direct build has none: its
 * witness is computed from the build's program and .r1cs).
 */
export interface ProvingTarget {
  readonly dir: string;
  readonly zkey: string;
  readonly wasm?: string;
}

/**
 * What a `prover` module exports: the built-in one is `proveInput` (the
 * build's wasm or the direct backend's witness, zkvm's Groth16 prover).
 */
export interface ProverModule {
  prove(
    target: ProvingTarget,
    input: JsonCircuitInput,
    /** `oneThread`: the pool runs a prover process per core; prove on this thread alone if you can. */
    options?: { readonly oneThread?: boolean },
  ): Promise<{
    proof: Groth16Proof;
    publicSignals: string[];
    timings?: { witnessMs: number; proveMs: number };
  }>;
}

/** The files of a set-up build that proving needs, checked against its manifest. */
export interface ProvingBuild extends ProvingTarget {
  readonly dir: string;
  readonly zkey: string;
  /** Absent in a direct build: its witness is computed from its program and .r1cs. */
  readonly wasm?: string;
  readonly vkey: Groth16VerificationKey;
  /** See `buildHash`. */
  readonly buildHash: string;
}

/** The part of any zkvm build manifest (per-program, universal, segment) that proving reads. */
interface ProvingManifest {
  readonly files: Readonly<Record<string, { readonly path: string; readonly sha256: string }>>;
  readonly backend?: string;
  readonly setup: {
    readonly zkey: string;
    readonly zkeySha256: string;
    readonly vkeySha256: string;
  };
}

/**
 * The sha256 that names a build's circuit and keys: over the sha256 of each
 * compiled artifact (sorted by kind: a direct build's .circom, .r1cs and
 * .sym, another's wasm too) and of its proving and verification keys. Two machines with this hash prove the same statement with the same
 * key; a queue job carries it and a worker refuses a job whose hash is not
 * its own (BUILD_MISMATCH).
 */
export function buildHash(manifest: ProvingManifest): string {
  const files = Object.keys(manifest.files)
    .sort()
    .map((kind) => [kind, manifest.files[kind]!.sha256]);
  return sha256(
    JSON.stringify({
      files,
      zkey: manifest.setup.zkeySha256,
      vkey: manifest.setup.vkeySha256,
    }),
  );
}

function isHashedFile(f: unknown): f is { path: string; sha256: string } {
  return (
    typeof f === "object" &&
    f !== null &&
    typeof (f as { path?: unknown }).path === "string" &&
    typeof (f as { sha256?: unknown }).sha256 === "string"
  );
}

/**
 * Opens any set-up zkvm build for proving: every artifact and both keys are
 * checked against the manifest's sha256 (BUILD_CORRUPT), a build without a
 * key is NOT_SET_UP.
 */
export async function openProvingBuild(dir: string): Promise<ProvingBuild> {
  const file = path.join(dir, MANIFEST);
  if (!(await pathExists(file))) {
    throw new PipelineError(
      "BUILD_NOT_FOUND",
      `${dir} is not a zkvm build directory (no ${MANIFEST}); run 'zkvm compile' first`,
      { path: dir },
    );
  }
  const m = await readJsonFile<Record<string, unknown>>(file).catch((e: unknown) => {
    throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} is truncated or not JSON`, {
      cause: e,
      path: file,
    });
  });
  const files = typeof m === "object" && m !== null ? m.files : undefined;
  const direct = typeof m === "object" && m !== null && m.backend === "direct";
  if (
    typeof files !== "object" ||
    files === null ||
    !Object.values(files).every(isHashedFile) ||
    // A witness generator: the build's wasm, or (direct backend) its program, .circom and .r1cs.
    !(direct
      ? ["circom", "r1cs"].every((k) => isHashedFile((files as Record<string, unknown>)[k]))
      : isHashedFile((files as Record<string, unknown>).wasm))
  ) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `${MANIFEST} does not list the build's files with their sha256; run 'zkvm compile' again`,
      { path: file },
    );
  }
  const setup = m.setup as Record<string, unknown> | undefined;
  if (setup === undefined) {
    throw new PipelineError(
      "NOT_SET_UP",
      `${dir} has no proving key yet; run 'zkvm setup ${dir}' first`,
      { path: dir },
    );
  }
  if (
    typeof setup !== "object" ||
    setup === null ||
    typeof setup.zkey !== "string" ||
    typeof setup.zkeySha256 !== "string" ||
    typeof setup.vkeySha256 !== "string"
  ) {
    throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} has a bad setup record`, { path: file });
  }
  const manifest = m as unknown as ProvingManifest;
  await checkArtifacts(dir, manifest);
  return {
    dir,
    zkey: path.join(dir, manifest.setup.zkey),
    ...(direct ? {} : { wasm: path.join(dir, manifest.files.wasm!.path) }),
    vkey: await readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY)),
    buildHash: buildHash(manifest),
  };
}

/**
 * Whether each of `processes` prover processes on this machine should prove
 * on one thread: yes when there is one per core or more. Each would
 * otherwise start a worker per core, and the processes would contend for the
 * cores (measured in bench/segments.ts: a 40-segment chain on 2 cores took
 * 0.87× the wall time of one process that way).
 */
export function oneThreadEach(processes: number): boolean {
  return processes > 1 && processes >= availableParallelism();
}

/** `input` as JSON: bigints become decimal strings (a child process and a queue carry JSON). */
export function jsonInput(input: CircuitInput): JsonCircuitInput {
  const value = (v: CircuitInputValue): JsonInputValue =>
    typeof v === "bigint" ? v.toString() : Array.isArray(v) ? v.map(value) : v;
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, value(v)]));
}

/** Checks a proof that came from another process against the build's key. */
export async function verifyJob(
  build: ProvingBuild,
  job: { proof: unknown; publicSignals: unknown },
): Promise<VerifyResult> {
  return verify(build.vkey, job.publicSignals, job.proof);
}

/**
 * The default prover: the witness from the build's wasm, or for a direct
 * build from its program (checked against its manifest, src/build/proofs.ts),
 * then a Groth16 proof with zkvm's prover. The build is opened once per
 * process and directory. `oneThread`: prove on this thread alone, as a
 * pool's children do when there is one per core (they would otherwise each
 * start a worker per core and contend for the cores).
 */
export async function proveInput(
  target: ProvingTarget,
  input: JsonCircuitInput,
  { oneThread = false }: { readonly oneThread?: boolean } = {},
): Promise<{
  proof: Groth16Proof;
  publicSignals: string[];
  timings: { witnessMs: number; proveMs: number };
}> {
  const threads = oneThread ? { workers: false } : {};
  if (target.wasm !== undefined) {
    const { proof, publicSignals, timings } = await prove(target.zkey, target.wasm, input, threads);
    return { proof, publicSignals, timings };
  }
  let build = directBuilds.get(target.dir);
  if (build === undefined) {
    // Imported here: src/build imports this module's package (src/pipeline).
    const { openSetUpBuild } = await import("../build/directory.js");
    build = openSetUpBuild(target.dir);
    directBuilds.set(target.dir, build);
    build.catch(() => directBuilds.delete(target.dir));
  }
  const { directBuildWitness } = await import("../build/proofs.js");
  const strings = Object.fromEntries(
    Object.entries(input).map(([k, v]) => [k, typeof v === "number" ? String(v) : v]),
  ) as Record<string, string>;
  const w0 = performance.now();
  const witness = await directBuildWitness(await build, strings);
  const { proof, publicSignals, timings } = await proveWitness(
    target.zkey,
    witness,
    Math.round(performance.now() - w0),
    threads,
  );
  return { proof, publicSignals, timings };
}

const directBuilds = new Map<
  string,
  ReturnType<typeof import("../build/directory.js").openSetUpBuild>
>();

/** Parent → child: prove `input`. */
export interface ChildRequest {
  readonly id: number;
  readonly target: ProvingTarget;
  readonly input: JsonCircuitInput;
  readonly prover?: string;
  /** Prove on the child's thread alone (see `oneThreadEach`). */
  readonly oneThread?: boolean;
}

/** Child → parent. */
export type ChildReply =
  | { readonly kind: "ready" }
  | ({ readonly kind: "proved"; readonly id: number } & Awaited<ReturnType<ProverModule["prove"]>>)
  | {
      readonly kind: "failed";
      readonly id: number;
      readonly code: string;
      readonly message: string;
    };

/** The child's entry point beside this file: .ts under tsx (tests, `npm run zkvm`), .js in dist/. */
function childEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const file = path.join(path.dirname(here), `prover-child${ext}`);
  if (!existsSync(file)) throw new Error(`the prover child ${file} is missing`);
  const execArgv = [...process.execArgv];
  if (ext === ".ts" && !execArgv.some((a) => a.includes("tsx"))) execArgv.push("--import", "tsx");
  return { file, execArgv };
}

/** A proof failure with the code the child reported (WITNESS_FAILED, PROVE_FAILED, ...). */
function childError(code: string, message: string): ZkvmError {
  return new PipelineError(code as PipelineErrorCode, message);
}

/**
 * One prover child process, forked on first use and reused for job after
 * job; if it dies, the job it had fails with PROVER_DIED and the next job
 * forks a new one. `close()` ends it (it also ends when this process does).
 */
export class ProverProcess {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;
  private pending = new Map<
    number,
    { resolve: (r: ChildReply) => void; reject: (e: unknown) => void }
  >();

  constructor(
    private readonly prover?: string,
    private readonly oneThread = false,
  ) {}

  /** The child's pid once it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Forks the child if it is not running; resolves once it is ready for a job. */
  start(): Promise<void> {
    if (this.ready !== undefined) return this.ready;
    const { file, execArgv } = childEntry();
    // The child's stdout goes to our stderr: a worker's --json stdout carries only its events.
    const child = fork(file, [], {
      execArgv,
      serialization: "advanced",
      stdio: ["ignore", 2, 2, "ipc"],
    });
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      child.on("message", (reply: ChildReply) => {
        if (reply.kind === "ready") return resolve();
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        waiter?.resolve(reply);
      });
      child.on("exit", (code, signal) => {
        const died = new PipelineError(
          "PROVER_DIED",
          `the prover process ${child.pid ?? "?"} exited (${signal ?? `status ${code ?? "?"}`})`,
        );
        reject(died);
        for (const waiter of this.pending.values()) waiter.reject(died);
        this.pending.clear();
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
      });
      child.on("error", (e) => reject(e));
    });
    return this.ready;
  }

  /** Proves one input in the child; rejects with the child's error, or PROVER_DIED. */
  async prove(
    build: ProvingTarget,
    input: JsonCircuitInput,
  ): Promise<Awaited<ReturnType<ProverModule["prove"]>>> {
    await this.start();
    const child = this.child!;
    const id = this.nextId++;
    const reply = await new Promise<ChildReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: ChildRequest = {
        id,
        target: {
          dir: build.dir,
          zkey: build.zkey,
          ...(build.wasm !== undefined ? { wasm: build.wasm } : {}),
        },
        input,
        ...(this.prover !== undefined ? { prover: path.resolve(this.prover) } : {}),
        ...(this.oneThread ? { oneThread: true } : {}),
      };
      child.send(request, (e) => {
        if (e) {
          this.pending.delete(id);
          reject(new PipelineError("PROVER_DIED", `cannot reach the prover process: ${e.message}`));
        }
      });
    });
    if (reply.kind === "failed") throw childError(reply.code, reply.message);
    if (reply.kind !== "proved") throw new Error("unexpected reply from the prover process");
    const { proof, publicSignals, timings } = reply;
    return { proof, publicSignals, ...(timings ? { timings } : {}) };
  }

  /** Ends the child (a job in it fails with PROVER_DIED); resolves once it has exited. */
  async close(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }
}

/** A job's error, its message prefixed with the job's index. */
function jobError(index: number, e: unknown): ZkvmError {
  if (e instanceof PipelineError) {
    return new PipelineError(e.code, `job ${index}: ${e.message}`, {
      cause: e,
      ...(e.path !== undefined ? { path: e.path } : {}),
    });
  }
  if (e instanceof ZkvmError) return e;
  return new PipelineError("PROVE_FAILED", `job ${index}: ${errorMessage(e)}`, { cause: e });
}

function event(
  onProgress: ProveManyOptions["onProgress"],
  e: Omit<PoolEvent, "stage" | "message">,
  message: string,
): void {
  if (onProgress === undefined) return;
  try {
    onProgress({ stage: "jobs", message: `job ${e.index + 1}/${e.total} ${message}`, ...e });
  } catch {
    // A progress callback must not be able to fail the proofs.
  }
}

/** Proves every input with the build in `buildDir`, in child processes on this machine; see the API above. */
export async function proveMany(
  buildDir: string,
  inputs: readonly CircuitInput[],
  options: ProveManyOptions = {},
): Promise<ProvedJob[]> {
  const build = await openProvingBuild(buildDir);
  const total = inputs.length;
  const jobs = inputs.map(jsonInput);
  const local = options.local ?? availableParallelism();
  if (!Number.isSafeInteger(local) || local < 1) {
    throw new PipelineError("PROVE_FAILED", `local must be a positive integer, got ${local}`);
  }
  const retries = options.retries ?? 2;
  const { onProgress } = options;
  const results = new Array<ProvedJob | undefined>(total);
  for (let index = 0; index < total; index++)
    event(onProgress, { index, total, state: "queued" }, "queued");

  const count = Math.min(local, total);
  const provers = Array.from(
    { length: count },
    () => new ProverProcess(options.prover, oneThreadEach(count)),
  );
  let next = 0;
  let failure: ZkvmError | undefined;

  const proveJob = async (prover: ProverProcess, index: number): Promise<ProvedJob> => {
    for (let attempt = 0; ; attempt++) {
      const start = performance.now();
      await prover.start();
      const worker = `local:${prover.pid ?? "?"}`;
      event(onProgress, { index, total, state: "proving", worker }, `proving (${worker})`);
      try {
        const made = await prover.prove(build, jobs[index]!);
        const check = await verifyJob(build, made);
        if (check.valid) {
          const elapsedMs = Math.round(performance.now() - start);
          event(
            onProgress,
            { index, total, state: "proved", worker, elapsedMs },
            `proved (${worker})`,
          );
          return { ...made, worker };
        }
        event(
          onProgress,
          { index, total, state: "invalid", worker },
          `returned an invalid proof (${check.reason ?? "does not verify"})`,
        );
        if (attempt >= retries) {
          throw new PipelineError(
            "PROOF_INVALID",
            `the proof does not verify with ${path.join(build.dir, VKEY)} after ${attempt + 1} tries (${check.reason ?? "invalid"})`,
            { path: build.zkey },
          );
        }
      } catch (e) {
        if (!(e instanceof PipelineError) || e.code !== "PROVER_DIED" || attempt >= retries)
          throw e;
        if (failure !== undefined) throw e;
        event(onProgress, { index, total, state: "retrying", worker }, `retrying: ${e.message}`);
      }
    }
  };

  const drain = async (prover: ProverProcess): Promise<void> => {
    while (failure === undefined && next < total) {
      const index = next++;
      try {
        results[index] = await proveJob(prover, index);
      } catch (e) {
        if (failure === undefined) {
          failure = jobError(index, e);
          event(onProgress, { index, total, state: "failed" }, `failed: ${errorMessage(e)}`);
          // Stop the other children at once: their jobs are no longer needed.
          await Promise.all(provers.map((p) => p.close()));
        }
        return;
      }
    }
  };

  try {
    await Promise.all(provers.map(drain));
  } finally {
    await Promise.all(provers.map((p) => p.close()));
  }
  if (failure !== undefined) throw failure;
  return results.map((r) => r!);
}

/** The name a worker gives itself in job results: `<host>:<pid>`. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}
