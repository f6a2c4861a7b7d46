/**
 * `zkvm worker`: proves queue jobs (src/distributed). The command's module
 * loads BullMQ and ioredis only when it runs, so the rest of the CLI never
 * does.
 */
import type { WorkerEvent } from "../distributed/index.js";
import { parse, UsageError, type Command } from "./common.js";

function seconds(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const s = Number(text);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || !(s > 0)) {
    throw new UsageError(`--${option} ${text}: expected a positive number of seconds`);
  }
  return s;
}

export const workerCommand: Command = {
  name: "worker",
  summary: "prove jobs from a Redis queue (zkvm prove --queue) with a build's keys",
  help: `Usage: zkvm worker DIR --queue redis://HOST:PORT [--queue-name NAME] [--concurrency C]
       [--lock SECONDS] [--stalled-check SECONDS] [--json]

Takes proving jobs from the BullMQ queue on Redis at --queue and proves each
with the set-up build in DIR (per-program, universal or segment), in a child
process. Only witness inputs and proofs travel; the keys stay in DIR. A job
made for another build (other circuit or keys) is put back on the queue and
this worker stops with BUILD_MISMATCH. SIGTERM or Ctrl-C: finish the current
job, take no new one, exit 0.

A worker sees the witness of every job it proves, private inputs included:
run workers only where those inputs may go (docs/DISTRIBUTED.md).

Options:
  --queue URL            the Redis server (redis://[user:password@]HOST:PORT[/DB])
  --queue-name NAME      the queue's name (default zkvm); the coordinator's must match
  --concurrency C        jobs at once, each in its own process (default 1: a proof uses every core)
  --lock SECONDS         a job's lock time: a killed worker's job is taken over after at most
                         this plus the stalled check (default 10)
  --stalled-check SECONDS  how often to look for jobs of dead workers (default 5)
  --prover-module M      prove with this module's prove(target, input) instead of zkvm's (testing)
  --json                 one JSON object per line per event (ready, taken, proved, refused, ...)`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        queue: { type: "string" },
        "queue-name": { type: "string" },
        concurrency: { type: "string" },
        lock: { type: "string" },
        "stalled-check": { type: "string" },
        "prover-module": { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    if (values.queue === undefined) throw new UsageError("missing --queue redis://HOST:PORT");
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    if (concurrency !== undefined && !(Number.isSafeInteger(concurrency) && concurrency >= 1)) {
      throw new UsageError(`--concurrency ${values.concurrency}: expected a positive integer`);
    }
    const lockSeconds = seconds(values.lock, "lock");
    const stalledCheckSeconds = seconds(values["stalled-check"], "stalled-check");
    const json = values.json === true;
    const start = performance.now();
    const onEvent = (e: WorkerEvent): void => {
      if (json) return io.out(JSON.stringify(e));
      const at = ((performance.now() - start) / 1000).toFixed(1).padStart(6);
      const took = e.elapsedMs !== undefined ? ` (${(e.elapsedMs / 1000).toFixed(2)} s)` : "";
      io.err(`[${at}s] worker ${e.worker}: ${e.message}${took}`);
    };
    const { startWorker } = await import("../distributed/index.js");
    const worker = await startWorker(positionals[0]!, {
      queue: values.queue,
      ...(values["queue-name"] !== undefined ? { queueName: values["queue-name"] } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(lockSeconds !== undefined ? { lockSeconds } : {}),
      ...(stalledCheckSeconds !== undefined ? { stalledCheckSeconds } : {}),
      ...(values["prover-module"] !== undefined ? { prover: values["prover-module"] } : {}),
      onEvent,
    });
    const stop = (): void => void worker.stop();
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    try {
      await worker.stopped;
    } finally {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    }
    return 0;
  },
};
