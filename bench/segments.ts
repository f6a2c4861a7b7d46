/**
 * The segment-chain study: `npm run bench -- --segments [--quick] [--steps T]
 * [--segment-steps L] [--sweep-l] [--sweep-steps T] [--sweep-ls L1,L2,...]`.
 *
 * - segment overhead: constraints of the segment circuit of L steps against
 *   the universal circuit of N = L steps, same other bounds;
 * - a long run (countdown with n chosen for ≥ T steps, default 10,000) proven
 *   as one chain three ways: 1 local prover process, 2 local processes, and 2
 *   `zkvm worker` processes on a redis-server started here (bench/queue.ts's
 *   withQueueWorkers). Each row has its wall time, its CPU time, the load
 *   average at its start and end, and which process proved how many
 *   segments; a row's wall-time ratio to 1 process is judged against the
 *   target (≤ 0.6) only when both rows started at load average ≤ 1.5;
 * - verifying the k proofs one by one (snarkjs) against the batched check;
 * - the exported Solidity chain verifier's gas at k = 1, 2, 4, 8 (a short run
 *   padded to 8 segments, whose prefixes are chains);
 * - with --sweep-l, the choice of L: for L in {64, 128, 256, 512} (--sweep-ls),
 *   a fixed run of ≥ 3,000 steps (--sweep-steps) proven with 2 local
 *   processes: constraints per segment and per step, compile and setup time,
 *   proving CPU per run step, the chain check's time and the on-chain
 *   verifyChain gas of the whole chain (per segment and per run step).
 *
 * --sweep-only: the sweep alone (default out: bench/segments-sweep-results.json).
 * --quick: small bounds, L = 16 and T = 200 (sweep: L in {8, 16, 32, 64},
 * 300 steps), minutes instead of hours.
 * Writes bench/segments-results.json (or --out) and the Markdown it prints
 * beside it (bench/segments-results.md).
 */
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadProgram } from "../src/load.js";
import { terminateCurves, verify } from "../src/pipeline/index.js";
import {
  batchVerify,
  proveChain,
  segmentCircuit,
  verifyChain,
  type ProveChainOptions,
} from "../src/segments/index.js";
import {
  compileUniversal,
  DEFAULT_BOUNDS,
  segmentBuildName,
  setupUniversal,
  universalBuildName,
  universalVerificationKey,
  type UniversalBounds,
} from "../src/universal/index.js";
import { deployChainVerifier, verifyChainOnChain } from "../test/support/evm/onchain.js";
import { withQueueWorkers } from "./queue.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const COUNTDOWN = readFileSync(path.join(BENCH_DIR, "..", "examples", "countdown.zkasm"), "utf8");

/** Wall-time target of issue 19: 2 processes take at most this share of 1 process's time. */
export const TARGET_RATIO = 0.6;
/** Above this load average (1 min) at a row's start, its ratio is not judged against the target. */
export const MAX_JUDGED_LOAD = 1.5;

/** One way of proving the long run's chain. */
export interface ChainRow {
  readonly mode: "local" | "queue";
  /** Local prover processes, or queue worker processes (one prover each). */
  readonly processes: number;
  /** From the proveChain call to its checked chain. */
  readonly wallMs: number;
  /**
   * CPU (user + system) of this process and its exited children over the
   * row; for the queue row, from starting the workers to their exit (their
   * start-up included).
   */
  readonly cpuMs: number;
  /** 1-minute load average at the row's start and end. */
  readonly loadStart: number;
  readonly loadEnd: number;
  /** Segments by the process that proved them ("local:<pid>", "<host>:<pid>"). */
  readonly byProver: Record<string, number>;
}

/** One L of the sweep: the same run proven with segment circuits of L steps. */
export interface SweepRow {
  readonly segmentSteps: number;
  readonly constraints: number;
  readonly compileMs: number;
  readonly setupMs: number;
  readonly runSteps: number;
  readonly segments: number;
  readonly proveWallMs: number;
  readonly proveCpuMs: number;
  /** The whole chain's off-chain check (links + one batch). */
  readonly chainVerifyMs: number;
  /** verifyChain on the whole chain in the in-process EVM. */
  readonly gas: string;
  readonly loadStart: number;
  readonly loadEnd: number;
}

export interface SweepFigures {
  readonly bounds: UniversalBounds;
  readonly targetSteps: number;
  readonly local: number;
  readonly rows: SweepRow[];
}

export interface SegmentsFigures {
  readonly date: string;
  readonly bounds: UniversalBounds;
  readonly segmentConstraints: number;
  readonly universalConstraints: number;
  readonly overhead: number;
  readonly overheadShare: number;
  readonly runSteps: number;
  readonly segments: number;
  readonly rows: ChainRow[];
  /** Proofs in the separate-vs-batched verify comparison (the chain's first 16). */
  readonly verifyProofs: number;
  readonly verifySeparateMs: number;
  readonly verifyBatchedMs: number;
  readonly chainVerifyMs: number;
  readonly gas: Record<string, string>;
  readonly sweep?: SweepFigures;
  readonly cores: number;
  readonly loadAverage: number;
}

/**
 * CPU time of this process and of its children that have exited and been
 * waited for (/proc/self/stat utime, stime, cutime, cstime), in ms. The
 * proving pool's children exit when a chain is done, so a difference around
 * proveChain counts them.
 */
function cpuWithChildrenMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime..cstime are fields 14..17.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const QUICK_BOUNDS: UniversalBounds = {
  steps: 16,
  maxInstructions: 24,
  maxCells: 4,
  maxStack: 3,
  maxInputs: 2,
  maxOutputs: 2,
  width: 64,
};
/** The defaults of `compile --universal`: L = 256, I 64, M 16, S 16, IN 4, OUT 4, W 64. */
const FULL_BOUNDS: UniversalBounds = DEFAULT_BOUNDS;

/** countdown's n for a run of at least `steps` steps (countdown takes 13 + 13n). */
const countdownN = (steps: number) => Math.max(1, Math.ceil((steps - 13) / 13));

const load1 = () => os.loadavg()[0]!;

/**
 * Waits (up to 4 minutes) until the 1-minute load average is at most MAX_JUDGED_LOAD, so a row
 * does not start in the wake of the previous one: a row that kept both cores busy leaves the
 * load average near 2 for a minute, which says nothing about other jobs.
 */
async function settle(log: (line: string) => void): Promise<void> {
  const until = Date.now() + 240_000;
  if (load1() > MAX_JUDGED_LOAD)
    log(`  waiting for the load average (${load1().toFixed(2)}) to fall to ${MAX_JUDGED_LOAD}`);
  while (load1() > MAX_JUDGED_LOAD && Date.now() < until)
    await new Promise((r) => setTimeout(r, 5000));
}

function tally(progress: readonly { worker?: string }[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const p of progress) by[p.worker ?? "?"] = (by[p.worker ?? "?"] ?? 0) + 1;
  return by;
}

export async function segmentsBench(options: {
  quick: boolean;
  steps?: number;
  segmentSteps?: number;
  sweep?: { steps?: number; ls?: number[] };
  cacheDir: string;
  log: (line: string) => void;
}): Promise<SegmentsFigures> {
  const { log } = options;
  const base = options.quick ? QUICK_BOUNDS : FULL_BOUNDS;
  const bounds = { ...base, steps: options.segmentSteps ?? base.steps };
  const target = options.steps ?? (options.quick ? 200 : 10_000);
  log(`compiling the universal circuit of N = L = ${bounds.steps} (for the overhead)`);
  const universal = await compileUniversal(
    path.join(options.cacheDir, universalBuildName(bounds)),
    bounds,
  );
  log("compiling and setting up the segment circuit");
  const circuit = await segmentCircuit(bounds, { cacheDir: options.cacheDir });
  const vkey = await universalVerificationKey(circuit.dir, "segment");
  const n = countdownN(target);
  const program = loadProgram(COUNTDOWN);
  const rows: ChainRow[] = [];
  let chain;
  let runSteps = 0;
  /** Proves the run once with `how` (local or queue) and records its row. */
  const row = async (
    mode: ChainRow["mode"],
    processes: number,
    how: Pick<ProveChainOptions, "local" | "queue">,
    cpu0: number,
    loadStart: number,
  ) => {
    log(`proving countdown n = ${n} as a chain with ${processes} ${mode} process(es)`);
    const progress: Array<{ worker?: string }> = [];
    const t0 = performance.now();
    const result = await proveChain(
      circuit.dir,
      program,
      { x: "7", n: String(n) },
      {
        ...how,
        onSegment: (p) => {
          progress.push(p);
          log(`  segment ${p.index} (${p.done}/${p.total}) ${p.ms} ms by ${p.worker ?? "?"}`);
        },
      },
    );
    const wallMs = Math.round(performance.now() - t0);
    chain = result.chain;
    runSteps = result.steps;
    return { wallMs, byProver: tally(progress), cpu0, loadStart };
  };
  /** Records a proving row, measured by `row`, with its CPU and load average at the end. */
  const record = (
    mode: ChainRow["mode"],
    processes: number,
    r: Awaited<ReturnType<typeof row>>,
  ): void => {
    const loadEnd = load1();
    rows.push({
      mode,
      processes,
      wallMs: r.wallMs,
      cpuMs: Math.round(cpuWithChildrenMs() - r.cpu0),
      loadStart: r.loadStart,
      loadEnd,
      byProver: r.byProver,
    });
    log(
      `  wall ${r.wallMs} ms, CPU ${rows.at(-1)!.cpuMs} ms, load ${r.loadStart.toFixed(2)} → ${loadEnd.toFixed(2)}`,
    );
  };
  for (const local of [1, 2]) {
    await settle(log);
    record("local", local, await row("local", local, { local }, cpuWithChildrenMs(), load1()));
  }
  await settle(log);
  const cpu0 = cpuWithChildrenMs();
  log("starting a redis-server and 2 zkvm worker processes");
  // Settled again once the workers run: starting them raises the load average.
  const queued = await withQueueWorkers(circuit.dir, 2, async (url) => {
    await settle(log);
    return row("queue", 2, { queue: url }, cpu0, load1());
  });
  record("queue", 2, queued);
  const segments = chain!.segments;
  const sample = segments.slice(0, 16);
  log(`verifying ${sample.length} proofs one by one, then batched`);
  let t0 = performance.now();
  for (const s of sample) {
    const r = await verify(vkey, s.publicSignals, s.proof);
    if (!r.valid) throw new Error("a segment does not verify");
  }
  const verifySeparateMs = Math.round(performance.now() - t0);
  t0 = performance.now();
  const batched = await batchVerify(vkey, sample);
  const verifyBatchedMs = Math.round(performance.now() - t0);
  if (!batched.valid) throw new Error("the batch does not verify");
  t0 = performance.now();
  const whole = await verifyChain(vkey, bounds, chain!, { programHash: chain!.programHash });
  const chainVerifyMs = Math.round(performance.now() - t0);
  if (!whole.valid) throw new Error(`the chain does not verify: ${whole.reason}`);

  log("on-chain gas at k = 1, 2, 4, 8");
  const short = loadProgram(".public n 0\n.output y 1\n LOAD n\n PUSH 2\n MUL\n STORE y\n STOP");
  const padded = await proveChain(circuit.dir, short, { n: "21" }, { segments: 8 });
  const verifier = await deployChainVerifier(vkey, bounds);
  const gas: Record<string, string> = {};
  for (const k of [1, 2, 4, 8]) {
    const r = await verifyChainOnChain(
      verifier,
      padded.chain.segments.slice(0, k),
      padded.chain.programHash,
    );
    if (!r.valid) throw new Error(`the chain verifier rejects k = ${k}`);
    gas[`k = ${k}`] = r.gasUsed.toString();
  }
  const overhead = circuit.constraints - universal.manifest.constraints;
  const sweep =
    options.sweep === undefined
      ? undefined
      : await sweepL({ quick: options.quick, ...options.sweep, cacheDir: options.cacheDir, log });
  return {
    date: new Date().toISOString(),
    bounds,
    segmentConstraints: circuit.constraints,
    universalConstraints: universal.manifest.constraints,
    overhead,
    overheadShare: overhead / circuit.constraints,
    runSteps,
    segments: segments.length,
    rows,
    verifyProofs: sample.length,
    verifySeparateMs,
    verifyBatchedMs,
    chainVerifyMs,
    gas,
    ...(sweep !== undefined ? { sweep } : {}),
    cores: os.availableParallelism(),
    loadAverage: load1(),
  };
}

/**
 * The choice of L: one run of ≥ `steps` steps proven with segment circuits of
 * each L (compiled and set up in a directory of their own, so the times are
 * fresh), with 2 local processes.
 */
export async function sweepL(options: {
  quick: boolean;
  steps?: number;
  ls?: number[];
  cacheDir: string;
  log: (line: string) => void;
}): Promise<SweepFigures> {
  const { log } = options;
  const base = options.quick ? QUICK_BOUNDS : FULL_BOUNDS;
  const ls = options.ls ?? (options.quick ? [8, 16, 32, 64] : [64, 128, 256, 512]);
  const targetSteps = options.steps ?? (options.quick ? 300 : 3_000);
  const local = 2;
  const n = countdownN(targetSteps);
  const program = loadProgram(COUNTDOWN);
  const rows: SweepRow[] = [];
  for (const L of ls) {
    const bounds = { ...base, steps: L };
    const dir = path.join(options.cacheDir, "sweep", segmentBuildName(bounds));
    const loadStart = load1();
    log(`sweep L = ${L}: compiling and setting up`);
    let t0 = performance.now();
    const built = await compileUniversal(dir, bounds, { segment: true });
    const compileMs = Math.round(performance.now() - t0);
    t0 = performance.now();
    await setupUniversal(dir);
    const setupMs = Math.round(performance.now() - t0);
    log(
      `  ${built.manifest.constraints} constraints; compile ${compileMs} ms, setup ${setupMs} ms`,
    );
    const cpu0 = cpuWithChildrenMs();
    t0 = performance.now();
    const proven = await proveChain(dir, program, { x: "7", n: String(n) }, { local });
    const proveWallMs = Math.round(performance.now() - t0);
    const proveCpuMs = Math.round(cpuWithChildrenMs() - cpu0);
    const vkey = await universalVerificationKey(dir, "segment");
    t0 = performance.now();
    const check = await verifyChain(vkey, bounds, proven.chain, {
      programHash: proven.chain.programHash,
    });
    const chainVerifyMs = Math.round(performance.now() - t0);
    if (!check.valid) throw new Error(`L = ${L}: the chain does not verify: ${check.reason}`);
    const verifier = await deployChainVerifier(vkey, bounds);
    const onChain = await verifyChainOnChain(
      verifier,
      proven.chain.segments,
      proven.chain.programHash,
    );
    if (!onChain.valid) throw new Error(`L = ${L}: the chain verifier rejects the chain`);
    rows.push({
      segmentSteps: L,
      constraints: built.manifest.constraints,
      compileMs,
      setupMs,
      runSteps: proven.steps,
      segments: proven.chain.segments.length,
      proveWallMs,
      proveCpuMs,
      chainVerifyMs,
      gas: onChain.gasUsed.toString(),
      loadStart,
      loadEnd: load1(),
    });
    log(
      `  ${proven.chain.segments.length} segments: prove ${proveWallMs} ms wall, ${proveCpuMs} ms CPU; check ${chainVerifyMs} ms; ${onChain.gasUsed} gas`,
    );
  }
  return { bounds: base, targetSteps, local, rows };
}

/** A row's wall-time ratio to 1 local process, and whether it may be judged against the target. */
export function judge(
  one: ChainRow,
  other: ChainRow,
): { ratio: number; verdict: "meets" | "misses" | "loaded" } {
  const ratio = other.wallMs / one.wallMs;
  if (Math.max(one.loadStart, other.loadStart) > MAX_JUDGED_LOAD)
    return { ratio, verdict: "loaded" };
  return { ratio, verdict: ratio <= TARGET_RATIO ? "meets" : "misses" };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const loads = (a: number, b: number) => `${a.toFixed(2)} → ${b.toFixed(2)}`;

function rowName(r: ChainRow): string {
  return r.mode === "local"
    ? `${r.processes} local process${r.processes === 1 ? "" : "es"}`
    : `${r.processes} queue workers (redis-server here)`;
}

export function segmentsMarkdown(f: SegmentsFigures): string {
  const b = f.bounds;
  const gas = Object.entries(f.gas);
  const perExtra =
    gas.length >= 2 ? (Number(gas[gas.length - 1]![1]) - Number(gas[0]![1])) / (8 - 1) : Number.NaN;
  const one = f.rows.find((r) => r.mode === "local" && r.processes === 1);
  const verdicts: string[] = [];
  const rowLines = f.rows.map((r) => {
    let ratio = "1.00";
    if (one !== undefined && r !== one) {
      const j = judge(one, r);
      ratio = j.ratio.toFixed(2);
      verdicts.push(
        j.verdict === "loaded"
          ? `- **Warning**: ${rowName(r)} vs 1 local process (${ratio}×) is not judged against the target ≤ ${TARGET_RATIO}: the load average at the start of the rows was ${one.loadStart.toFixed(2)} and ${r.loadStart.toFixed(2)}, above ${MAX_JUDGED_LOAD}; other jobs shared the cores.`
          : `- ${rowName(r)}: ${ratio}× the wall time of 1 local process, ${j.verdict === "meets" ? "meets" : "misses"} the target ≤ ${TARGET_RATIO} (load average at start ${one.loadStart.toFixed(2)} and ${r.loadStart.toFixed(2)}).`,
      );
    }
    const by = Object.entries(r.byProver)
      .map(([w, k]) => `${w}: ${k}`)
      .join(", ");
    return `| ${rowName(r)} | ${seconds(r.wallMs)} s | ${seconds(r.cpuMs)} s | ${ratio} | ${loads(r.loadStart, r.loadEnd)} | ${by} |`;
  });
  const lines = [
    `## Segment chains (L = ${b.steps}, I ${b.maxInstructions}, M ${b.maxCells}, S ${b.maxStack}, IN ${b.maxInputs}, OUT ${b.maxOutputs}, W ${b.width})`,
    "",
    `Date: ${f.date}; ${f.cores} cores.`,
    "",
    `| figure | value |`,
    `| --- | --- |`,
    `| segment circuit constraints | ${f.segmentConstraints} |`,
    `| universal circuit, N = L | ${f.universalConstraints} |`,
    `| segment overhead | ${f.overhead} (${(100 * f.overheadShare).toFixed(1)}% of a segment) |`,
    `| run | countdown, ${f.runSteps} steps, ${f.segments} segments |`,
    `| verify ${f.verifyProofs} proofs separately | ${f.verifySeparateMs} ms |`,
    `| verify them batched | ${f.verifyBatchedMs} ms (${(f.verifySeparateMs / Math.max(1, f.verifyBatchedMs)).toFixed(1)}× faster) |`,
    `| whole chain check (links + batch) | ${f.chainVerifyMs} ms |`,
    ...gas.map(([k, v]) => `| on-chain verifyChain, ${k} | ${v} gas |`),
    `| on-chain gas per extra segment | ${Math.round(perExtra)} |`,
    "",
    `### Proving the run (${f.runSteps} steps, ${f.segments} segments)`,
    "",
    "Wall time from the proveChain call to its checked chain (the interpreter run, the segment inputs, the proofs, the chain check). CPU: this process and its exited children; for the queue row, from starting the workers to their exit (their start-up included). Load: the 1-minute load average.",
    "",
    "| prover | wall | CPU | wall / 1 local process | load average, start → end | segments by process |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rowLines,
    "",
    ...verdicts,
  ];
  if (f.sweep !== undefined) lines.push("", sweepMarkdown(f.sweep));
  lines.push("", `Load average at the end: ${f.loadAverage.toFixed(2)}.`);
  return lines.join("\n");
}

export function sweepMarkdown(s: SweepFigures): string {
  const b = s.bounds;
  const rows = s.rows.map((r) => {
    const perStepCpu = r.proveCpuMs / r.runSteps;
    return `| ${r.segmentSteps} | ${r.constraints} | ${(r.constraints / r.segmentSteps).toFixed(1)} | ${seconds(r.compileMs)} / ${seconds(r.setupMs)} s | ${r.segments} (${r.segments * r.segmentSteps} steps proven) | ${seconds(r.proveWallMs)} s / ${seconds(r.proveCpuMs)} s | ${perStepCpu.toFixed(1)} | ${r.chainVerifyMs} ms (${(r.chainVerifyMs / r.segments).toFixed(1)}) | ${r.gas} (${Math.round(Number(r.gas) / r.runSteps)}) | ${loads(r.loadStart, r.loadEnd)} |`;
  });
  return [
    `### Choosing L (I ${b.maxInstructions}, M ${b.maxCells}, S ${b.maxStack}, IN ${b.maxInputs}, OUT ${b.maxOutputs}, W ${b.width}; countdown, ≥ ${s.targetSteps} steps, ${s.local} local processes)`,
    "",
    "| L | constraints per segment | per step (C / L) | compile / setup | segments k | prove wall / CPU | CPU ms per run step | chain check (ms per segment) | verifyChain gas (per run step) | load average, start → end |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      segments: { type: "boolean" },
      quick: { type: "boolean" },
      steps: { type: "string" },
      "segment-steps": { type: "string" },
      "sweep-l": { type: "boolean" },
      "sweep-steps": { type: "string" },
      "sweep-ls": { type: "string" },
      "sweep-only": { type: "boolean" },
      out: { type: "string" },
    },
  });
  const sweepSteps = values["sweep-steps"];
  const sweepLs = values["sweep-ls"];
  const cacheDir = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-bench-segments-"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (values["sweep-only"] === true) {
      // The choice of L alone, written beside the study's results.
      const sweep = await sweepL({
        quick: values.quick ?? false,
        ...(sweepSteps !== undefined ? { steps: Number(sweepSteps) } : {}),
        ...(sweepLs !== undefined ? { ls: sweepLs.split(",").map(Number) } : {}),
        cacheDir,
        log,
      });
      const out = values.out ?? path.join(BENCH_DIR, "segments-sweep-results.json");
      const md = `${sweepMarkdown(sweep)}\n\nLoad average at the end: ${load1().toFixed(2)}; ${new Date().toISOString()}.\n`;
      await fsp.writeFile(out, `${JSON.stringify(sweep, null, 2)}\n`);
      await fsp.writeFile(out.replace(/\.json$/, "") + ".md", md);
      process.stdout.write(md);
      return 0;
    }
    const figures = await segmentsBench({
      quick: values.quick ?? false,
      ...(values.steps !== undefined ? { steps: Number(values.steps) } : {}),
      ...(values["segment-steps"] !== undefined
        ? { segmentSteps: Number(values["segment-steps"]) }
        : {}),
      ...(values["sweep-l"] === true || sweepSteps !== undefined || sweepLs !== undefined
        ? {
            sweep: {
              ...(sweepSteps !== undefined ? { steps: Number(sweepSteps) } : {}),
              ...(sweepLs !== undefined ? { ls: sweepLs.split(",").map(Number) } : {}),
            },
          }
        : {}),
      cacheDir,
      log,
    });
    const out = values.out ?? path.join(BENCH_DIR, "segments-results.json");
    await fsp.writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
    await fsp.writeFile(out.replace(/\.json$/, "") + ".md", `${segmentsMarkdown(figures)}\n`);
    process.stdout.write(`${segmentsMarkdown(figures)}\n`);
    return 0;
  } finally {
    await terminateCurves();
    await fsp.rm(cacheDir, { recursive: true, force: true });
  }
}

if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  process.exitCode = await main(process.argv.slice(2));
}

export { main as segmentsMain };
