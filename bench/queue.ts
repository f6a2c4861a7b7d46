/**
 * Proving many jobs of one build: `npm run bench -- --queue [--jobs K]` (or
 * `node --import tsx bench/queue.ts [--jobs K]`). Writes
 * bench/queue-results.json and bench/queue-results.md.
 *
 * K witness inputs of the universal circuit at the test bounds (the cubic
 * example with x = 1..K) are proven three ways on this machine:
 * - proveMany with 1 local prover process, and with 2 (src/pipeline/pool.ts;
 *   each call forks its children, so their start-up is in the figure);
 * - proveMany with `queue` on a redis-server started here, with 2 `zkvm
 *   worker` processes (the real CLI), warmed by one run first (a worker keeps
 *   its prover child between jobs).
 * Wall time is from the call to its last verified proof; every proof is
 * verified by the caller in all three.
 */
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { proveMany } from "../src/distributed/index.js";
import { loadProgram } from "../src/load.js";
import { terminateCurves } from "../src/pipeline/index.js";
import type { CircuitInput } from "../src/pipeline/prove.js";
import { prepareProgram, universalInput } from "../src/universal/index.js";
import { startRedis, type RedisServer } from "../test/helpers/redis.js";
import { testCircuit } from "../test/helpers/universal.js";
import { spawnWorker, type SpawnedWorker } from "../test/helpers/workers.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface QueueFigure {
  readonly mode: "local" | "queue";
  /** Prover processes (local) or worker processes (queue). */
  readonly processes: number;
  readonly jobs: number;
  readonly wallMs: number;
  readonly msPerProof: number;
  /** Proofs by who made them. */
  readonly byWorker: Record<string, number>;
}

export interface QueueResults {
  readonly date: string;
  readonly machine: string;
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  readonly circuit: { readonly description: string; readonly constraints: number };
  readonly figures: QueueFigure[];
  /** local 2 / local 1, and queue 2 / local 1. */
  readonly ratios: { readonly local2: number; readonly queue2: number };
}

function tally(workers: readonly string[]): Record<string, number> {
  const byWorker: Record<string, number> = {};
  for (const w of workers) byWorker[w] = (byWorker[w] ?? 0) + 1;
  return byWorker;
}

async function timed(
  mode: QueueFigure["mode"],
  processes: number,
  run: () => Promise<Array<{ worker: string }>>,
): Promise<QueueFigure> {
  const start = performance.now();
  const results = await run();
  const wallMs = Math.round(performance.now() - start);
  return {
    mode,
    processes,
    jobs: results.length,
    wallMs,
    msPerProof: Math.round(wallMs / results.length),
    byWorker: tally(results.map((r) => r.worker)),
  };
}

/**
 * Runs `body` with `count` `zkvm worker` processes (the real CLI) for the
 * set-up build in `dir`, on a redis-server started here on 127.0.0.1 (the
 * tests' helper): `body` gets the queue's URL once every worker is ready.
 * Then the workers are stopped (SIGTERM, by pid) and waited for, and so is
 * the redis-server; its data directory is removed. Shared by the queue and
 * the segment-chain benches.
 */
export async function withQueueWorkers<T>(
  dir: string,
  count: number,
  body: (url: string) => Promise<T>,
): Promise<T> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-queue-bench-"));
  const workers: SpawnedWorker[] = [];
  let redis: RedisServer | undefined;
  try {
    redis = await startRedis(tmp);
    for (let i = 0; i < count; i++) workers.push(spawnWorker(dir, redis.url));
    await Promise.all(workers.map((w) => w.next((e) => e.event === "ready", 600_000)));
    return await body(redis.url);
  } finally {
    for (const w of workers) {
      w.dispose();
      w.process.kill("SIGTERM");
    }
    await Promise.all(workers.map((w) => w.exit));
    await redis?.stop();
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** K witness inputs of one set-up build, and what they are (for the report). */
export interface Workload {
  readonly dir: string;
  readonly description: string;
  readonly constraints: number;
  readonly inputs: CircuitInput[];
}

/** The default workload: cubic with x = 1..K on the universal circuit at the test bounds. */
async function universalJobs(jobs: number): Promise<Workload> {
  const circuit = await testCircuit();
  const program = loadProgram(
    readFileSync(path.join(BENCH_DIR, "..", "examples", "cubic.zkasm"), "utf8"),
  );
  const prepared = await prepareProgram(program, circuit.bounds);
  const inputs: CircuitInput[] = Array.from({ length: jobs }, (_, i) =>
    universalInput(prepared.canonical, prepared.program.io, circuit.bounds, {
      x: BigInt(i + 1),
    }),
  );
  const b = circuit.bounds;
  return {
    dir: circuit.dir,
    description: `the universal circuit at N = ${b.steps}, I ${b.maxInstructions}, M ${b.maxCells}, S ${b.maxStack}, IN ${b.maxInputs}, OUT ${b.maxOutputs}, W ${b.width}; one job = one witness input (cubic with x = 1..K)`,
    constraints: circuit.constraints,
    inputs,
  };
}

/**
 * Times `inputs` (default: universalJobs) proven with 1 and 2 local processes
 * and 2 queue workers. `workload` lets another study (a segment chain's
 * inputs with its segment build) reuse the measurement.
 */
export async function queueBench(
  options: {
    jobs?: number;
    log?: (line: string) => void;
    workload?: Workload;
  } = {},
): Promise<QueueResults> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const loadStart = os.loadavg();
  if (options.workload === undefined) {
    log(`queue bench: universal circuit at the test bounds (compiled and set up once, cached)`);
  }
  const circuit = options.workload ?? (await universalJobs(options.jobs ?? 8));
  const { inputs } = circuit;
  const jobs = inputs.length;
  const figures: QueueFigure[] = [];
  for (const local of [1, 2]) {
    log(`  ${jobs} jobs, ${local} local process${local === 1 ? "" : "es"}...`);
    figures.push(await timed("local", local, () => proveMany(circuit.dir, inputs, { local })));
    log(`  ... ${figures.at(-1)!.wallMs} ms`);
  }

  await withQueueWorkers(circuit.dir, 2, async (url) => {
    log(`  2 queue workers ready; warm-up run of 2 jobs...`);
    await proveMany(circuit.dir, inputs.slice(0, 2), { queue: url });
    log(`  ${jobs} jobs, 2 queue workers...`);
    figures.push(await timed("queue", 2, () => proveMany(circuit.dir, inputs, { queue: url })));
    log(`  ... ${figures.at(-1)!.wallMs} ms`);
  });
  const [one, two, queue] = figures as [QueueFigure, QueueFigure, QueueFigure];
  return {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    loadAverage: { start: loadStart, end: os.loadavg() },
    circuit: { description: circuit.description, constraints: circuit.constraints },
    figures,
    ratios: {
      local2: Number((two.wallMs / one.wallMs).toFixed(2)),
      queue2: Number((queue.wallMs / one.wallMs).toFixed(2)),
    },
  };
}

export function queueMarkdown(r: QueueResults): string {
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" / ");
  return [
    "# Proving many jobs: local processes and queue workers",
    "",
    `- Date: ${r.date}`,
    `- Machine: ${r.machine}`,
    `- Load average (1 / 5 / 15 min) at start: ${load(r.loadAverage.start)}; at end: ${load(r.loadAverage.end)}`,
    `- Circuit: ${r.circuit.constraints.toLocaleString("en-US")} constraints, ${r.circuit.description}`,
    "- local: `proveMany(dir, inputs, { local })`, each call forking its prover children (their start-up is included); queue: `proveMany(dir, inputs, { queue })` with 2 `zkvm worker` processes and a redis-server on this machine, after a warm-up run. Every proof is verified by the caller.",
    "",
    "| mode | processes | jobs | wall ms | ms per proof | proofs by process |",
    "| --- | --- | --- | --- | --- | --- |",
    ...r.figures.map(
      (f) =>
        `| ${f.mode} | ${f.processes} | ${f.jobs} | ${f.wallMs.toLocaleString("en-US")} | ${f.msPerProof.toLocaleString("en-US")} | ${Object.values(f.byWorker).join(" + ")} |`,
    ),
    "",
    `Wall time relative to 1 local process: 2 local processes ${r.ratios.local2}×, 2 queue workers ${r.ratios.queue2}×.`,
    "",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { jobs: { type: "string" }, out: { type: "string" }, queue: { type: "boolean" } },
  });
  const jobs = values.jobs === undefined ? 8 : Number(values.jobs);
  if (!Number.isSafeInteger(jobs) || jobs < 1) {
    process.stderr.write(`--jobs ${values.jobs}: expected a positive integer\n`);
    return 2;
  }
  const out = values.out ?? path.join(BENCH_DIR, "queue-results.json");
  try {
    const results = await queueBench({ jobs });
    await fsp.writeFile(out, JSON.stringify(results, null, 2) + "\n");
    const md = queueMarkdown(results);
    await fsp.writeFile(out.replace(/\.json$/, "") + ".md", md);
    process.stdout.write(md);
    return 0;
  } finally {
    await terminateCurves();
  }
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  process.exitCode = await main(process.argv.slice(2));
}

export { main as queueMain };
