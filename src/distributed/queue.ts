/**
 * What a coordinator and its workers share on Redis: the connection, the
 * queue's name, a job's data and result, and a run's record.
 *
 * A job carries one witness input and the hash of the build it is for
 * (src/pipeline/pool.ts `buildHash`); its result is the proof and public
 * signals. Nothing else travels: no proving key, no verification key, no
 * program. A run is the jobs of one `proveMany` call: jobs `<run>-<i>`, and a
 * record `zkvm-run:<queue>:<run>` with their count and build hash, so that a
 * new coordinator can take the run over (`resume`).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { errorMessage, PipelineError } from "../pipeline/errors.js";
import type { JsonCircuitInput, ProverModule } from "../pipeline/pool.js";

/** The queue both sides use unless told otherwise (`--queue-name`). */
export const DEFAULT_QUEUE_NAME = "zkvm";

export interface QueueOptions {
  /** redis://[user:password@]HOST:PORT[/DB] (or rediss:// for TLS). */
  readonly queue: string;
  /** The BullMQ queue's name; default "zkvm". Coordinator and workers must agree. */
  readonly queueName?: string;
}

/** A queue job's data. */
export interface JobData {
  readonly run: string;
  readonly index: number;
  readonly buildHash: string;
  readonly input: JsonCircuitInput;
}

/** A queue job's result. */
export type JobResult = Awaited<ReturnType<ProverModule["prove"]>> & { readonly worker: string };

/** A run's record on Redis. */
export interface RunRecord {
  readonly buildHash: string;
  readonly total: number;
  readonly createdAt: string;
}

/** BullMQ job ids cannot contain ':'. */
export function jobId(run: string, index: number): string {
  return `${run}-${index}`;
}

export function runKey(queueName: string, run: string): string {
  return `zkvm-run:${queueName}:${run}`;
}

const RUN_RE = /^[A-Za-z0-9_]{1,64}$/;

/** A fresh run name: 12 random hex digits. */
export function newRunName(): string {
  return randomBytes(6).toString("hex");
}

export function checkRunName(run: string): string {
  if (!RUN_RE.test(run)) {
    throw new PipelineError(
      "RUN_NOT_FOUND",
      `'${run}' is not a run name (letters, digits and _, at most 64)`,
    );
  }
  return run;
}

export function queueNameOf(options: QueueOptions): string {
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new PipelineError(
      "QUEUE_UNREACHABLE",
      `'${name}' is not a queue name (letters, digits, '.', '-' and '_')`,
    );
  }
  return name;
}

/** The URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

function checkUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = "";
  }
  if (protocol !== "redis:" && protocol !== "rediss:") {
    throw new PipelineError(
      "QUEUE_UNREACHABLE",
      `--queue ${describeUrl(url)}: expected a redis://HOST:PORT URL`,
    );
  }
}

/**
 * A connection for BullMQ: commands wait while Redis is down and go on once
 * it is back (a restarted server loses no run, with persistence on).
 */
export function connect(url: string): Redis {
  checkUrl(url);
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  // Connection errors are retried by ioredis; without a listener each would be an unhandled 'error'.
  redis.on("error", () => undefined);
  return redis;
}

/** Fails at once with QUEUE_UNREACHABLE when nothing answers at `url`. */
export async function checkReachable(url: string): Promise<void> {
  checkUrl(url);
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new PipelineError(
      "QUEUE_UNREACHABLE",
      `cannot reach Redis at ${describeUrl(url)} (${errorMessage(e)}); start redis-server there or check --queue`,
      { cause: e },
    );
  } finally {
    probe.disconnect();
  }
}

export function isJobData(d: unknown): d is JobData {
  if (typeof d !== "object" || d === null) return false;
  const r = d as Record<string, unknown>;
  return (
    typeof r.run === "string" &&
    typeof r.index === "number" &&
    typeof r.buildHash === "string" &&
    typeof r.input === "object" &&
    r.input !== null
  );
}
