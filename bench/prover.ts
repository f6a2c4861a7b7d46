/**
 * Prover study: zkvm's Groth16 prover (src/groth16/prover.ts) against
 * snarkjs's `groth16.prove`, on the same .zkey and .wtns, interleaved run by
 * run (snarkjs first on odd runs, zkvm first on even ones), with one thread
 * and with the workers (one per core).
 *
 *   npm run bench -- --prover [--sizes 14,16,18] [--universal DIR|build|none]
 *                             [--threads 1,2] [--runs R] [--rss 18]
 *   node --import tsx bench/prover.ts [same options]
 *
 * Sizes 2^k are the synthetic squaring chain of bench/scale.ts filled to 92 %
 * of the domain (a dense witness); "universal" is the 256-step universal
 * circuit (DEFAULT_BOUNDS) proving power.zkasm (x = 3, e = 19), whose witness
 * is mostly zeros and ones. `--universal build` compiles and sets it up in
 * os.tmpdir() (minutes) and reuses it there; `--universal DIR` uses a set-up
 * universal build.
 *
 * Per row and thread mode: medians of R runs of the wall time and of the
 * CPU time of the whole process (process.cpuUsage: all threads, workers
 * included), the ratios zkvm / snarkjs, and zkvm's phase shares (one-thread
 * runs, where tasks run one after another: the polynomials, each MSM). Each
 * curve is built before the timed runs (snarkjs caches its own too). Every
 * zkvm proof is checked with snarkjs's groth16.verify.
 *
 * Peak memory (--rss, default at 2^18): each prover proves the same files
 * once more in a child process of its own (one per prover and thread mode),
 * which reports its peak resident set size (process.resourceUsage().maxRSS:
 * the whole process, worker threads included), CPU and wall time.
 * Results: bench/results-prover.{json,md}.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { buildBn128 } from "ffjavascript";
import { R, writeLE } from "../src/groth16/field.js";
import { directSetupFiles } from "../src/groth16/node.js";
import { Prover, readProvingKey } from "../src/groth16/prover.js";
import { loadProgram } from "../src/load.js";
import { computeWitness, terminateCurves } from "../src/pipeline/index.js";
import { loadSnarkjs } from "../src/pipeline/snarkjs.js";
import {
  compileUniversal,
  openUniversal,
  prepareProgram,
  setupUniversal,
} from "../src/universal/build.js";
import { DEFAULT_BOUNDS } from "../src/universal/encode.js";
import { universalInput } from "../src/universal/witness.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_OUT = path.join(BENCH_DIR, "results-prover.json");
const FILL = 0.92;

export interface ProverFigure {
  wallMs: number;
  cpuMs: number;
}

export interface ProverRow {
  circuit: string;
  constraints: number;
  domain: number;
  threads: 1 | "workers";
  runs: number;
  snarkjs: ProverFigure;
  zkvm: ProverFigure;
  cpuRatio: number;
  wallRatio: number;
  /** zkvm's one-thread phase shares (percent of the proof's wall time). */
  phases?: Record<string, number>;
  /** When the row was measured and the load average (1, 5, 15 min) as it started. */
  measuredAt: string;
  load: string;
  /** Peak RSS (MB) of one proof in a child process of its own, per prover. */
  peakRssMb?: { snarkjs: number; zkvm: number };
}

/** What a --rss-child process reports. */
interface ChildFigure {
  maxRssMb: number;
  cpuMs: number;
  wallMs: number;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
}

function log(message: string): void {
  process.stderr.write(`[prover bench] ${message}\n`);
}

/** The squaring chain of bench/scale.ts: m constraints, wire 1 public, witness for x = 3. */
async function writeSynthetic(dir: string, m: number): Promise<{ r1cs: string; wtns: string }> {
  const nWires = m + 2;
  const term = 4 + 32;
  const constraintBytes = 3 * 4 + 3 * term;
  const headerBytes = 4 + 32 + 4 * 4 + 8 + 4;
  const buf = new Uint8Array(12 + 12 + headerBytes + 12 + m * constraintBytes);
  const dv = new DataView(buf.buffer);
  buf.set([0x72, 0x31, 0x63, 0x73]);
  dv.setUint32(4, 1, true);
  dv.setUint32(8, 2, true);
  let p = 12;
  dv.setUint32(p, 1, true);
  dv.setBigUint64(p + 4, BigInt(headerBytes), true);
  p += 12;
  dv.setUint32(p, 32, true);
  writeLE(buf, p + 4, R);
  dv.setUint32(p + 36, nWires, true);
  dv.setUint32(p + 40, 1, true);
  dv.setUint32(p + 44, 0, true);
  dv.setUint32(p + 48, 1, true);
  dv.setBigUint64(p + 52, BigInt(nWires), true);
  dv.setUint32(p + 60, m, true);
  p += headerBytes;
  dv.setUint32(p, 2, true);
  dv.setBigUint64(p + 4, BigInt(m * constraintBytes), true);
  p += 12;
  const lc = (wire: number): void => {
    dv.setUint32(p, 1, true);
    dv.setUint32(p + 4, wire, true);
    buf[p + 8] = 1;
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
  witness.set([0x77, 0x74, 0x6e, 0x73]);
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
  const files = { r1cs: path.join(dir, `chain${m}.r1cs`), wtns: path.join(dir, `chain${m}.wtns`) };
  await fsp.writeFile(files.r1cs, buf);
  await fsp.writeFile(files.wtns, witness);
  return files;
}

interface Case {
  circuit: string;
  constraints: number;
  zkeyPath: string;
  wtns: Uint8Array;
  /** The witness on disk (for the peak-memory child processes). */
  wtnsPath: string;
}

export async function syntheticCase(work: string, power: number): Promise<Case> {
  const m = Math.floor(2 ** power * FILL);
  const files = await writeSynthetic(work, m);
  const zkeyPath = path.join(work, `chain${m}.zkey`);
  log(`2^${power}: direct setup of ${m} constraints`);
  await directSetupFiles(files.r1cs, zkeyPath);
  return {
    circuit: `2^${power} chain`,
    constraints: m,
    zkeyPath,
    wtns: new Uint8Array(await fsp.readFile(files.wtns)),
    wtnsPath: files.wtns,
  };
}

async function universalCase(dir: string, work: string): Promise<Case> {
  try {
    await openUniversal(dir);
  } catch {
    log(`universal: compiling and setting up ${dir} (minutes)`);
    await compileUniversal(dir, DEFAULT_BOUNDS);
    await setupUniversal(dir);
  }
  const manifest = await openUniversal(dir);
  const program = loadProgram(
    await fsp.readFile(path.join(BENCH_DIR, "..", "examples", "power.zkasm"), "utf8"),
  );
  const inputs = { x: 3n, e: 19n };
  const prepared = await prepareProgram(program, manifest.bounds);
  const input = universalInput(
    prepared.canonical,
    prepared.program.io,
    manifest.bounds,
    inputs as never,
  );
  const { wtns } = await computeWitness(path.join(dir, manifest.files.wasm.path), input);
  const wtnsPath = path.join(work, "universal.wtns");
  await fsp.writeFile(wtnsPath, wtns);
  return {
    circuit: `universal ${manifest.bounds.steps} steps`,
    constraints: manifest.constraints,
    zkeyPath: path.join(dir, manifest.setup!.zkey),
    wtns,
    wtnsPath,
  };
}

async function measure<T>(fn: () => Promise<T>): Promise<{ fig: ProverFigure; result: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { fig: { wallMs, cpuMs: (c.user + c.system) / 1000 }, result };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One proof in a child process of its own: its peak RSS, CPU and wall time. */
async function childProof(
  who: "snarkjs" | "zkvm",
  kase: Case,
  threads: 1 | "workers",
): Promise<ChildFigure> {
  const { execFile } = await import("node:child_process");
  const args = [
    "--import",
    "tsx",
    fileURLToPath(import.meta.url),
    "--rss-child",
    who,
    "--zkey",
    kase.zkeyPath,
    "--wtns",
    kase.wtnsPath,
    "--threads",
    threads === 1 ? "1" : "2",
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`peak-memory child (${who}) failed: ${stderr || err.message}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildFigure);
    });
  });
}

/** The child's side: prove once (after building the curve) and print its figures as JSON. */
async function rssChild(
  who: "snarkjs" | "zkvm",
  zkeyPath: string,
  wtnsPath: string,
  threads: 1 | "workers",
): Promise<void> {
  const wtns = new Uint8Array(await fsp.readFile(wtnsPath));
  const snarkjs = await loadSnarkjs();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (who === "snarkjs") {
    if (threads === 1) {
      (globalThis as { curve_bn128?: unknown }).curve_bn128 = await buildBn128(true);
    }
    await snarkjs.groth16.prove(zkeyPath, { type: "mem", data: wtns });
  } else {
    const prover = await Prover.build(threads === 1);
    try {
      await prover.prove(new Uint8Array(await fsp.readFile(zkeyPath)), wtns);
    } finally {
      prover.close();
    }
  }
  const c = process.cpuUsage(c0);
  const fig: ChildFigure = {
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuMs: Math.round((c.user + c.system) / 1000),
    wallMs: Math.round(performance.now() - t0),
  };
  await terminateCurves();
  process.stdout.write(JSON.stringify(fig) + "\n");
}

async function compareCase(
  kase: Case,
  runs: number,
  threads: 1 | "workers",
  rss: boolean,
): Promise<ProverRow> {
  const snarkjs = await loadSnarkjs();
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  // snarkjs proves with the cached process curve: a single-thread one for the 1-thread rows.
  if (g.curve_bn128) await g.curve_bn128.terminate();
  g.curve_bn128 = null;
  if (threads === 1) {
    g.curve_bn128 = (await buildBn128(true)) as never;
  } else {
    await (
      snarkjs as unknown as { curves: { getCurveFromName(n: string): Promise<unknown> } }
    ).curves.getCurveFromName("bn128");
  }
  const measuredAt = new Date().toISOString();
  const load = loadAverage();
  const prover = await Prover.build(threads === 1);
  const zkey = new Uint8Array(await fsp.readFile(kase.zkeyPath));
  const key = readProvingKey(zkey);
  const vkey = await (
    snarkjs as unknown as { zKey: { exportVerificationKey(z: string): Promise<unknown> } }
  ).zKey.exportVerificationKey(kase.zkeyPath);
  const s: ProverFigure[] = [];
  const z: ProverFigure[] = [];
  const phaseRuns: Record<string, number>[] = [];
  try {
    // one warm-up of each, untimed (not at 2^17 and above, where the JIT's share is negligible)
    if (key.domainSize < 1 << 17) {
      await snarkjs.groth16.prove(kase.zkeyPath, { type: "mem", data: kase.wtns });
      await prover.prove(zkey, kase.wtns);
    }
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? ["snarkjs", "zkvm"] : ["zkvm", "snarkjs"];
      for (const who of order) {
        if (who === "snarkjs") {
          const { fig } = await measure(() =>
            snarkjs.groth16.prove(kase.zkeyPath, { type: "mem", data: kase.wtns }),
          );
          s.push(fig);
        } else {
          const { fig, result } = await measure(() => prover.prove(zkey, kase.wtns));
          z.push(fig);
          if (threads === 1) phaseRuns.push(result.timings.phases);
          if (!(await snarkjs.groth16.verify(vkey, result.publicSignals, result.proof))) {
            throw new Error(`${kase.circuit}: a zkvm proof does not verify`);
          }
        }
      }
      log(
        `${kase.circuit}, ${threads === 1 ? "1 thread" : "workers"}, run ${run + 1}: snarkjs ${Math.round(s.at(-1)!.cpuMs)} ms CPU / ${Math.round(s.at(-1)!.wallMs)} ms wall, zkvm ${Math.round(z.at(-1)!.cpuMs)} / ${Math.round(z.at(-1)!.wallMs)}`,
      );
    }
  } finally {
    prover.close();
  }
  const fig = (xs: ProverFigure[]): ProverFigure => ({
    wallMs: Math.round(median(xs.map((x) => x.wallMs))),
    cpuMs: Math.round(median(xs.map((x) => x.cpuMs))),
  });
  const sf = fig(s);
  const zf = fig(z);
  let phases: Record<string, number> | undefined;
  if (phaseRuns.length > 0) {
    phases = {};
    const total = median(phaseRuns.map((p) => Object.values(p).reduce((a, b) => a + b, 0)));
    for (const k of Object.keys(phaseRuns[0]!)) {
      phases[k] = Math.round((1000 * median(phaseRuns.map((p) => p[k] ?? 0))) / total) / 10;
    }
  }
  let peakRssMb: ProverRow["peakRssMb"];
  if (rss) {
    log(`${kase.circuit}, ${threads === 1 ? "1 thread" : "workers"}: peak memory, one child each`);
    const sc = await childProof("snarkjs", kase, threads);
    const zc = await childProof("zkvm", kase, threads);
    log(`peak RSS: snarkjs ${sc.maxRssMb} MB, zkvm ${zc.maxRssMb} MB`);
    peakRssMb = { snarkjs: sc.maxRssMb, zkvm: zc.maxRssMb };
  }
  return {
    circuit: kase.circuit,
    constraints: kase.constraints,
    domain: key.domainSize,
    threads,
    runs,
    measuredAt,
    load,
    snarkjs: sf,
    zkvm: zf,
    cpuRatio: Math.round((100 * zf.cpuMs) / sf.cpuMs) / 100,
    wallRatio: Math.round((100 * zf.wallMs) / sf.wallMs) / 100,
    ...(phases ? { phases } : {}),
    ...(peakRssMb ? { peakRssMb } : {}),
  };
}

export function proverMarkdown(rows: readonly ProverRow[], meta: string): string {
  const lines = [
    "# Prover: zkvm vs snarkjs (same zkey and witness, interleaved)",
    "",
    meta,
    "",
    "| circuit | constraints | domain | threads | snarkjs CPU | zkvm CPU | CPU ratio | snarkjs wall | zkvm wall | wall ratio | runs | measured (UTC), load 1/5/15 min |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.circuit} | ${r.constraints.toLocaleString("en-US")} | 2^${Math.log2(r.domain)} | ${r.threads === 1 ? "1" : "workers"} | ${r.snarkjs.cpuMs} ms | ${r.zkvm.cpuMs} ms | **${r.cpuRatio.toFixed(2)}** | ${r.snarkjs.wallMs} ms | ${r.zkvm.wallMs} ms | **${r.wallRatio.toFixed(2)}** | ${r.runs} | ${r.measuredAt?.slice(0, 16).replace("T", " ") ?? "?"}, ${r.load ?? "?"} |`,
    );
  }
  const withRss = rows.filter((r) => r.peakRssMb);
  if (withRss.length > 0) {
    lines.push(
      "",
      "Peak memory of one proof, each prover in a child process of its own (maxRSS, worker threads included):",
      "",
      "| circuit | threads | snarkjs peak RSS | zkvm peak RSS | ratio |",
      "|---|---|---:|---:|---:|",
    );
    for (const r of withRss) {
      const { snarkjs, zkvm } = r.peakRssMb!;
      lines.push(
        `| ${r.circuit} | ${r.threads === 1 ? "1" : "workers"} | ${snarkjs} MB | ${zkvm} MB | ${(zkvm / snarkjs).toFixed(2)} |`,
      );
    }
  }
  const withPhases = rows.filter((r) => r.phases);
  if (withPhases.length > 0) {
    const keys = [...new Set(withPhases.flatMap((r) => Object.keys(r.phases!)))];
    lines.push(
      "",
      "zkvm's phase shares, one thread (% of the phases' summed time):",
      "",
      `| circuit | ${keys.join(" | ")} |`,
      `|---|${keys.map(() => "---:").join("|")}|`,
    );
    for (const r of withPhases) {
      lines.push(
        `| ${r.circuit} | ${keys.map((k) => (k in r.phases! ? `${r.phases![k]} %` : "–")).join(" | ")} |`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

export interface ProverBenchOptions {
  sizes: number[];
  universal?: string;
  runs: number;
  out: string;
  threads: (1 | "workers")[];
  /** Domain powers (2^k) whose rows also measure peak memory in child processes. */
  rss: number[];
  /** Keep the rows of --out that this run does not measure again (same circuit and threads). */
  append: boolean;
}

export async function proverBench(options: ProverBenchOptions): Promise<ProverRow[]> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-prover-bench-"));
  const rows: ProverRow[] = [];
  const kept: ProverRow[] = [];
  if (options.append) {
    try {
      const old = JSON.parse(await fsp.readFile(options.out, "utf8")) as { rows: ProverRow[] };
      kept.push(...old.rows);
    } catch {
      // no earlier results: nothing to keep
    }
  }
  const merged = (): ProverRow[] => {
    const key = (r: ProverRow) => `${r.circuit}|${r.threads}`;
    const fresh = new Set(rows.map(key));
    return [...kept.filter((r) => !fresh.has(key(r))), ...rows];
  };
  const meta = () =>
    `${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · Node ${process.versions.node} · load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        " / ",
      )} · medians of the runs; CPU = user + system of the whole process (workers included)`;
  const save = async () => {
    const all = merged();
    await fsp.writeFile(options.out, JSON.stringify({ meta: meta(), rows: all }, null, 2) + "\n");
    await fsp.writeFile(options.out.replace(/\.json$/, ".md"), proverMarkdown(all, meta()));
  };
  try {
    const cases: (() => Promise<Case>)[] = options.sizes.map((p) => () => syntheticCase(work, p));
    if (options.universal !== undefined) {
      const dir =
        options.universal === "build"
          ? path.join(os.tmpdir(), "zkvm-prover-bench-universal")
          : options.universal;
      cases.push(() => universalCase(dir, work));
    }
    for (const make of cases) {
      const kase = await make();
      for (const threads of options.threads) {
        const power = Math.log2(readProvingKey(await fsp.readFile(kase.zkeyPath)).domainSize);
        rows.push(await compareCase(kase, options.runs, threads, options.rss.includes(power)));
        await save();
      }
    }
    log(`wrote ${options.out}`);
    return rows;
  } finally {
    await terminateCurves();
    await fsp.rm(work, { recursive: true, force: true });
  }
}

export interface MsmRow {
  group: "G1" | "G2";
  points: number;
  /** Median CPU ms of the plain (254-bit) MSM and of the GLV one, default windows. */
  plainCpuMs: number;
  glvCpuMs: number;
  ratio: number;
  runs: number;
  load: string;
}

/**
 * --msm: one MSM alone, plain against GLV (src/groth16/glv.ts), one thread,
 * interleaved, on random dense scalars (the split is part of the GLV time).
 */
export async function msmStudy(powers: number[], runs: number): Promise<MsmRow[]> {
  const prover = await Prover.build(true);
  const rows: MsmRow[] = [];
  try {
    for (const group of ["g1m", "g2m"] as const) {
      const G = group === "g1m" ? prover.curve.G1 : prover.curve.G2;
      const pointBytes = group === "g1m" ? 64 : 128;
      for (const power of powers) {
        const n = 1 << power;
        const load = loadAverage();
        const bases = new Uint8Array(n * pointBytes);
        let acc = G.g;
        const step = G.timesScalar(G.g, 123456789n);
        for (let i = 0; i < n; i++) {
          acc = G.add(acc, step);
          bases.set(G.toAffine(acc), i * pointBytes);
        }
        const scalars = new Uint8Array(n * 32);
        for (let o = 0; o < scalars.length; o += 65536) {
          crypto.getRandomValues(scalars.subarray(o, o + 65536));
        }
        for (let i = 0; i < n; i++) scalars[i * 32 + 31]! &= 0x1f;
        const times: Record<"plain" | "glv", number[]> = { plain: [], glv: [] };
        for (let run = 0; run < runs; run++) {
          const order = run % 2 === 0 ? (["plain", "glv"] as const) : (["glv", "plain"] as const);
          for (const mode of order) {
            const c0 = process.cpuUsage();
            await prover.msm(group, bases, scalars, n, "msm", { glv: mode === "glv" });
            const c = process.cpuUsage(c0);
            times[mode].push((c.user + c.system) / 1000);
          }
        }
        const plainCpuMs = Math.round(median(times.plain));
        const glvCpuMs = Math.round(median(times.glv));
        const row: MsmRow = {
          group: group === "g1m" ? "G1" : "G2",
          points: n,
          plainCpuMs,
          glvCpuMs,
          ratio: Math.round((100 * glvCpuMs) / plainCpuMs) / 100,
          runs,
          load,
        };
        log(`MSM ${row.group} 2^${power}: plain ${plainCpuMs} ms CPU, GLV ${glvCpuMs} ms`);
        rows.push(row);
      }
    }
  } finally {
    prover.close();
  }
  return rows;
}

export function msmMarkdown(rows: readonly MsmRow[]): string {
  const lines = [
    "# One MSM alone: plain (254-bit scalars) vs GLV (two 128-bit halves), one thread",
    "",
    "Random dense scalars; CPU time (user + system), medians of interleaved runs; the GLV time includes splitting the scalars.",
    "",
    "| MSM | points | plain CPU | GLV CPU | GLV / plain | runs | load 1/5/15 min |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.group} | 2^${Math.log2(r.points)} | ${r.plainCpuMs} ms | ${r.glvCpuMs} ms | **${r.ratio.toFixed(2)}** | ${r.runs} | ${r.load} |`,
    );
  }
  return lines.join("\n") + "\n";
}

export const PROVER_USAGE = `Usage: npm run bench -- --prover [--sizes 14,16,18] [--universal build|DIR|none]
                               [--threads 1,2] [--runs R] [--rss 18] [--out FILE] [--append]

zkvm's Groth16 prover (src/groth16/prover.ts) against snarkjs's groth16.prove
on the same .zkey and .wtns, interleaved run by run, with one thread and with
the workers. Per row: medians of the CPU time (user + system of the whole
process, workers included) and wall time, the ratios zkvm / snarkjs, zkvm's
one-thread phase shares, and (--rss) each prover's peak RSS for one proof in
a child process of its own. Every zkvm proof is verified with snarkjs. Writes
bench/results-prover.{json,md} after every row; prints the Markdown at the end.

  --sizes      synthetic squaring chains filling 92 % of 2^k domains, set up
               with the direct setup (default 14,16,18; "" for none)
  --universal  the 256-step universal circuit proving examples/power.zkasm:
               "build" (default) compiles and sets it up in the temp directory
               once (minutes) and reuses it, DIR uses a set-up universal build,
               "none" leaves the row out
  --threads    1 (one thread), 2 (workers), or both (default 1,2)
  --runs R     interleaved timed runs after one warm-up (default 3; no
               warm-up from 2^17 up)
  --rss K,...  domain powers whose rows also measure peak memory (default 18;
               "" for none)
  --out FILE   default bench/results-prover.json (Markdown next to it)
  --append     keep the rows already in FILE that this run does not measure
               again (same circuit and thread mode), e.g. to add 2^18 later
  --msm K,...  instead: one G1 and one G2 MSM of 2^k random points alone, plain
               against GLV, one thread (bench/results-msm.{json,md})
  --chromium K,...  instead: both provers in headless Chromium on the 2^k
               chain, as a page runs them (bench/results-prover-browser.{json,md})

Under load, compare CPU times (wall times include waiting for a core), and
run it niced: nice -n 10 npm run bench -- --prover --sizes 16 --universal none`;

export async function proverMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      prover: { type: "boolean" },
      sizes: { type: "string" },
      universal: { type: "string" },
      threads: { type: "string" },
      runs: { type: "string" },
      rss: { type: "string" },
      append: { type: "boolean" },
      msm: { type: "string" },
      chromium: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
      "rss-child": { type: "string" },
      zkey: { type: "string" },
      wtns: { type: "string" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(PROVER_USAGE + "\n");
    return 0;
  }
  const list = (v: string): number[] =>
    v
      .split(",")
      .filter((x) => x !== "")
      .map((x) => {
        const k = Number(x);
        if (!Number.isInteger(k) || k < 4 || k > 22) throw new Error(`not a domain power: ${x}`);
        return k;
      });
  const threads = (values.threads ?? "1,2").split(",").map((t) => {
    if (t !== "1" && t !== "2") throw new Error(`--threads takes 1 and/or 2, not ${t}`);
    return (t === "1" ? 1 : "workers") as 1 | "workers";
  });
  const child = values["rss-child"];
  if (child !== undefined) {
    if ((child !== "zkvm" && child !== "snarkjs") || !values.zkey || !values.wtns) {
      throw new Error("--rss-child zkvm|snarkjs needs --zkey and --wtns");
    }
    await rssChild(child, values.zkey, values.wtns, threads[0]!);
    return 0;
  }
  if (values.msm !== undefined) {
    const rows = await msmStudy(list(values.msm), Number(values.runs ?? 3));
    const md = msmMarkdown(rows);
    await fsp.writeFile(path.join(BENCH_DIR, "results-msm.md"), md);
    await fsp.writeFile(
      path.join(BENCH_DIR, "results-msm.json"),
      JSON.stringify({ at: new Date().toISOString(), rows }, null, 2) + "\n",
    );
    process.stdout.write(md);
    return 0;
  }
  if (values.chromium !== undefined) {
    const { proverBrowserBench, proverBrowserMarkdown } = await import("./prover-browser.js");
    const rows = [];
    for (const power of list(values.chromium)) {
      rows.push(await proverBrowserBench(power, Number(values.runs ?? 3)));
    }
    const md = proverBrowserMarkdown(rows);
    await fsp.writeFile(path.join(BENCH_DIR, "results-prover-browser.md"), md);
    await fsp.writeFile(
      path.join(BENCH_DIR, "results-prover-browser.json"),
      JSON.stringify({ rows }, null, 2) + "\n",
    );
    process.stdout.write(md);
    return 0;
  }
  const universal = values.universal ?? "build";
  const rows = await proverBench({
    sizes: list(values.sizes ?? "14,16,18"),
    ...(universal !== "none" ? { universal } : {}),
    runs: Number(values.runs ?? 3),
    out: values.out ?? DEFAULT_OUT,
    threads,
    rss: list(values.rss ?? "18"),
    append: values.append ?? false,
  });
  process.stdout.write(proverMarkdown(rows, ""));
  return 0;
}

if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  proverMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
