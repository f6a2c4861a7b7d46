/**
 * zkvm/distributed: proving many witness inputs across machines, on BullMQ
 * and Redis. An optional entry: neither the base CLI path nor the browser
 * bundle loads it, and without `queue` nothing here touches Redis.
 *
 *   proveMany(buildDir, inputs, { queue?: "redis://HOST:PORT", queueName?, run?,
 *                                 local?, onProgress?, prover?, retries?, pollMs? })
 *     → Promise<ProvedJob[]>   (in the order of `inputs`)
 *     Without `queue`: src/pipeline/pool.ts's proveMany (child processes here).
 *     With `queue`: one job per input on the queue, proven by `zkvm worker`
 *     processes (startWorker) that hold the same build; every proof is
 *     verified here against the build's key, and one that does not verify is
 *     proven again. onProgress also receives a RunEvent with the run's name.
 *   resumeRun(buildDir, run, { queue, queueName?, onProgress?, retries? })
 *     → the same result, for a run whose coordinator stopped.
 *   startWorker(buildDir, { queue, queueName?, concurrency?, lockSeconds?,
 *                           stalledCheckSeconds?, prover?, onEvent? }) → RunningWorker
 *
 * Trust: a worker sees every witness input it proves, private inputs
 * included; run workers only where those inputs may go (docs/DISTRIBUTED.md).
 */
import {
  proveMany as proveLocally,
  type ProveManyOptions,
  type ProvedJob,
} from "../pipeline/pool.js";
import type { CircuitInput } from "../pipeline/prove.js";
import { proveOnQueue, type QueueRunOptions } from "./coordinator.js";

export { resumeRun, type QueueRunOptions, type RunEvent } from "./coordinator.js";
export { startWorker, type RunningWorker, type WorkerEvent, type WorkerOptions } from "./worker.js";
export { DEFAULT_QUEUE_NAME, type JobData, type JobResult } from "./queue.js";
export type { PoolEvent, ProvedJob, ProveManyOptions } from "../pipeline/pool.js";

export type DistributedProveOptions = Omit<ProveManyOptions, "onProgress"> &
  Partial<Omit<QueueRunOptions, "queue">> & { readonly queue?: string };

/** See the module comment: local child processes, or the queue's workers with `queue`. */
export async function proveMany(
  buildDir: string,
  inputs: readonly CircuitInput[],
  options: DistributedProveOptions = {},
): Promise<ProvedJob[]> {
  const { queue, onProgress, ...rest } = options;
  if (queue === undefined) {
    return proveLocally(buildDir, inputs, {
      ...rest,
      ...(onProgress ? { onProgress: (e) => onProgress(e) } : {}),
    });
  }
  return proveOnQueue(buildDir, inputs, { ...rest, queue, ...(onProgress ? { onProgress } : {}) });
}
