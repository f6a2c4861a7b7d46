/**
 * The segment-chain study: `npm run bench -- --segments [--quick] [--steps T] [--segment-steps L]`.
 *
 * - segment overhead: constraints of the segment circuit of L steps against
 *   the universal circuit of N = L steps, same other bounds;
 * - a long run (countdown with n chosen for ≥ T steps, default 10,000) proven
 *   as a chain with 1 and with 2 local prover processes (wall time);
 * - verifying the k proofs one by one (snarkjs) against the batched check;
 * - the exported Solidity chain verifier's gas at k = 1, 2, 4, 8 (a short run
 *   padded to 8 segments, whose prefixes are chains).
 *
 * --quick: L = 16 and T = 200 on small bounds, minutes instead of hours.
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
import { batchVerify, proveChain, segmentCircuit, verifyChain } from "../src/segments/index.js";
import {
  compileUniversal,
  universalBuildName,
  universalVerificationKey,
  type UniversalBounds,
} from "../src/universal/index.js";
import { deployChainVerifier, verifyChainOnChain } from "../test/support/evm/onchain.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const COUNTDOWN = readFileSync(path.join(BENCH_DIR, "..", "examples", "countdown.zkasm"), "utf8");

export interface SegmentsFigures {
  readonly bounds: UniversalBounds;
  readonly segmentConstraints: number;
  readonly universalConstraints: number;
  readonly overhead: number;
  readonly overheadShare: number;
  readonly runSteps: number;
  readonly segments: number;
  readonly proveMs: Record<string, number>;
  /** CPU time (user + system) of this process and its exited prover children, per run. */
  readonly proveCpuMs: Record<string, number>;
  /** Proofs in the separate-vs-batched verify comparison (the chain's first 16). */
  readonly verifyProofs: number;
  readonly verifySeparateMs: number;
  readonly verifyBatchedMs: number;
  readonly chainVerifyMs: number;
  readonly gas: Record<string, string>;
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

export async function segmentsBench(options: {
  quick: boolean;
  steps?: number;
  segmentSteps?: number;
  cacheDir: string;
  log: (line: string) => void;
}): Promise<SegmentsFigures> {
  const { log } = options;
  const base: UniversalBounds = options.quick
    ? {
        steps: 16,
        maxInstructions: 24,
        maxCells: 4,
        maxStack: 3,
        maxInputs: 2,
        maxOutputs: 2,
        width: 64,
      }
    : {
        steps: 256,
        maxInstructions: 64,
        maxCells: 16,
        maxStack: 16,
        maxInputs: 4,
        maxOutputs: 4,
        width: 64,
      };
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
  // countdown takes 13 + 13n steps.
  const n = Math.ceil((target - 13) / 13);
  const program = loadProgram(COUNTDOWN);
  const proveMs: Record<string, number> = {};
  const proveCpuMs: Record<string, number> = {};
  let chain;
  let runSteps = 0;
  for (const local of [1, 2]) {
    log(`proving countdown n = ${n} as a chain with ${local} local process(es)`);
    const t0 = performance.now();
    const cpu0 = cpuWithChildrenMs();
    const result = await proveChain(
      circuit.dir,
      program,
      { x: "7", n: String(n) },
      {
        local,
        onSegment: (p) => log(`  segment ${p.index} (${p.done}/${p.total}) ${p.ms} ms`),
      },
    );
    proveMs[`local ${local}`] = Math.round(performance.now() - t0);
    proveCpuMs[`local ${local}`] = Math.round(cpuWithChildrenMs() - cpu0);
    log(
      `  ${local} process(es): wall ${proveMs[`local ${local}`]} ms, CPU ${proveCpuMs[`local ${local}`]} ms, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    chain = result.chain;
    runSteps = result.steps;
  }
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
  return {
    bounds,
    segmentConstraints: circuit.constraints,
    universalConstraints: universal.manifest.constraints,
    overhead,
    overheadShare: overhead / circuit.constraints,
    runSteps,
    segments: segments.length,
    proveMs,
    proveCpuMs,
    verifyProofs: sample.length,
    verifySeparateMs,
    verifyBatchedMs,
    chainVerifyMs,
    gas,
    cores: os.availableParallelism(),
    loadAverage: os.loadavg()[0]!,
  };
}

export function segmentsMarkdown(f: SegmentsFigures): string {
  const b = f.bounds;
  const gas = Object.entries(f.gas);
  const perExtra =
    gas.length >= 2 ? (Number(gas[gas.length - 1]![1]) - Number(gas[0]![1])) / (8 - 1) : Number.NaN;
  return [
    `## Segment chains (L = ${b.steps}, I ${b.maxInstructions}, M ${b.maxCells}, S ${b.maxStack}, IN ${b.maxInputs}, OUT ${b.maxOutputs}, W ${b.width})`,
    "",
    `| figure | value |`,
    `| --- | --- |`,
    `| segment circuit constraints | ${f.segmentConstraints} |`,
    `| universal circuit, N = L | ${f.universalConstraints} |`,
    `| segment overhead | ${f.overhead} (${(100 * f.overheadShare).toFixed(1)}% of a segment) |`,
    `| run | countdown, ${f.runSteps} steps, ${f.segments} segments |`,
    ...Object.entries(f.proveMs).map(
      ([k, v]) =>
        `| chain proving, ${k} | ${(v / 1000).toFixed(1)} s wall, ${((f.proveCpuMs[k] ?? 0) / 1000).toFixed(1)} s CPU |`,
    ),
    `| ratio 2 / 1 processes | ${((f.proveMs["local 2"] ?? 0) / (f.proveMs["local 1"] ?? 1)).toFixed(2)} |`,
    `| verify ${f.verifyProofs} proofs separately | ${f.verifySeparateMs} ms |`,
    `| verify them batched | ${f.verifyBatchedMs} ms (${(f.verifySeparateMs / Math.max(1, f.verifyBatchedMs)).toFixed(1)}× faster) |`,
    `| whole chain check (links + batch) | ${f.chainVerifyMs} ms |`,
    ...gas.map(([k, v]) => `| on-chain verifyChain, ${k} | ${v} gas |`),
    `| on-chain gas per extra segment | ${Math.round(perExtra)} |`,
    "",
    `Measured on ${f.cores} cores at load average ${f.loadAverage.toFixed(1)}.`,
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
      out: { type: "string" },
    },
  });
  const cacheDir = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-bench-segments-"));
  try {
    const figures = await segmentsBench({
      quick: values.quick ?? false,
      ...(values.steps !== undefined ? { steps: Number(values.steps) } : {}),
      ...(values["segment-steps"] !== undefined
        ? { segmentSteps: Number(values["segment-steps"]) }
        : {}),
      cacheDir,
      log: (line) => process.stderr.write(`${line}\n`),
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
