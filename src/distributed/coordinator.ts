/**
 * The coordinator's side of a queue run: enqueue one job per witness input,
 * gather the proofs as workers finish them, check each against this build's
 * verification key, and put a job whose proof does not verify back on the
 * queue. Results are read from the jobs themselves (a job completes once: a
 * worker that lost its lock cannot complete it), so a coordinator that died
 * can be replaced by `resumeRun` without losing or repeating a proof. When
 * every proof is in, the run's jobs and record are deleted: the witnesses do
 * not stay on Redis.
 */
import { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { ZkvmError } from "../errors.js";
import { errorMessage, PipelineError } from "../pipeline/errors.js";
import {
  jsonInput,
  openProvingBuild,
  verifyJob,
  type PoolEvent,
  type ProvedJob,
  type ProvingBuild,
} from "../pipeline/pool.js";
import type { CircuitInput } from "../pipeline/prove.js";
import {
  checkReachable,
  checkRunName,
  connect,
  describeUrl,
  jobId,
  newRunName,
  queueNameOf,
  runKey,
  type JobData,
  type JobResult,
  type QueueOptions,
  type RunRecord,
} from "./queue.js";

export interface QueueRunOptions extends QueueOptions {
  readonly onProgress?: (e: PoolEvent | RunEvent) => void;
  /** Extra tries of a job whose proof is invalid or whose worker failed it; default 2. */
  readonly retries?: number;
  /** The run's name (letters, digits, _); default 12 random hex digits. */
  readonly run?: string;
  /** How often the jobs' states are read (ms); default 200. */
  readonly pollMs?: number;
}

/** The run's start (or take-over), with its name: what `--resume` needs. */
export interface RunEvent {
  readonly stage: "run";
  readonly message: string;
  readonly run: string;
  readonly total: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens the queue on a checked connection; the caller closes it. */
async function openQueue(
  options: QueueOptions,
): Promise<{ queue: Queue; name: string; client: Redis; close(): Promise<void> }> {
  const name = queueNameOf(options);
  await checkReachable(options.queue);
  const client = connect(options.queue);
  const queue = new Queue(name, { connection: client });
  queue.on("error", () => undefined);
  return {
    queue,
    name,
    client,
    close: async () => {
      await queue.close();
      client.disconnect();
    },
  };
}

/** Proves `inputs` on the queue's workers; see src/distributed/index.ts. */
export async function proveOnQueue(
  buildDir: string,
  inputs: readonly CircuitInput[],
  options: QueueRunOptions,
): Promise<ProvedJob[]> {
  const build = await openProvingBuild(buildDir);
  const run = checkRunName(options.run ?? newRunName());
  const { queue, name, client, close } = await openQueue(options);
  try {
    const record: RunRecord = {
      buildHash: build.buildHash,
      total: inputs.length,
      createdAt: new Date().toISOString(),
    };
    // NX: a run's jobs are never mixed with another call's.
    const created = await client.set(runKey(name, run), JSON.stringify(record), "NX");
    if (created === null) {
      throw new PipelineError(
        "QUEUE_FAILED",
        `run ${run} already exists on queue '${name}'; resume it instead (--resume ${run})`,
      );
    }
    await queue.addBulk(
      inputs.map((input, index) => {
        const data: JobData = { run, index, buildHash: build.buildHash, input: jsonInput(input) };
        return {
          name: "prove",
          data,
          opts: {
            jobId: jobId(run, index),
            attempts: 3,
            removeOnComplete: false,
            removeOnFail: false,
          },
        };
      }),
    );
    return await gather(queue, client, name, build, run, record, options);
  } finally {
    await close();
  }
}

/**
 * Takes over a run whose coordinator died (or lost Redis): its jobs are still
 * on the queue, proven or not; gathers them as `proveOnQueue` does. The build
 * must be the run's (BUILD_MISMATCH); a run that is not there, or whose jobs
 * were lost (Redis restarted without persistence), is RUN_NOT_FOUND.
 */
export async function resumeRun(
  buildDir: string,
  run: string,
  options: QueueRunOptions,
): Promise<ProvedJob[]> {
  const build = await openProvingBuild(buildDir);
  checkRunName(run);
  const { queue, name, client, close } = await openQueue(options);
  try {
    const text = await client.get(runKey(name, run));
    if (text === null) {
      throw new PipelineError(
        "RUN_NOT_FOUND",
        `no run ${run} on queue '${name}' at ${describeUrl(options.queue)} (finished and removed, never started, or lost with a Redis server without persistence)`,
      );
    }
    const record = JSON.parse(text) as RunRecord;
    if (record.buildHash !== build.buildHash) {
      throw new PipelineError(
        "BUILD_MISMATCH",
        `run ${run} is for build ${record.buildHash.slice(0, 12)}…, ${buildDir} is ${build.buildHash.slice(0, 12)}…`,
        { path: buildDir },
      );
    }
    return await gather(queue, client, name, build, run, record, options);
  } finally {
    await close();
  }
}

function emit(options: QueueRunOptions, e: PoolEvent | RunEvent): void {
  try {
    options.onProgress?.(e);
  } catch {
    // A progress callback must not be able to fail the run.
  }
}

function jobEvent(
  options: QueueRunOptions,
  e: Omit<PoolEvent, "stage" | "message">,
  message: string,
): void {
  emit(options, { stage: "jobs", message: `job ${e.index + 1}/${e.total} ${message}`, ...e });
}

async function gather(
  queue: Queue,
  client: Redis,
  queueName: string,
  build: ProvingBuild,
  run: string,
  record: RunRecord,
  options: QueueRunOptions,
): Promise<ProvedJob[]> {
  const { total } = record;
  const retries = options.retries ?? 2;
  const pollMs = options.pollMs ?? 200;
  emit(options, {
    stage: "run",
    run,
    total,
    message: `run ${run}: ${total} job${total === 1 ? "" : "s"} on queue '${queueName}' at ${describeUrl(options.queue)} (if this process stops, continue with --resume ${run})`,
  });
  const results = new Array<ProvedJob | undefined>(total);
  const pending = new Set(Array.from({ length: total }, (_, i) => i));
  const retried = new Array<number>(total).fill(0);
  const seenActive = new Map<number, string>();
  for (const index of pending) jobEvent(options, { index, total, state: "queued" }, "queued");

  const retry = async (job: Job, index: number, from: "completed" | "failed", why: string) => {
    if (retried[index]! >= retries) {
      throw new PipelineError(
        from === "completed" ? "PROOF_INVALID" : "QUEUE_FAILED",
        `job ${index}: ${why}, ${retried[index]! + 1} times`,
      );
    }
    retried[index]!++;
    seenActive.delete(index);
    await job.retry(from, { resetAttemptsMade: true, resetAttemptsStarted: true });
  };

  try {
    while (pending.size > 0) {
      for (const index of [...pending]) {
        const id = jobId(run, index);
        // The state first, then the job: a job read first could complete in between, without its result.
        const state = await queue.getJobState(id);
        const job = await Job.fromId<JobData, JobResult>(queue, id);
        if (job === undefined || state === "unknown") {
          throw new PipelineError(
            "RUN_NOT_FOUND",
            `job ${index} of run ${run} is gone from the queue (removed, or Redis lost its data)`,
          );
        }
        if (
          state === "active" &&
          job.processedBy !== undefined &&
          seenActive.get(index) !== job.processedBy
        ) {
          seenActive.set(index, job.processedBy);
          jobEvent(
            options,
            { index, total, state: "proving", worker: job.processedBy },
            `proving (${job.processedBy})`,
          );
        } else if (state === "completed") {
          const result = job.returnvalue;
          const worker = typeof result?.worker === "string" ? result.worker : "?";
          const check = await verifyJob(build, result ?? {});
          if (check.valid) {
            const elapsedMs =
              job.finishedOn !== undefined && job.processedOn !== undefined
                ? job.finishedOn - job.processedOn
                : undefined;
            results[index] = {
              proof: result.proof,
              publicSignals: result.publicSignals,
              ...(result.timings ? { timings: result.timings } : {}),
              worker,
            };
            pending.delete(index);
            jobEvent(
              options,
              {
                index,
                total,
                state: "proved",
                worker,
                ...(elapsedMs !== undefined ? { elapsedMs } : {}),
              },
              `proved (${worker})`,
            );
          } else {
            const why = `${worker} returned a proof that does not verify (${check.reason ?? "invalid"})`;
            jobEvent(
              options,
              { index, total, state: "invalid", worker },
              `${why}: proving it again`,
            );
            await retry(job, index, "completed", why);
          }
        } else if (state === "failed") {
          const reason = job.failedReason ?? "failed";
          const code = /^([A-Z_]+): /.exec(reason)?.[1];
          if (code === "WITNESS_FAILED" || code === "PROVE_FAILED" || code === "QUEUE_FAILED") {
            jobEvent(options, { index, total, state: "failed" }, `failed: ${reason}`);
            throw new PipelineError(code, `job ${index}: ${reason.slice(code.length + 2)}`);
          }
          jobEvent(options, { index, total, state: "retrying" }, `retrying: ${reason}`);
          await retry(job, index, "failed", `failed on the workers (${reason})`);
        }
      }
      if (pending.size > 0) await sleep(pollMs);
    }
  } catch (e) {
    // A job that cannot be proven ends the run: nothing is left to resume.
    if (e instanceof PipelineError && e.code !== "RUN_NOT_FOUND") {
      await removeRun(queue, client, queueName, run, total);
    }
    if (e instanceof ZkvmError) throw e;
    throw new PipelineError("QUEUE_FAILED", `run ${run}: ${errorMessage(e)}`, { cause: e });
  }
  await removeRun(queue, client, queueName, run, total);
  return results.map((r) => r!);
}

/**
 * Deletes a run's jobs (their witnesses) and its record. A job a worker still
 * holds cannot be removed; its worker finishes it into nothing.
 */
async function removeRun(
  queue: Queue,
  client: Redis,
  queueName: string,
  run: string,
  total: number,
): Promise<void> {
  for (let index = 0; index < total; index++) {
    await queue.remove(jobId(run, index)).catch(() => undefined);
  }
  await client.del(runKey(queueName, run));
}
