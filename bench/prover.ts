/**
 * Prover study: zkvm's Groth16 prover (src/groth16/prover.ts) against
 * snarkjs's `groth16.prove`, on the same .zkey and .wtns, interleaved run by
 * run (snarkjs first on odd runs, zkvm first on even ones), with one thread
 * and with the workers (one per core).
 *
 *   npm run bench -- --prover [--sizes 14,16,18] [--universal DIR|build] [--runs R]
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
}

async function syntheticCase(work: string, power: number): Promise<Case> {
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
  };
}

async function universalCase(dir: string): Promise<Case> {
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
  return {
    circuit: `universal ${manifest.bounds.steps} steps`,
    constraints: manifest.constraints,
    zkeyPath: path.join(dir, manifest.setup!.zkey),
    wtns,
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

async function compareCase(kase: Case, runs: number, threads: 1 | "workers"): Promise<ProverRow> {
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
      phases[k] = Math.round((1000 * median(phaseRuns.map((p) => p[k]!))) / total) / 10;
    }
  }
  return {
    circuit: kase.circuit,
    constraints: kase.constraints,
    domain: key.domainSize,
    threads,
    runs,
    snarkjs: sf,
    zkvm: zf,
    cpuRatio: Math.round((100 * zf.cpuMs) / sf.cpuMs) / 100,
    wallRatio: Math.round((100 * zf.wallMs) / sf.wallMs) / 100,
    ...(phases ? { phases } : {}),
  };
}

export function proverMarkdown(rows: readonly ProverRow[], meta: string): string {
  const lines = [
    "# Prover: zkvm vs snarkjs (same zkey and witness, interleaved)",
    "",
    meta,
    "",
    "| circuit | constraints | domain | threads | snarkjs CPU | zkvm CPU | CPU ratio | snarkjs wall | zkvm wall | wall ratio | runs |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.circuit} | ${r.constraints.toLocaleString("en-US")} | 2^${Math.log2(r.domain)} | ${r.threads === 1 ? "1" : "workers"} | ${r.snarkjs.cpuMs} ms | ${r.zkvm.cpuMs} ms | **${r.cpuRatio.toFixed(2)}** | ${r.snarkjs.wallMs} ms | ${r.zkvm.wallMs} ms | **${r.wallRatio.toFixed(2)}** | ${r.runs} |`,
    );
  }
  const withPhases = rows.filter((r) => r.phases);
  if (withPhases.length > 0) {
    const keys = Object.keys(withPhases[0]!.phases!);
    lines.push(
      "",
      "zkvm's phase shares, one thread (% of the phases' summed time):",
      "",
      `| circuit | ${keys.join(" | ")} |`,
      `|---|${keys.map(() => "---:").join("|")}|`,
    );
    for (const r of withPhases) {
      lines.push(`| ${r.circuit} | ${keys.map((k) => `${r.phases![k]} %`).join(" | ")} |`);
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
}

export async function proverBench(options: ProverBenchOptions): Promise<ProverRow[]> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-prover-bench-"));
  const rows: ProverRow[] = [];
  const meta = () =>
    `${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · Node ${process.versions.node} · load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        " / ",
      )} · medians of the runs; CPU = user + system of the whole process (workers included)`;
  const save = async () => {
    await fsp.writeFile(options.out, JSON.stringify({ meta: meta(), rows }, null, 2) + "\n");
    await fsp.writeFile(options.out.replace(/\.json$/, ".md"), proverMarkdown(rows, meta()));
  };
  try {
    const cases: (() => Promise<Case>)[] = options.sizes.map((p) => () => syntheticCase(work, p));
    if (options.universal !== undefined) {
      const dir =
        options.universal === "build"
          ? path.join(os.tmpdir(), "zkvm-prover-bench-universal")
          : options.universal;
      cases.push(() => universalCase(dir));
    }
    for (const make of cases) {
      const kase = await make();
      for (const threads of options.threads) {
        rows.push(await compareCase(kase, options.runs, threads));
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

export const PROVER_USAGE = `Usage: npm run bench -- --prover [--sizes 14,16] [--universal DIR|build] [--threads 1,2] [--runs R] [--out FILE]

  --sizes      synthetic chains of 2^k domains (default 14,16)
  --universal  also the 256-step universal circuit: a set-up build DIR, or
               "build" to compile and set it up in the temp directory (minutes)
  --threads    1 (one thread), 2 (workers), or both (default 1,2)
  --runs R     interleaved timed runs after one warm-up (default 3)
  --out FILE   default bench/results-prover.json (Markdown next to it)`;

export async function proverMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      prover: { type: "boolean" },
      sizes: { type: "string" },
      universal: { type: "string" },
      threads: { type: "string" },
      runs: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(PROVER_USAGE + "\n");
    return 0;
  }
  const sizes = (values.sizes ?? "14,16")
    .split(",")
    .filter((s) => s !== "")
    .map(Number);
  const threads = (values.threads ?? "1,2")
    .split(",")
    .map((t) => (t === "1" ? 1 : "workers") as 1 | "workers");
  const rows = await proverBench({
    sizes,
    ...(values.universal !== undefined ? { universal: values.universal } : {}),
    runs: Number(values.runs ?? 3),
    out: values.out ?? DEFAULT_OUT,
    threads,
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
