/**
 * The compiler's rows of the benchmark (issue 10): the loop and branch
 * shapes at their step bound N and at 4N against their hand-written
 * baselines, and the compiler's own time and memory on a counting loop at
 * N = 10k, 100k and 1M steps. bench/run.ts measures them with the other
 * studies; this module says which rows there are and prints their tables.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { baselineFor, type Baseline } from "./baselines.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

/** The loop and branch shapes of issue 10, each measured at N and 4N. */
export const SHAPES: readonly string[] = [
  "pow_down",
  "nested",
  "eq_branch",
  "gcd",
  "minmax4",
  // Issue 18: control on several inputs.
  "nested2",
  "seq2",
  "sumbound",
  "dtree3",
  // A data-dependent exit and a branch in a loop body.
  "untilsum",
  "branchy",
];

/** Step bounds of the compile-at-scale rows. */
export const SCALE_STEPS: readonly number[] = [10_000, 100_000, 1_000_000];
/** Programs of the compile-at-scale rows: sum_up, and the setup study's loop of 8 MULs per iteration. */
export const SCALE_PROGRAMS: readonly string[] = ["sum_up", "mul8"];

/** The shapes' entries, and the 4N bound each is measured at besides its CI bound. */
export function shapeEntries(): Array<{ entry: Baseline; steps: readonly number[] }> {
  return SHAPES.map((name) => {
    const entry = baselineFor(name);
    return { entry, steps: [entry.ciSteps, 4 * entry.ciSteps] };
  });
}

export interface ScaleFigure {
  readonly program: string;
  readonly steps: number;
  readonly blockSteps: number;
  readonly estimatedConstraints: number;
  /** compile() alone, program to Circom text (and nodes). */
  readonly compileMs: number;
  /** The direct backend's .r1cs and .sym from the nodes (absent in older results). */
  readonly directMs?: number;
  /** CPU time of both, ms. */
  readonly cpuMs?: number;
  readonly r1csMb?: number;
  /** Peak RSS of the child process that compiled (Node's baseline included). */
  readonly peakRssMb: number;
  readonly circomMb: number;
}

/**
 * compile() of `program` at `steps`, in a child process of its own so that its
 * peak memory is the compile's (circom2 is not run: at 1M steps it is
 * circom's own memory that limits).
 */
export async function measureScale(steps: number, program = "sum_up"): Promise<ScaleFigure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", path.join(BENCH_DIR, "compile-scale.ts"), String(steps), program],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ScaleFigure;
}

/** Rows as run.ts records them (the fields these tables read). */
export interface ShapeRow {
  readonly program: string;
  readonly steps: number;
  readonly iterations: number | null;
  readonly constraints: number;
  readonly handwritten: number | null;
  readonly ratio: number | null;
  readonly compileMs: { readonly ts: number; readonly circom: number };
}

function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

/** The shapes table: ratio at N and 4N per program, and the loops' geometric mean. */
export function shapesSection(rows: readonly ShapeRow[], fmt: (v: number) => string): string[] {
  const lines = [
    "| program | shape | N | K | constraints | hand-written | ratio | 4N | K | constraints | hand-written | ratio |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const loopRatios: number[] = [];
  for (const name of SHAPES) {
    const entry = baselineFor(name);
    const at = (steps: number) => rows.find((r) => r.program === name && r.steps === steps);
    const n = at(entry.ciSteps);
    const n4 = at(4 * entry.ciSteps);
    if (n === undefined || n4 === undefined) continue;
    if (entry.shape === "loop") loopRatios.push(n.ratio!, n4.ratio!);
    const cells = (r: ShapeRow) => [
      fmt(r.steps),
      r.iterations === null ? "—" : fmt(r.iterations),
      fmt(r.constraints),
      r.handwritten === null ? "—" : fmt(r.handwritten),
      r.ratio === null ? "—" : r.ratio.toFixed(2),
    ];
    lines.push(`| ${[name, entry.shape, ...cells(n), ...cells(n4)].join(" | ")} |`);
  }
  if (loopRatios.length > 0) {
    lines.push(
      "",
      `- Loops: geometric mean of compiled / hand-written over N and 4N: **${geometricMean(loopRatios).toFixed(2)}**; ` +
        `highest ${Math.max(...loopRatios).toFixed(2)}.`,
    );
  }
  return lines;
}

export function scaleSection(
  figures: readonly ScaleFigure[],
  fmt: (v: number) => string,
): string[] {
  return [
    "| program | N (steps) | block steps | estimated constraints | compile ms | direct .r1cs/.sym ms | CPU ms | Circom text MB | .r1cs MB | peak RSS MB |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...figures.map(
      (f) =>
        `| ${f.program ?? "sum_up"} | ${fmt(f.steps)} | ${fmt(f.blockSteps)} | ${fmt(f.estimatedConstraints)} | ${fmt(f.compileMs)} | ${f.directMs !== undefined ? fmt(f.directMs) : "—"} | ${f.cpuMs !== undefined ? fmt(f.cpuMs) : "—"} | ${f.circomMb.toFixed(1)} | ${f.r1csMb !== undefined ? f.r1csMb.toFixed(1) : "—"} | ${fmt(f.peakRssMb)} |`,
    ),
  ];
}
