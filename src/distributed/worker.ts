/**
 * A queue worker (`zkvm worker DIR --queue redis://…`): takes jobs from the
 * BullMQ queue and proves each in a forked child process (one per
 * `concurrency` slot), with the keys of its own build directory.
 *
 * - The child proves; this process only renews the job's lock, so a long
 *   proof never loses it (a CPU-bound job in BullMQ's own thread does, and is
 *   run twice). The child exits when this process dies.
 * - A job whose build hash is not this build's is put back on the queue
 *   untouched and the worker stops with BUILD_MISMATCH: it could never prove
 *   any job of that run.
 * - Killed (SIGKILL, power loss), its job's lock expires after `lockSeconds`
 *   and another worker's stalled-job check (every `stalledCheckSeconds`) puts
 *   the job back: it is proven elsewhere, once.
 * - `stop()` (the CLI's SIGTERM and SIGINT) takes no new job, finishes the
 *   current ones, then ends the children and the connections.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import { ZkvmError } from "../errors.js";
import { errorMessage, PipelineError } from "../pipeline/errors.js";
import {
  openProvingBuild,
  oneThreadEach,
  ProverProcess,
  workerName,
  type ProvingBuild,
} from "../pipeline/pool.js";
import {
  checkReachable,
  connect,
  isJobData,
  queueNameOf,
  type JobData,
  type JobResult,
  type QueueOptions,
} from "./queue.js";

export interface WorkerOptions extends QueueOptions {
  /** Jobs proven at once, each in its own child process; default 1 (a proof uses every core). */
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal (seconds); default 10. */
  readonly lockSeconds?: number;
  /** How often this worker looks for jobs whose lock expired (seconds); default 5. */
  readonly stalledCheckSeconds?: number;
  /** A module the children prove with instead of snarkjs (src/pipeline/pool.ts ProverModule). */
  readonly prover?: string;
  readonly onEvent?: (e: WorkerEvent) => void;
}

/** What a worker reports; the CLI prints these (as JSON lines with --json). */
export interface WorkerEvent {
  readonly event: "ready" | "taken" | "proved" | "failed" | "refused" | "stopping" | "stopped";
  readonly worker: string;
  readonly message: string;
  readonly job?: string;
  readonly run?: string;
  readonly index?: number;
  /** The prover child's pid, for "taken". */
  readonly childPid?: number;
  readonly elapsedMs?: number;
}

export interface RunningWorker {
  /** `<host>:<pid>`, as job results name it. */
  readonly name: string;
  readonly build: ProvingBuild;
  /** Finishes the current jobs, takes no new one, then closes everything. */
  stop(): Promise<void>;
  /** Settles once the worker has stopped: rejects with BUILD_MISMATCH if it stopped on one. */
  readonly stopped: Promise<void>;
}

/** Codes of job errors that proving the same input again cannot fix. */
const FINAL_CODES = new Set(["WITNESS_FAILED", "PROVE_FAILED"]);

function secondsOption(value: number | undefined, fallback: number, what: string): number {
  const s = value ?? fallback;
  if (!Number.isFinite(s) || s <= 0) {
    throw new PipelineError("QUEUE_FAILED", `${what} must be a positive number of seconds`);
  }
  return Math.round(s * 1000);
}

/** Opens and checks the build, connects, and starts taking jobs. */
export async function startWorker(dir: string, options: WorkerOptions): Promise<RunningWorker> {
  const build = await openProvingBuild(dir);
  const queueName = queueNameOf(options);
  await checkReachable(options.queue);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new PipelineError("QUEUE_FAILED", `concurrency must be a positive integer`);
  }
  const lockDuration = secondsOption(options.lockSeconds, 10, "the lock time");
  const stalledInterval = secondsOption(options.stalledCheckSeconds, 5, "the stalled-job check");
  const name = workerName();
  const emit = (e: Omit<WorkerEvent, "worker">): void => {
    try {
      options.onEvent?.({ worker: name, ...e });
    } catch {
      // A listener must not fail a job.
    }
  };
  const provers = Array.from(
    { length: concurrency },
    () => new ProverProcess(options.prover, oneThreadEach(concurrency)),
  );
  const free = [...provers];
  let mismatch: PipelineError | undefined;
  let stopping: Promise<void> | undefined;

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    const data = job.data as unknown;
    const label = `job ${job.id ?? "?"}`;
    if (!isJobData(data)) throw new UnrecoverableError(`QUEUE_FAILED: ${label} is not a zkvm job`);
    const { run, index } = data as JobData;
    if (mismatch !== undefined || data.buildHash !== build.buildHash) {
      const message = `${label} is for build ${data.buildHash.slice(0, 12)}…, this worker has ${build.buildHash.slice(0, 12)}… (${dir}): put back on the queue`;
      mismatch ??= new PipelineError(
        "BUILD_MISMATCH",
        `${message}; this worker stops (give it the coordinator's build directory: the same circuit and keys)`,
        { path: dir },
      );
      await job.log(`refused by ${name}: ${message}`);
      await job.moveToWait(token);
      emit({ event: "refused", job: job.id!, run, index, message });
      setImmediate(() => void stop());
      throw new WaitingError();
    }
    const prover = free.pop();
    if (prover === undefined) throw new Error("more jobs than prover processes");
    const start = performance.now();
    try {
      await prover.start();
      emit({
        event: "taken",
        job: job.id!,
        run,
        index,
        message: `${label}: proving (child ${prover.pid ?? "?"})`,
        ...(prover.pid !== undefined ? { childPid: prover.pid } : {}),
      });
      const made = await prover.prove(build, data.input);
      const elapsedMs = Math.round(performance.now() - start);
      emit({ event: "proved", job: job.id!, run, index, elapsedMs, message: `${label}: proved` });
      return { ...made, worker: name };
    } catch (e) {
      const code = e instanceof ZkvmError ? e.code : "PROVE_FAILED";
      const message = `${code}: ${errorMessage(e)}`;
      emit({ event: "failed", job: job.id!, run, index, message: `${label}: ${message}` });
      // The same input fails the same way anywhere; a dead child is worth another try.
      throw FINAL_CODES.has(code) ? new UnrecoverableError(message) : new Error(message);
    } finally {
      free.push(prover);
    }
  };

  const connection = connect(options.queue);
  const worker = new Worker(queueName, processor, {
    connection,
    name,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount: 3,
    // Results stay until the coordinator has read them (and then removes the run).
    removeOnComplete: { count: 100_000 },
    removeOnFail: { count: 100_000 },
  });
  // Lost connections are retried; a listener keeps them from being unhandled errors.
  worker.on("error", () => undefined);

  let resolveStopped!: () => void;
  let rejectStopped!: (e: unknown) => void;
  const stopped = new Promise<void>((resolve, reject) => {
    resolveStopped = resolve;
    rejectStopped = reject;
  });
  // A caller that never awaits `stopped` must not see an unhandled rejection.
  stopped.catch(() => undefined);

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      emit({ event: "stopping", message: "finishing the current job, taking no new one" });
      try {
        await worker.close();
      } finally {
        await Promise.all(provers.map((p) => p.close()));
        connection.disconnect();
      }
      emit({ event: "stopped", message: "stopped" });
      if (mismatch !== undefined) rejectStopped(mismatch);
      else resolveStopped();
    })();
    return stopping;
  };

  await worker.waitUntilReady();
  emit({
    event: "ready",
    message: `ready: build ${build.buildHash.slice(0, 12)}… (${dir}), queue '${queueName}', ${concurrency} prover process${concurrency === 1 ? "" : "es"}`,
  });
  return { name, build, stop, stopped };
}
