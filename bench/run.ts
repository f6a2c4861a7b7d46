/**
 * The benchmark suite: `npm run bench [-- --quick] [--runs R] [--json] [--out FILE]`.
 *
 * Three studies, written to one array of rows (bench/results.json) and to
 * Markdown (stdout and bench/results.md):
 * - programs: every program of bench/baselines.ts at its CI step bound, and the
 *   seed and cubic examples, measured end to end (compile, direct
 *   development setup, witness, prove, verify, on-chain verifier gas) next to the
 *   constraints of its hand-written Circom baseline;
 * - growth: sum_up at N = 64 .. 1024, whose exact constraint count must grow
 *   linearly in N; the least-squares slope is printed beside the loop body's
 *   own cost from the compiler's profile;
 * - concurrency: proofs per minute of ZKVM.generateProof with 1, 2 and 4
 *   proofs in flight, on sum_up at its CI step bound (stored on that row).
 *
 * Then the browser (bench/browser.ts), setup-at-scale (bench/scale.ts) and
 * universal-circuit (bench/universal.ts) studies, each with its own results;
 * `--compiler` skips them, as it skips setup and proving.
 *
 * Timings are medians of R runs after one warm-up run. Peak memory is the
 * bench process's maximum RSS after each row; circom2 runs as a child process
 * and is not included.
 */
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  BASELINES,
  baselineFor,
  baselineIncludePaths,
  baselineMain,
  driverInputs,
  GROWTH_STEPS,
  iterationBound,
  loadBenchProgram,
  programSource,
  type Baseline,
} from "./baselines.js";
import { runScale } from "./scale.js";
import {
  measureScale,
  scaleSection,
  SCALE_PROGRAMS,
  SCALE_STEPS,
  SHAPES,
  shapeEntries,
  shapesSection,
  type ScaleFigure,
} from "./compiler.js";
import { compile, type CompiledCircuit } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import { createChain, type Chain } from "../test/support/evm/evm.js";
import { deployVerifier, verifyOnChain } from "../test/support/evm/onchain.js";
import { inputCells, type Inputs } from "../src/inputs.js";
import { run } from "../src/interpreter.js";
import { loadProgram } from "../src/load.js";
import {
  compileCircom,
  computeWitness,
  defaultIncludePaths,
  prove,
  terminateCurves,
  verify,
  type CompileCircomResult,
} from "../src/pipeline/index.js";
import { validate, type ValidatedProgram } from "../src/validator.js";
import { ZKVM } from "../src/zkvm.js";
import { directSetupFiles } from "../src/groth16/node.js";
import { directDomainPower } from "../src/groth16/index.js";
import { benchBrowser, benchChromium, browserMarkdown } from "./browser.js";
import { universalBench, universalMarkdown } from "./universal.js";
import { proverMain } from "./prover.js";
import { queueMain } from "./queue.js";
import { segmentsMain } from "./segments.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLES_DIR = path.join(BENCH_DIR, "..", "examples");
const DEFAULT_OUT = path.join(BENCH_DIR, "results.json");

const IN_FLIGHT = [1, 2, 4] as const;

const USAGE = `Usage: npm run bench -- [--quick] [--compiler] [--runs R] [--json] [--out FILE]

  --quick      a few minutes: growth rows get constraints and compile times
               only
  --compiler   the compiler's rows only: constraints and compile times of
               every program (no setup or proving), the loop and branch
               shapes at N and 4N, and compile at scale
  --runs R     timed repetitions after one warm-up (default 3, quick 2)
  --json       print the rows as JSON instead of Markdown tables
  --out FILE   where to write the rows (default bench/results.json; the
               Markdown goes next to it, FILE with .md)
  --queue      only the proving-pool and queue study (bench/queue.ts): K jobs
               with 1 and 2 local processes and 2 queue workers on a local
               redis-server; --jobs K (default 8), --out FILE (default
               bench/queue-results.json)
  --segments   only the segment-chain study (bench/segments.ts): a run of
               >= --steps T (default 10,000) proven as one chain with 1 and 2
               local processes and 2 queue workers; --sweep-l adds the choice
               of L, --sweep-only runs only that; --quick for small sizes
  --help       this text

  npm run bench -- --prover [...]   zkvm's prover vs snarkjs's only (bench/prover.ts;
               --prover --help for its options)`;

type Study = "programs" | "growth" | "concurrency" | "shapes";

interface ConcurrencyFigure {
  readonly inFlight: number;
  /** Proofs per timed run. */
  readonly proofs: number;
  /** Median wall time of a run. */
  readonly wallMs: number;
  readonly proofsPerMinute: number;
}

interface GrowthFit {
  /** Least-squares Δconstraints/ΔN of the exact (circom2) counts over the growth bounds. */
  readonly slopePerStep: number;
  readonly intercept: number;
  readonly r2: number;
  /** The same fit against the iteration bound K. */
  readonly slopePerIteration: number;
  readonly handwrittenSlopePerStep: number;
  /** Instructions one loop iteration executes (interpreter). */
  readonly instructionsPerIteration: number;
  /** The loop instructions' non-linear constraints per iteration, from the compile profile. */
  readonly bodyConstraintsPerIteration: number;
  /** bodyConstraintsPerIteration / instructionsPerIteration. */
  readonly bodyConstraintsPerStep: number;
  /** bodyConstraintsPerIteration by instruction (those that cost any). */
  readonly bodyByInstruction: Record<string, number>;
}

interface Row {
  readonly program: string;
  readonly studies: Study[];
  /** The step bound N. */
  readonly steps: number;
  /** Loops: K(N), the largest iteration count that halts within N. */
  readonly iterations: number | null;
  readonly inputs: Record<string, string>;
  readonly executedSteps: number;
  readonly constraints: number;
  readonly estimatedConstraints: number;
  readonly handwritten: number | null;
  readonly ratio: number | null;
  readonly nPublic: number;
  readonly blockSteps: number;
  /** log2 of the Groth16 domain the direct setup uses (its n: the smallest power of two above constraints + public signals). */
  readonly ptauPower: number;
  readonly compileMs: { readonly ts: number; readonly circom: number };
  readonly setupMs: {
    /** The direct development setup (src/groth16): proving and verification key from the R1CS. */
    readonly direct: number | null;
  };
  readonly witnessMs: number | null;
  readonly proveMs: number | null;
  readonly verifyMs: number | null;
  /** Gas of the verifyProof transaction (21,000 base and calldata included). */
  readonly verifierGas: number | null;
  /** Gas of its execution alone, as a calling contract pays it. */
  readonly verifierExecutionGas: number | null;
  readonly peakRssMb: number;
  growth?: GrowthFit;
  concurrency?: ConcurrencyFigure[];
  /** On the sum_up programs row: compile() time and memory at N = 10k, 100k, 1M (bench/compiler.ts). */
  scale?: ScaleFigure[];
}

interface Options {
  readonly quick: boolean;
  /** The compiler's rows only (no setup, proving or concurrency). */
  readonly compiler: boolean;
  readonly runs: number;
  readonly json: boolean;
  readonly out: string;
}

/** A circuit to measure: a program, its step bound and the input it proves. */
interface Target {
  readonly name: string;
  readonly program: ValidatedProgram;
  readonly steps: number;
  readonly inputs: Inputs;
  readonly baseline?: Baseline;
  readonly studies: Study[];
  /** Setup, prove, verify and gas too (otherwise constraints and compile times only). */
  readonly prove: boolean;
}

const startedAt = performance.now();

function log(message: string): void {
  const s = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${s} s] ${message}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Runs `fn` once as a warm-up, then `runs` times; the median wall time and every timed result. */
async function timeRuns<T>(
  runs: number,
  fn: () => T | Promise<T>,
): Promise<{ ms: number; results: T[] }> {
  await fn();
  const times: number[] = [];
  const results: T[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    results.push(await fn());
    times.push(performance.now() - start);
  }
  return { ms: round1(median(times)), results };
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function stringInputs(inputs: Inputs): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)]));
}

/** Least squares y = a + b x, with R². */
function fitLine(points: ReadonlyArray<readonly [number, number]>): {
  slope: number;
  intercept: number;
  r2: number;
} {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const syy = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

// ---------------------------------------------------------------------------
// Targets

/** A loop at K(N) iterations (its most expensive run); a straight-line program on its first inside input. */
function provedInputs(entry: Baseline, k: number): Inputs {
  if (entry.driver !== undefined) return driverInputs(entry, k);
  const first = entry.inside(k)[0];
  if (first === undefined) throw new Error(`${entry.program} has no inside input`);
  return first;
}

function baselineTarget(entry: Baseline, steps: number, studies: Study[], prove: boolean): Target {
  return {
    name: entry.program,
    program: loadBenchProgram(entry),
    steps,
    inputs: provedInputs(entry, iterationBound(entry, steps)),
    baseline: entry,
    studies,
    prove,
  };
}

/** An example with its JSON's step bound and first case. */
function exampleTarget(file: string): Target {
  const source = readFileSync(path.join(EXAMPLES_DIR, file), "utf8");
  const spec = JSON.parse(
    readFileSync(path.join(EXAMPLES_DIR, file.replace(/\.(zkasm|hex)$/, ".json")), "utf8"),
  ) as { steps: number; cases: Array<{ inputs: Inputs }> };
  return {
    name: file.replace(/\.(zkasm|hex)$/, ""),
    program: validate(loadProgram(file.endsWith(".hex") ? source.trim() : source)),
    steps: spec.steps,
    inputs: spec.cases[0]?.inputs ?? {},
    studies: ["programs"],
    prove: true,
  };
}

function targets(options: Options): Target[] {
  const growthEntry = baselineFor("sum_up");
  const prove = !options.compiler;
  const main = BASELINES.map((entry) =>
    baselineTarget(
      entry,
      entry.ciSteps,
      entry === growthEntry
        ? ["programs", "growth", ...(options.compiler ? [] : ["concurrency" as const])]
        : SHAPES.includes(entry.program)
          ? ["programs", "shapes"]
          : ["programs"],
      prove,
    ),
  );
  const growth = GROWTH_STEPS.filter((n) => n !== growthEntry.ciSteps).map((n) =>
    baselineTarget(growthEntry, n, ["growth"], prove && !options.quick),
  );
  const shapes = shapeEntries().flatMap(({ entry, steps }) =>
    steps
      .filter((n) => n !== entry.ciSteps)
      .map((n) => baselineTarget(entry, n, ["shapes"], false)),
  );
  const examples = [exampleTarget("seed.hex"), exampleTarget("cubic.zkasm")].map((t) => ({
    ...t,
    prove,
  }));
  return [...main, ...examples, ...growth, ...shapes];
}

// ---------------------------------------------------------------------------
// Measurements

interface Bench {
  readonly options: Options;
  readonly workDir: string;
  readonly chain: Chain;
}

/** Compiles the hand-written baseline of `entry` at step bound `steps`: its exact constraint count. */
async function baselineConstraints(entry: Baseline, steps: number, dir: string): Promise<number> {
  const { circom } = baselineMain(entry, steps);
  const file = path.join(dir, `${entry.program}_${steps}_baseline.circom`);
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(file, circom);
  const result = await compileCircom({
    circomFile: file,
    outDir: dir,
    includePaths: baselineIncludePaths(),
  });
  return result.constraints;
}

interface Measured {
  readonly row: Row;
  readonly compiled: CompiledCircuit;
}

async function measure(bench: Bench, target: Target): Promise<Measured> {
  const { runs } = bench.options;
  const label = `${target.name} N=${target.steps}`;
  const dir = path.join(bench.workDir, `${target.name}_${target.steps}`);
  await fsp.mkdir(dir, { recursive: true });

  log(`${label}: compile`);
  const ts = await timeRuns(runs, () => compile(target.program, { steps: target.steps }));
  const compiled = ts.results[0]!;
  const circomFile = path.join(dir, `${target.name}.circom`);
  await fsp.writeFile(circomFile, compiled.circom);
  const circom = await timeRuns(runs, () =>
    compileCircom({
      circomFile,
      outDir: dir,
      includePaths: defaultIncludePaths(),
      // As `zkvm compile --backend circom` does (src/build/directory.ts).
      expectedConstraints: compiled.estimatedConstraints,
    }),
  );
  const built: CompileCircomResult = circom.results[0]!;
  const handwritten =
    target.baseline !== undefined
      ? await baselineConstraints(target.baseline, target.steps, path.join(dir, "baseline"))
      : null;

  const execution = run(target.program, inputCells(target.program.io, target.inputs), {
    steps: target.steps,
  });
  const nPublic = built.r1cs.nPublic;
  const ptauPower = directDomainPower(built.constraints, nPublic);
  const base = {
    program: target.name,
    studies: target.studies,
    steps: target.steps,
    iterations:
      target.baseline?.driver !== undefined ? iterationBound(target.baseline, target.steps) : null,
    inputs: stringInputs(target.inputs),
    executedSteps: execution.steps,
    constraints: built.constraints,
    estimatedConstraints: compiled.estimatedConstraints,
    handwritten,
    ratio:
      handwritten !== null ? Math.round((built.constraints / handwritten) * 1000) / 1000 : null,
    nPublic,
    blockSteps: compiled.blockSteps,
    ptauPower,
    compileMs: { ts: ts.ms, circom: circom.ms },
  };
  if (!target.prove) {
    return {
      row: {
        ...base,
        setupMs: { direct: null },
        witnessMs: null,
        proveMs: null,
        verifyMs: null,
        verifierGas: null,
        verifierExecutionGas: null,
        peakRssMb: peakRssMb(),
      },
      compiled,
    };
  }

  log(`${label}: direct development setup`);
  const zkeyPath = path.join(dir, `${target.name}.zkey`);
  const setup = await timeRuns(runs, () => directSetupFiles(built.r1csPath, zkeyPath));
  const { vkey } = setup.results[setup.results.length - 1]!;
  const input = circuitInput(target.program.io, target.inputs);
  log(`${label}: witness, prove, verify`);
  const witness = await timeRuns(runs, () => computeWitness(built.wasmPath, input));
  const proofs = await timeRuns(runs, () => prove(zkeyPath, built.wasmPath, input));
  const { proof, publicSignals } = proofs.results[0]!;
  const verified = await timeRuns(runs, () => verify(vkey, publicSignals, proof));
  const failed = verified.results.find((r) => !r.valid);
  if (failed !== undefined) {
    throw new Error(`${label}: the proof does not verify: ${failed.reason ?? "unknown reason"}`);
  }
  log(`${label}: verifier gas`);
  const verifier = await deployVerifier(vkey, bench.chain);
  const onChain = await verifyOnChain(verifier, proof, publicSignals);
  if (!onChain.valid) throw new Error(`${label}: the Solidity verifier rejects the proof`);

  return {
    row: {
      ...base,
      setupMs: { direct: setup.ms },
      witnessMs: witness.ms,
      proveMs: round1(median(proofs.results.map((r) => r.timings.proveMs))),
      verifyMs: verified.ms,
      verifierGas: Number(onChain.gasUsed),
      verifierExecutionGas: Number(onChain.executionGasUsed),
      peakRssMb: peakRssMb(),
    },
    compiled,
  };
}

/** Runs `total` jobs with at most `inFlight` at once. */
async function runInFlight(
  total: number,
  inFlight: number,
  job: () => Promise<unknown>,
): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
}

/** Proofs per minute of ZKVM.generateProof with 1, 2 and 4 proofs in flight, on one set-up circuit. */
async function measureConcurrency(bench: Bench, target: Target): Promise<ConcurrencyFigure[]> {
  const { runs, quick } = bench.options;
  const zkvm = new ZKVM(programSource(target.baseline ?? baselineFor(target.name)), {
    cacheDir: path.join(bench.workDir, "zkvm-cache"),
  });
  const options = { steps: target.steps };
  log(`concurrency: ${target.name} N=${target.steps} (build, setup, warm-up)`);
  const first = await zkvm.generateProof(target.inputs, options);
  if (!(await zkvm.verifyProof(first))) throw new Error("concurrency: the proof does not verify");
  const proofs = quick ? 4 : 8;
  const figures: ConcurrencyFigure[] = [];
  for (const inFlight of IN_FLIGHT) {
    log(`concurrency: ${proofs} proofs, ${inFlight} in flight`);
    const timed = await timeRuns(runs, () =>
      runInFlight(proofs, inFlight, () => zkvm.generateProof(target.inputs, options)),
    );
    figures.push({
      inFlight,
      proofs,
      wallMs: timed.ms,
      proofsPerMinute: Math.round((proofs * 60_000 * 10) / timed.ms) / 10,
    });
  }
  return figures;
}

/** The loop's instructions (pcs whose execution count grows by one iteration) and their count. */
function loopBody(entry: Baseline, program: ValidatedProgram): { pcs: Set<number>; count: number } {
  const counts = (k: number) => {
    const inputs = inputCells(program.io, driverInputs(entry, k));
    const { trace } = run(program, inputs, { steps: 1_000_000, trace: true });
    const byPc = new Map<number, number>();
    for (const step of trace ?? []) byPc.set(step.pc, (byPc.get(step.pc) ?? 0) + 1);
    return byPc;
  };
  const one = counts(1);
  const two = counts(2);
  const pcs = new Set<number>();
  let count = 0;
  for (const [pc, n] of two) {
    const extra = n - (one.get(pc) ?? 0);
    if (extra > 0) {
      pcs.add(pc);
      count += extra;
    }
  }
  return { pcs, count };
}

function growthFit(rows: readonly Measured[], entry: Baseline): GrowthFit {
  const exact = fitLine(rows.map((m) => [m.row.steps, m.row.constraints]));
  const perIteration = fitLine(rows.map((m) => [m.row.iterations ?? 0, m.row.constraints]));
  const handwritten = fitLine(rows.map((m) => [m.row.steps, m.row.handwritten ?? 0]));
  const body = loopBody(entry, loadBenchProgram(entry));
  // The profile's cost of a set of instructions against K: the fit's slope is their cost per iteration.
  const costPerIteration = (pcs: ReadonlySet<number>) =>
    fitLine(
      rows.map((m) => [
        m.row.iterations ?? 0,
        m.compiled.profile.filter((p) => pcs.has(p.pc)).reduce((sum, p) => sum + p.constraints, 0),
      ]),
    ).slope;
  const bodyCost = costPerIteration(body.pcs);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const byInstruction: Record<string, number> = {};
  for (const p of rows[0]?.compiled.profile ?? []) {
    if (!body.pcs.has(p.pc)) continue;
    const cost = r3(costPerIteration(new Set([p.pc])));
    if (cost !== 0) byInstruction[`${p.op} (pc ${p.pc})`] = cost;
  }
  return {
    slopePerStep: r3(exact.slope),
    intercept: r3(exact.intercept),
    r2: Math.round(exact.r2 * 1e6) / 1e6,
    slopePerIteration: r3(perIteration.slope),
    handwrittenSlopePerStep: r3(handwritten.slope),
    instructionsPerIteration: body.count,
    bodyConstraintsPerIteration: r3(bodyCost),
    bodyConstraintsPerStep: r3(bodyCost / body.count),
    bodyByInstruction: byInstruction,
  };
}

// ---------------------------------------------------------------------------
// Markdown

function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return "—";
  if (digits === 0 && Math.abs(value) < 100 && !Number.isInteger(value)) return value.toFixed(1);
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

function programsTable(rows: readonly Row[]): string[] {
  return table(
    [
      "program",
      "N",
      "executed steps",
      "constraints",
      "hand-written",
      "ratio",
      "compile ts / circom ms",
      "domain",
      "setup ms",
      "witness ms",
      "prove ms",
      "verify ms",
      "gas",
      "peak RSS MB",
    ],
    rows.map((r) => [
      r.program,
      fmt(r.steps),
      fmt(r.executedSteps),
      fmt(r.constraints),
      fmt(r.handwritten),
      fmt(r.ratio, 2),
      `${fmt(r.compileMs.ts)} / ${fmt(r.compileMs.circom)}`,
      `2^${r.ptauPower}`,
      fmt(r.setupMs.direct),
      fmt(r.witnessMs),
      fmt(r.proveMs),
      fmt(r.verifyMs),
      fmt(r.verifierGas),
      fmt(r.peakRssMb),
    ]),
  );
}

function growthSection(unsorted: readonly Row[]): string[] {
  const rows = [...unsorted].sort((a, b) => a.steps - b.steps);
  const fit = rows.find((r) => r.growth !== undefined)?.growth;
  // Δ of `value` per step from the previous row.
  const marginal = (i: number, value: (r: Row) => number | null): number | null => {
    const prev = rows[i - 1];
    const cur = rows[i]!;
    if (prev === undefined) return null;
    const a = value(prev);
    const b = value(cur);
    return a === null || b === null ? null : (b - a) / (cur.steps - prev.steps);
  };
  const lines = table(
    [
      "N",
      "K (iterations)",
      "executed steps",
      "constraints",
      "estimated",
      "Δ/ΔN",
      "hand-written",
      "hand-written Δ/ΔN",
      "ratio",
      "compile ts / circom ms",
      "setup ms",
      "prove ms",
    ],
    rows.map((r, i) => [
      fmt(r.steps),
      fmt(r.iterations),
      fmt(r.executedSteps),
      fmt(r.constraints),
      fmt(r.estimatedConstraints),
      fmt(
        marginal(i, (x) => x.constraints),
        3,
      ),
      fmt(r.handwritten),
      fmt(
        marginal(i, (x) => x.handwritten),
        3,
      ),
      fmt(r.ratio, 2),
      `${fmt(r.compileMs.ts)} / ${fmt(r.compileMs.circom)}`,
      fmt(r.setupMs.direct),
      fmt(r.proveMs),
    ]),
  );
  if (fit === undefined) return lines;
  return [
    ...lines,
    "",
    `- Slope (least squares over N = ${rows.map((r) => r.steps).join(", ")}, exact r1cs counts): ` +
      `**${fmt(fit.slopePerStep, 3)} constraints per step** (${fmt(fit.slopePerIteration, 2)} per iteration; ` +
      `intercept ${fmt(fit.intercept, 1)}, R² = ${fit.r2.toFixed(6)}).`,
    fit.bodyConstraintsPerIteration > 0
      ? `- Loop body, from the compile profile: ${fmt(fit.bodyConstraintsPerIteration, 2)} constraints per iteration / ` +
        `${fit.instructionsPerIteration} instructions per iteration = **${fmt(fit.bodyConstraintsPerStep, 3)} constraints per step** ` +
        `(${Object.entries(fit.bodyByInstruction)
          .map(([op, c]) => `${op}: ${fmt(c, 2)}`)
          .join(", ")}).`
      : "- Loop body: the compile profile attributes nothing to the loop's instructions, because the " +
        "program is lowered by path (src/compiler/paths.ts): its cost per iteration is the one-hot " +
        "check of the loop bound and the merges where paths meet, which the profile lists as transitions.",
    `- Hand-written baseline slope: ${fmt(fit.handwrittenSlopePerStep, 3)} constraints per step.`,
  ];
}

function concurrencySection(row: Row | undefined): string[] {
  if (row?.concurrency === undefined) return ["Not measured in this run (`--compiler`)."];
  return [
    `${row.program} at N = ${row.steps} (${fmt(row.constraints)} constraints), ZKVM.generateProof on one set-up circuit:`,
    "",
    ...table(
      ["in flight", "proofs per run", "wall ms (median)", "proofs / minute"],
      row.concurrency.map((c) => [
        String(c.inFlight),
        String(c.proofs),
        fmt(c.wallMs),
        fmt(c.proofsPerMinute, 1),
      ]),
    ),
  ];
}

function markdown(rows: readonly Row[]): string[] {
  const scale = rows.find((r) => r.scale !== undefined)?.scale;
  return [
    "## Programs",
    "",
    ...programsTable(rows.filter((r) => r.studies.includes("programs"))),
    "",
    "## Growth in N (sum_up)",
    "",
    ...growthSection(rows.filter((r) => r.studies.includes("growth"))),
    "",
    "## Concurrency",
    "",
    ...concurrencySection(rows.find((r) => r.studies.includes("concurrency"))),
    "",
    "## Loops and branches at N and 4N (exact r1cs counts against the hand-written baselines)",
    "",
    ...shapesSection(
      rows.filter((r) => r.studies.includes("shapes")),
      (v) => fmt(v),
    ),
    "",
    "## Compile at scale (compile() alone, one child process per row)",
    "",
    ...(scale !== undefined ? scaleSection(scale, (v) => fmt(v)) : []),
  ];
}

function machine(): string {
  const cpus = os.cpus();
  const gb = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${gb} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
}

// ---------------------------------------------------------------------------
// Command

function parseOptions(argv: string[]): Options | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      compiler: { type: "boolean" },
      runs: { type: "string" },
      json: { type: "boolean" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const runs = values.runs !== undefined ? Number(values.runs) : quick ? 2 : 3;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  }
  return {
    quick,
    compiler: values.compiler ?? false,
    runs,
    json: values.json ?? false,
    out: path.resolve(values.out ?? DEFAULT_OUT),
  };
}

async function main(argv: string[]): Promise<number> {
  // The prover study (bench/prover.ts) has options of its own.
  // It exits when done: after the universal row a handle (seen at the end of
  // a --universal build run) kept the process alive with its results written.
  if (argv.includes("--prover")) process.exit(await proverMain(argv));
  // The proving-pool and queue study runs alone (bench/queue.ts).
  if (argv.includes("--queue")) return queueMain(argv);
  let options: Options | "help";
  try {
    options = parseOptions(argv);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    // The browser study needs Chromium; --compiler runs no browser.
    if (!options.compiler) benchChromium();
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const started = new Date();
  const loadBefore = loadAverage();
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-bench-"));
  log(`${options.quick ? "quick" : "full"} run, ${options.runs} timed runs after a warm-up`);
  log(`work directory ${workDir}; load average ${loadBefore}`);
  try {
    const bench: Bench = {
      options,
      workDir,
      chain: await createChain(),
    };
    const measured: Measured[] = [];
    for (const target of targets(options)) {
      const m = await measure(bench, target);
      if (target.studies.includes("concurrency")) {
        m.row.concurrency = await measureConcurrency(bench, target);
      }
      measured.push(m);
    }
    const scaleRow = measured.find(
      (m) => m.row.program === "sum_up" && m.row.studies.includes("programs"),
    );
    if (scaleRow !== undefined) {
      scaleRow.row.scale = [];
      for (const program of SCALE_PROGRAMS) {
        for (const n of SCALE_STEPS) {
          log(`compile at scale: ${program} N=${n}`);
          scaleRow.row.scale.push(await measureScale(n, program));
        }
      }
    }
    const growth = measured
      .filter((m) => m.row.studies.includes("growth"))
      .sort((a, b) => a.row.steps - b.row.steps);
    const fit = growthFit(growth, baselineFor("sum_up"));
    for (const m of growth) m.row.growth = fit;

    const rows = measured.map((m) => m.row);
    // --compiler measures what the compiler decides only: no browser, scale or universal study.
    const browser = options.compiler ? undefined : await benchBrowser({ runs: options.runs, log });
    const elapsedS = Math.round((Date.now() - started.getTime()) / 1000);
    const tables = markdown(rows);
    const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`;
    const report = [
      "# zkvm benchmark results",
      "",
      `- Date: ${started.toISOString()}`,
      `- Machine: ${machine()}`,
      `- Command: \`${command}\` (${options.quick ? "quick" : "full"} mode${options.compiler ? ", compiler rows only: no setup or proving" : ""}), ${elapsedS} s`,
      `- Load average (1 / 5 / 15 min) at start: ${loadBefore}; at end: ${loadAverage()}`,
      `- Timings: median of ${options.runs} runs after one warm-up run. Setup: the direct ` +
        "development setup (what `zkvm setup` does without --ptau; the snarkjs ptau route is " +
        "measured at small sizes by the setup-at-scale study). Gas: " +
        "verifyProof transaction in an in-process EVM (21,000 base and calldata included). " +
        "Peak RSS: the bench process only (circom2 runs as a child process).",
      "",
      ...tables,
      "",
      ...(browser !== undefined ? [...browserMarkdown(browser), ""] : []),
    ].join("\n");

    await fsp.mkdir(path.dirname(options.out), { recursive: true });
    await fsp.writeFile(options.out, JSON.stringify(rows, null, 2) + "\n");
    if (browser !== undefined) {
      await fsp.writeFile(
        options.out.replace(/\.json$/, "") + ".browser.json",
        JSON.stringify(browser, null, 2) + "\n",
      );
    }
    await fsp.writeFile(options.out.replace(/\.json$/, "") + ".md", report);
    log(`wrote ${options.out} (${rows.length} rows) in ${elapsedS} s`);
    process.stdout.write(options.json ? JSON.stringify(rows, null, 2) + "\n" : report);
    if (options.compiler) return 0;
    log("scale study: bench/scale.ts, written to bench/results-scale.{json,md}");
    await runScale({ quick: options.quick });
    // Universal circuits (bench/universal.ts): their own results file beside this one.
    const universal = await universalBench({
      quick: options.quick,
      out: path.join(path.dirname(options.out), "universal-results.json"),
    });
    process.stdout.write(
      options.json ? JSON.stringify(universal, null, 2) + "\n" : universalMarkdown(universal),
    );
    return 0;
  } finally {
    await terminateCurves();
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}

// `--segments`: the segment-chain study alone (bench/segments.ts).
process.exitCode = process.argv.includes("--segments")
  ? await segmentsMain(process.argv.slice(2))
  : await main(process.argv.slice(2));
