/**
 * `--queue URL [--queue-name NAME] [--resume RUN]` of the proving commands:
 * prove on a Redis queue's `zkvm worker` processes instead of here. The
 * optional zkvm/distributed entry (BullMQ, ioredis) is loaded only when
 * --queue is given.
 */
import type { ExternalProver } from "../build/proofs.js";
import type { Progress } from "../pipeline/index.js";
import { UsageError } from "./common.js";

export const queueOptions = {
  queue: { type: "string" },
  "queue-name": { type: "string" },
  resume: { type: "string" },
} as const;

export interface QueueValues {
  queue?: string | undefined;
  "queue-name"?: string | undefined;
  resume?: string | undefined;
}

/** The distributed entry's options for these values (undefined without --queue). */
export function queueRunOptions(
  values: QueueValues,
): { queue: string; queueName?: string; resume?: string } | undefined {
  if (values.queue === undefined) {
    if (values.resume !== undefined || values["queue-name"] !== undefined) {
      throw new UsageError("--resume and --queue-name need --queue redis://HOST:PORT");
    }
    return undefined;
  }
  return {
    queue: values.queue,
    ...(values["queue-name"] !== undefined ? { queueName: values["queue-name"] } : {}),
    ...(values.resume !== undefined ? { resume: values.resume } : {}),
  };
}

/** One proof on the queue (a run of one job), or undefined without --queue. */
export async function queueProver(
  dir: string,
  values: QueueValues,
  onProgress: Progress | undefined,
): Promise<ExternalProver | undefined> {
  const options = queueRunOptions(values);
  if (options === undefined) return undefined;
  const { proveMany } = await import("../distributed/index.js");
  return async (input) => {
    const [proved] = await proveMany(dir, [input], {
      ...options,
      ...(onProgress ? { onProgress } : {}),
    });
    return proved!;
  };
}
