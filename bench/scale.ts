/**
 * Setup at scale: `npm run bench` runs it after the other studies; alone:
 * `node --import tsx bench/scale.ts [--quick] [--sizes 16,20] [--merge] [--out FILE]`;
 * `--sizes 20 --merge` measures the 2^20 row alone and keeps the file's other rows;
 * `--no-circom` skips the circom2 comparison up to 2^16.
 *
 * A counting loop (MULS multiplications per iteration, a public trip count
 * k) compiled with `zkvm compile`'s direct backend (src/direct) at trip
 * counts giving ≈ 2^10, 2^12, 2^14, 2^16 constraints (--quick); the full run
 * adds 2^18 and 2^20. Up to 2^16 the circom2 backend compiles the same text
 * too, for its time (above, circom2 runs out of memory). A synthetic R1CS of
 * the same shape (writeSynthetic) remains for sizes above MAX_COMPILED.
 * Each size runs in a child process of its own, so its peak RSS (workers
 * included, circom2 excluded: it is a grandchild) is that size's alone.
 *
 * Per row: compile ms (whole direct compile; circom2's alone), direct setup ms, the
 * snarkjs ptau route (fresh powers of tau, phase 2, contribution) at the
 * small sizes, witness, prove and verify ms (one run each), peak RSS, key
 * size, and the growth per doubling of the constraint count. Progress goes
 * to stderr with the elapsed time. Results: bench/results-scale.{json,md}.
 */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { compile, type CompiledCircuit } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import { R, writeLE } from "../src/groth16/field.js";
import { directDomainPower } from "../src/groth16/index.js";
import { directSetupFiles } from "../src/groth16/node.js";
import { run } from "../src/interpreter.js";
import { inputCells } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { buildCircuit, openBuild } from "../src/build/index.js";
import { directBuildWitness } from "../src/build/proofs.js";
import {
  compileCircom,
  defaultIncludePaths,
  groth16Setup,
  localPtau,
  proveWitness,
  readR1csInfo,
  requiredPower,
  terminateCurves,
  verify,
} from "../src/pipeline/index.js";
import { loadSnarkjs } from "../src/pipeline/snarkjs.js";
import { validate, type ValidatedProgram } from "../src/validator.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_OUT = path.join(BENCH_DIR, "results-scale.json");
const QUICK_SIZES = [10, 12, 14, 16];
const FULL_SIZES = [10, 12, 14, 16, 18, 20];
/** Sizes compiled from the program (direct backend); above, the R1CS is synthetic. */
const MAX_COMPILED = 20;
/** Sizes also compiled with the circom2 backend (above it runs out of memory: issue 18). */
const MAX_CIRCOM = 16;
/** The snarkjs ptau route is measured up to this size (quick: 2^10 only). */
const PTAU_ROUTE_MAX = { quick: 10, full: 12 };
/** Fill the 2^k domain to this fraction (the domain is the next power of two above constraints + public signals). */
const FILL = 0.92;
const MULS = 8;

export const SCALE_PROGRAM = `; counting loop: k iterations of ${MULS} multiplications
.public  k   0
.output  acc 1
.cell    i   2
        PUSH 3
        STORE acc
        LOAD k
        STORE i
loop:   LOAD acc
${"        LOAD acc\n        MUL\n".repeat(MULS)}        STORE acc
        LOAD i
        PUSH -1
        ADD
        STORE i
        LOAD i
        JUMPI loop
        STOP
`;
/** Steps of one loop iteration, and of the code around the loop. */
const BODY_STEPS = 2 * MULS + 8;
const OUTER_STEPS = 5;

export interface ScaleRow {
  /** log2 of the Groth16 domain aimed at. */
  readonly power: number;
  readonly source: "compiled" | "synthetic";
  /** Loop trip count and step bound (compiled rows). */
  readonly iterations: number | null;
  readonly steps: number | null;
  readonly constraints: number;
  readonly wires: number;
  readonly domainPower: number;
  /** Whole `zkvm compile` with the direct backend (compiler, .r1cs, .sym, files): wall ms. */
  readonly compileMs: number | null;
  /** The same compile's CPU time (user + system), ms: what it costs on a machine it has to itself. */
  readonly compileCpuMs?: number | null;
  /** Peak RSS right after the compile (the row's process). */
  readonly compilePeakRssMb?: number | null;
  /** The circom2 backend on the same Circom text (circom2 alone), when measured. */
  readonly circomCompileMs?: number | null;
  readonly directSetupMs: number;
  /** CPU time (user + system, worker threads included) of the direct setup, and of witness + prove. */
  readonly setupCpuMs?: number;
  readonly proveCpuMs?: number;
  /** The 1-minute load average when the row started and when it ended. */
  readonly loadStart?: number;
  readonly loadEnd?: number;
  /** snarkjs route with no cache: new powers of tau, contribution, phase 2 preparation, zkey, contribution. */
  readonly ptauRouteMs: number | null;
  readonly witnessMs: number;
  readonly proveMs: number;
  readonly verifyMs: number;
  readonly keyBytes: number;
  /** Peak RSS of the row's process right after the direct setup (before proving). */
  readonly setupPeakRssMb: number;
  /** Peak RSS of the row's process at the end (proving included). */
  readonly peakRssMb: number;
}

const startedAt = performance.now();
function log(message: string): void {
  const s = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[scale ${s} s] ${message}\n`);
}

/**
 * The trip count whose circuit lands at FILL·2^power constraints (by the
 * compiler's exact estimate, fitted on two small counts), and that circuit
 * with the milliseconds the zkvm compiler took for it.
 */
function circuitFor(
  program: ValidatedProgram,
  power: number,
): { iterations: number; steps: number; circuit: CompiledCircuit; ms: number } {
  const compileAt = (iterations: number): { circuit: CompiledCircuit; ms: number } => {
    const start = performance.now();
    const circuit = compile(program, { steps: OUTER_STEPS + iterations * BODY_STEPS });
    return { circuit, ms: Math.round(performance.now() - start) };
  };
  const a = compileAt(8).circuit.estimatedConstraints;
  const b = (compileAt(16).circuit.estimatedConstraints - a) / 8;
  let iterations = Math.max(1, Math.floor(8 + (FILL * 2 ** power - a) / b));
  let compiled = compileAt(iterations);
  while (
    compiled.circuit.estimatedConstraints + compiled.circuit.publicSignals.length >=
    2 ** power
  ) {
    iterations = Math.floor(iterations * 0.98);
    compiled = compileAt(iterations);
  }
  return { iterations, steps: OUTER_STEPS + iterations * BODY_STEPS, ...compiled };
}

/**
 * A synthetic R1CS of m constraints with the counting loop's shape: wire 1 the
 * public output, wire 2 the private input x, w[c+3] = w[c+2]·w[c+2] (the last
 * one is wire 1); and its witness for x = 3, as a .wtns file.
 */
async function writeSynthetic(dir: string, m: number): Promise<{ r1cs: string; wtns: string }> {
  const nWires = m + 2;
  const term = 4 + 32;
  const constraintBytes = 3 * 4 + 3 * term;
  const headerBytes = 4 + 32 + 4 * 4 + 8 + 4;
  const buf = new Uint8Array(12 + 12 + headerBytes + 12 + m * constraintBytes);
  const dv = new DataView(buf.buffer);
  buf.set([0x72, 0x31, 0x63, 0x73]); // "r1cs"
  dv.setUint32(4, 1, true);
  dv.setUint32(8, 2, true);
  let p = 12;
  dv.setUint32(p, 1, true);
  dv.setBigUint64(p + 4, BigInt(headerBytes), true);
  p += 12;
  dv.setUint32(p, 32, true);
  writeLE(buf, p + 4, R);
  dv.setUint32(p + 36, nWires, true);
  dv.setUint32(p + 40, 1, true); // outputs
  dv.setUint32(p + 44, 0, true); // public inputs
  dv.setUint32(p + 48, 1, true); // private inputs
  dv.setBigUint64(p + 52, BigInt(nWires), true); // labels
  dv.setUint32(p + 60, m, true);
  p += headerBytes;
  dv.setUint32(p, 2, true);
  dv.setBigUint64(p + 4, BigInt(m * constraintBytes), true);
  p += 12;
  const lc = (wire: number): void => {
    dv.setUint32(p, 1, true);
    dv.setUint32(p + 4, wire, true);
    buf[p + 8] = 1; // coefficient 1
    p += 4 + term;
  };
  for (let c = 0; c < m; c++) {
    const input = c === 0 ? 2 : c + 2;
    lc(input);
    lc(input);
    lc(c === m - 1 ? 1 : c + 3);
  }
  const witness = new Uint8Array(12 + 12 + 40 + 12 + nWires * 32);
  const wv = new DataView(witness.buffer);
  witness.set([0x77, 0x74, 0x6e, 0x73]); // "wtns"
  wv.setUint32(4, 2, true);
  wv.setUint32(8, 2, true);
  wv.setUint32(12, 1, true);
  wv.setBigUint64(16, 40n, true);
  wv.setUint32(24, 32, true);
  writeLE(witness, 28, R);
  wv.setUint32(60, nWires, true);
  wv.setUint32(64, 2, true);
  wv.setBigUint64(68, BigInt(nWires * 32), true);
  const at = (wire: number): number => 76 + wire * 32;
  writeLE(witness, at(0), 1n);
  let x = 3n;
  writeLE(witness, at(2), x);
  for (let c = 0; c < m; c++) {
    x = (x * x) % R;
    writeLE(witness, at(c === m - 1 ? 1 : c + 3), x);
  }
  const files = { r1cs: path.join(dir, "synthetic.r1cs"), wtns: path.join(dir, "synthetic.wtns") };
  await fsp.writeFile(files.r1cs, buf);
  await fsp.writeFile(files.wtns, witness);
  return files;
}

async function timedMs<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; result: T }> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await fn();
  const cpu = process.cpuUsage(cpu0);
  return {
    ms: Math.round(performance.now() - start),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    result,
  };
}

function setupProgress(label: string): (e: { message: string; elapsedMs?: number }) => void {
  return (e) => log(`${label}: ${e.message}`);
}

/** One row, measured in this process. */
async function measureRow(
  power: number,
  quick: boolean,
  workDir: string,
  circom = true,
): Promise<ScaleRow> {
  const label = `2^${power}`;
  const dir = path.join(workDir, `scale-${power}`);
  await fsp.mkdir(dir, { recursive: true });
  const zkeyPath = path.join(dir, "key.zkey");
  const loadStart = os.loadavg()[0]!;

  if (power > MAX_COMPILED) {
    const m = Math.floor(FILL * 2 ** power);
    log(`${label}: synthetic R1CS of ${m} constraints`);
    const files = await writeSynthetic(dir, m);
    log(`${label}: direct setup`);
    const setup = await timedMs(() =>
      directSetupFiles(files.r1cs, zkeyPath, { onProgress: setupProgress(label) }),
    );
    const setupPeakRssMb = peakRssMb();
    const snarkjs = await loadSnarkjs();
    log(`${label}: prove`);
    const proved = await timedMs(() => snarkjs.groth16.prove(zkeyPath, files.wtns));
    const verified = await timedMs(() =>
      verify(setup.result.vkey, proved.result.publicSignals, proved.result.proof),
    );
    if (!verified.result.valid) throw new Error(`${label}: the proof does not verify`);
    return {
      power,
      source: "synthetic",
      iterations: null,
      steps: null,
      constraints: m,
      wires: m + 2,
      domainPower: directDomainPower(m, 1),
      compileMs: null,
      directSetupMs: setup.ms,
      ptauRouteMs: null,
      witnessMs: 0,
      proveMs: proved.ms,
      verifyMs: verified.ms,
      keyBytes: (await fsp.stat(zkeyPath)).size,
      setupPeakRssMb,
      peakRssMb: peakRssMb(),
    };
  }

  const program = validate(loadProgram(SCALE_PROGRAM));
  const { iterations, steps, circuit } = circuitFor(program, power);
  log(`${label}: ${iterations} iterations (N = ${steps}); zkvm compile (direct backend)`);
  // The whole compile as `zkvm compile` runs it: compiler, .r1cs, .sym, files.
  const buildDir = path.join(dir, "build");
  const cpu0 = process.cpuUsage();
  const compiledBuild = await timedMs(() =>
    buildCircuit(program, buildDir, { steps, name: "count", backend: "direct" }),
  );
  const cpu = process.cpuUsage(cpu0);
  const compileCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const compilePeakRssMb = peakRssMb();
  const build = await openBuild(buildDir);
  const r1csPath = build.file("r1cs");
  const r1cs = await readR1csInfo(r1csPath);
  let circomCompileMs: number | null = null;
  if (circom && power <= MAX_CIRCOM) {
    log(`${label}: circom2 backend on the same text`);
    const circomFile = path.join(dir, "count.circom");
    await fsp.writeFile(circomFile, circuit.circom);
    const circomBuild = await timedMs(() =>
      compileCircom({
        circomFile,
        outDir: path.join(dir, "circom"),
        includePaths: defaultIncludePaths(),
      }),
    );
    circomCompileMs = circomBuild.ms;
    if (circomBuild.result.constraints !== r1cs.nConstraints) {
      throw new Error(`${label}: the backends disagree on the constraint count`);
    }
  }
  log(`${label}: ${r1cs.nConstraints} constraints; direct setup`);
  const setup = await timedMs(() =>
    directSetupFiles(r1csPath, zkeyPath, { onProgress: setupProgress(label) }),
  );
  const setupPeakRssMb = peakRssMb();
  let ptauRouteMs: number | null = null;
  if (power <= PTAU_ROUTE_MAX[quick ? "quick" : "full"]) {
    log(`${label}: snarkjs ptau route (fresh powers of tau)`);
    const routeDir = path.join(dir, "ptau-route");
    ptauRouteMs = (
      await timedMs(async () => {
        const ptau = await localPtau(requiredPower(r1cs.nConstraints, r1cs.nPublic), {
          cacheDir: path.join(routeDir, "cache"),
        });
        return groth16Setup({ r1csPath, ptauPath: ptau.path, outDir: routeDir });
      })
    ).ms;
  }
  const inputs = { k: iterations };
  const execution = run(program, inputCells(program.io, inputs), { steps });
  log(`${label}: witness and prove (${execution.steps} steps)`);
  const proveCpu0 = process.cpuUsage();
  const witness = await timedMs(() => directBuildWitness(build, circuitInput(program.io, inputs)));
  // The project's own prover (src/groth16), zkvm prove's default.
  const proved = await proveWitness(zkeyPath, witness.result, witness.ms);
  const proveCpu = process.cpuUsage(proveCpu0);
  const verified = await timedMs(() =>
    verify(setup.result.vkey, proved.publicSignals, proved.proof),
  );
  if (!verified.result.valid) throw new Error(`${label}: the proof does not verify`);
  const built = { constraints: r1cs.nConstraints, r1cs };
  return {
    power,
    source: "compiled",
    iterations,
    steps,
    constraints: built.constraints,
    wires: built.r1cs.nWires,
    domainPower: directDomainPower(built.constraints, built.r1cs.nPublic),
    compileMs: compiledBuild.ms,
    compileCpuMs,
    compilePeakRssMb,
    circomCompileMs,
    directSetupMs: setup.ms,
    setupCpuMs: setup.cpuMs,
    proveCpuMs: Math.round((proveCpu.user + proveCpu.system) / 1000),
    loadStart,
    loadEnd: os.loadavg()[0]!,
    ptauRouteMs,
    witnessMs: proved.timings.witnessMs,
    proveMs: proved.timings.proveMs,
    verifyMs: verified.ms,
    keyBytes: (await fsp.stat(zkeyPath)).size,
    setupPeakRssMb,
    peakRssMb: peakRssMb(),
  };
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs one row in a child process (its own peak RSS), relaying its stderr. */
function childRow(
  power: number,
  quick: boolean,
  workDir: string,
  circom: boolean,
): Promise<ScaleRow> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(import.meta.url),
        "--row",
        String(power),
        "--work",
        workDir,
        ...(quick ? ["--quick"] : []),
        ...(circom ? [] : ["--no-circom"]),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`the 2^${power} row failed (exit ${code})`));
      else resolve(JSON.parse(out) as ScaleRow);
    });
  });
}

function fmtMs(ms: number | null): string {
  if (ms === null) return "—";
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** Ratio of a figure between consecutive rows, per doubling of the constraint count. */
function perDoubling(rows: readonly ScaleRow[], i: number, f: (r: ScaleRow) => number): string {
  const prev = rows[i - 1];
  const row = rows[i];
  if (prev === undefined || row === undefined) return "—";
  const doublings = Math.log2(row.constraints / prev.constraints);
  return `×${((f(row) / f(prev)) ** (1 / doublings)).toFixed(2)}`;
}

export function scaleMarkdown(rows: readonly ScaleRow[]): string {
  const lines = [
    "| size | source | constraints | compile (direct) | circom2 | direct setup | snarkjs ptau route | witness | prove | verify | setup / prove | peak RSS after setup / at end | key size | setup growth per doubling | prove growth per doubling | load (start / end) |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  rows.forEach((r, i) => {
    lines.push(
      [
        `2^${r.domainPower}`,
        r.source === "compiled" ? `loop, k = ${r.iterations}, N = ${r.steps}` : "synthetic R1CS",
        r.constraints.toLocaleString("en-US"),
        r.compileCpuMs !== undefined && r.compileCpuMs !== null
          ? `${fmtMs(r.compileMs)} (CPU ${fmtMs(r.compileCpuMs)}, ${r.compilePeakRssMb} MB)`
          : fmtMs(r.compileMs),
        r.circomCompileMs !== undefined ? fmtMs(r.circomCompileMs) : "—",
        r.setupCpuMs !== undefined
          ? `${fmtMs(r.directSetupMs)} (CPU ${fmtMs(r.setupCpuMs)})`
          : fmtMs(r.directSetupMs),
        fmtMs(r.ptauRouteMs),
        r.source === "synthetic" ? "(written directly)" : fmtMs(r.witnessMs),
        r.proveCpuMs !== undefined
          ? `${fmtMs(r.proveMs)} (CPU ${fmtMs(r.proveCpuMs)} with the witness)`
          : fmtMs(r.proveMs),
        fmtMs(r.verifyMs),
        `${(r.directSetupMs / r.proveMs).toFixed(1)}×`,
        `${r.setupPeakRssMb} / ${r.peakRssMb} MB`,
        `${(r.keyBytes / 2 ** 20).toFixed(1)} MiB`,
        perDoubling(rows, i, (x) => x.directSetupMs),
        perDoubling(rows, i, (x) => x.proveMs),
        r.loadStart !== undefined && r.loadEnd !== undefined
          ? `${r.loadStart.toFixed(1)} / ${r.loadEnd.toFixed(1)}`
          : "—",
      ].join(" | "),
    );
  });
  return lines.map((l) => (l.startsWith("|") ? l : `| ${l} |`)).join("\n");
}

export interface ScaleOptions {
  readonly quick: boolean;
  /** Only these sizes (log2), e.g. [16, 20]. */
  readonly sizes?: readonly number[];
  /** Keep the out file's rows of the other sizes (run one row, e.g. 2^20, alone). */
  readonly merge?: boolean;
  /** false (--no-circom): skip the circom2 compile of the rows up to 2^16 (minutes on a loaded machine). */
  readonly circom?: boolean;
  readonly out?: string;
}

/** The whole study: every size in a child process, then the JSON and Markdown files. */
export async function runScale(options: ScaleOptions): Promise<ScaleRow[]> {
  const out = options.out ?? DEFAULT_OUT;
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-scale-"));
  const started = new Date();
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
  // --merge: the rows of the sizes not measured now stay as the file has them.
  let kept: ScaleRow[] = [];
  if (options.merge === true) {
    try {
      kept = JSON.parse(await fsp.readFile(out, "utf8")) as ScaleRow[];
    } catch {
      kept = [];
    }
  }
  const sizes = options.sizes ?? (options.quick ? QUICK_SIZES : FULL_SIZES);
  kept = kept.filter((r) => !sizes.includes(r.power));
  const rows: ScaleRow[] = [];
  /** The JSON and Markdown files, rewritten after every row (a long run keeps what it measured). */
  const write = async (): Promise<number> => {
    const elapsedS = Math.round((Date.now() - started.getTime()) / 1000);
    const all = [...kept, ...rows].sort((a, b) => a.power - b.power);
    const cpus = os.cpus();
    const md = [
      "# Setup at scale",
      "",
      `- Date: ${started.toISOString()}`,
      `- Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      `- Command: \`node --import tsx bench/scale.ts${options.quick ? " --quick" : ""}${options.sizes !== undefined ? ` --sizes ${options.sizes.join(",")}` : ""}${options.merge === true ? " --merge" : ""}${options.circom === false ? " --no-circom" : ""}${options.out !== undefined ? ` --out ${path.relative(process.cwd(), options.out)}` : ""}\` (or \`npm run bench\`), ${elapsedS} s; load average at start ${load}, at end ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(
          " / ",
        )}${kept.length > 0 ? `; the rows ${kept.map((r) => `2^${r.power}`).join(", ")} are from an earlier run (--merge), each with its own load` : ""}`,
      `- Program: a counting loop with ${MULS} MULs per iteration and a public trip count k, compiled at N = ${OUTER_STEPS} + ${BODY_STEPS}·k with \`zkvm compile\`'s default direct backend (compiler, .r1cs, .sym and files; wall time, with its CPU time in parentheses: the machine is shared, see the load average); the witness is the direct backend's. The circom2 column is circom2 --O2 alone on the same Circom text, up to 2^${MAX_CIRCOM} (above, circom2 runs out of its 4 GB WebAssembly memory).`,
      "- One run per figure. Direct setup: `directSetupFiles` (random secrets, key written to disk). snarkjs ptau route: powers of tau generated in an empty cache, phase 2 preparation, `zkey new`, one contribution. Prove: zkvm's own Groth16 prover (src/groth16, `zkvm prove`'s default; the witness separately, CPU time of both together). CPU times are user + system of the row's process, worker threads included. Peak RSS: the row's own process (worker threads included, circom2 excluded), right after the direct setup (compile included for compiled rows) and at the end (proving included).",
      "",
      scaleMarkdown(all),
      "",
    ].join("\n");
    await fsp.mkdir(path.dirname(out), { recursive: true });
    await fsp.writeFile(out, JSON.stringify(all, null, 2) + "\n");
    await fsp.writeFile(out.replace(/\.json$/, "") + ".md", md);
    return elapsedS;
  };
  let elapsedS = 0;
  try {
    for (const power of sizes) {
      rows.push(await childRow(power, options.quick, workDir, options.circom !== false));
      log(`2^${power}: ${JSON.stringify(rows[rows.length - 1])}`);
      elapsedS = await write();
    }
  } finally {
    await fsp.rm(workDir, { recursive: true, force: true });
  }
  log(`wrote ${out} in ${elapsedS} s`);
  return rows;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      row: { type: "string" },
      work: { type: "string" },
      sizes: { type: "string" },
      merge: { type: "boolean", default: false },
      "no-circom": { type: "boolean", default: false },
    },
  });
  if (values.row !== undefined) {
    try {
      const row = await measureRow(
        Number(values.row),
        values.quick,
        values.work ?? os.tmpdir(),
        !values["no-circom"],
      );
      process.stdout.write(JSON.stringify(row) + "\n");
    } finally {
      await terminateCurves();
    }
    return 0;
  }
  await runScale({
    quick: values.quick,
    merge: values.merge,
    circom: !values["no-circom"],
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.sizes !== undefined ? { sizes: values.sizes.split(",").map(Number) } : {}),
  });
  return 0;
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  process.exitCode = await main(process.argv.slice(2));
}
