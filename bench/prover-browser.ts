/**
 * The prover's Chromium row (`npm run bench -- --prover --chromium 14`):
 * zkvm's prover against snarkjs's browser build in headless Chromium, on the
 * same .zkey and .wtns (the synthetic 2^k chain of bench/prover.ts), as a
 * page runs them: `proveGroth16` of src/browser/groth16.ts (zkvm's prover on
 * web workers from a 2^13 domain; snarkjs's `groth16.prove` with its own
 * workers), interleaved, one warm-up and R timed runs each. Wall time is
 * measured in the page; CPU time is the user + system time of every Chromium
 * process this run started (read from /proc, Linux only). zkvm's proofs are
 * checked with snarkjs's groth16.verify in Node.
 * Results: bench/results-prover-browser.{json,md}.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { bundleBrowserLibrary } from "../scripts/build-web.js";
import { serveStatic } from "../scripts/playground.js";
import { loadSnarkjs } from "../src/pipeline/snarkjs.js";
import { benchChromium } from "./browser.js";
import { syntheticCase } from "./prover.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const CLK_TCK = 100;

export interface BrowserProverRow {
  circuit: string;
  constraints: number;
  chromium: string;
  runs: number;
  snarkjs: { wallMs: number; cpuMs: number };
  zkvm: { wallMs: number; cpuMs: number };
  wallRatio: number;
  cpuRatio: number;
  measuredAt: string;
  load: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");

/** CPU ms (user + system) of every live descendant of this process (Chromium's processes). */
function descendantsCpuMs(): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(name), Number(f[1]));
      cpu.set(Number(name), ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const [pid, ms] of cpu) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += ms;
        break;
      }
    }
  }
  return total;
}

export async function proverBrowserBench(power: number, runs: number): Promise<BrowserProverRow> {
  const work = mkdtempSync(path.join(tmpdir(), "zkvm-prover-browser-"));
  try {
    const kase = await syntheticCase(work, power);
    const site = path.join(work, "site");
    mkdirSync(site);
    await bundleBrowserLibrary(
      path.join(site, "bench.js"),
      true,
      path.join(BENCH_DIR, "prover-page-entry.ts"),
    );
    writeFileSync(
      path.join(site, "index.html"),
      '<!doctype html><link rel="icon" href="data:,"><script type="module">' +
        'import * as b from "./bench.js"; window.bench = b; document.title = "ready";</script>\n',
    );
    writeFileSync(path.join(site, "key.zkey"), readFileSync(kase.zkeyPath));
    writeFileSync(path.join(site, "w.wtns"), kase.wtns);
    const { url, server } = await serveStatic(site, 0);
    const home = path.join(work, "home");
    mkdirSync(home);
    const browser = await chromium.launch({
      executablePath: benchChromium(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
      env: { ...process.env, HOME: home },
    });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => document.title === "ready");
      await page.evaluate(async () => {
        const w = window as unknown as Record<string, unknown>;
        w.key = new Uint8Array(await (await fetch("key.zkey")).arrayBuffer());
        w.wtns = new Uint8Array(await (await fetch("w.wtns")).arrayBuffer());
      });
      const load = loadAverage();
      const measuredAt = new Date().toISOString();
      const times = { zkvm: [] as number[], snarkjs: [] as number[] };
      const cpus = { zkvm: [] as number[], snarkjs: [] as number[] };
      let lastProof: unknown;
      let lastSignals: string[] = [];
      for (let run = 0; run <= runs; run++) {
        const order =
          run % 2 === 0 ? (["snarkjs", "zkvm"] as const) : (["zkvm", "snarkjs"] as const);
        for (const who of order) {
          const c0 = descendantsCpuMs();
          const r = await page.evaluate(async (prover) => {
            const w = window as unknown as {
              bench: typeof import("./prover-page-entry.js");
              key: Uint8Array;
              wtns: Uint8Array;
            };
            const t0 = performance.now();
            const { proof, publicSignals } = await w.bench.proveGroth16(w.key, w.wtns, prover);
            return { ms: performance.now() - t0, proof, publicSignals };
          }, who);
          const cpu = descendantsCpuMs() - c0;
          process.stderr.write(
            `[prover browser] 2^${power} ${who}: ${Math.round(r.ms)} ms wall, ${Math.round(cpu)} ms CPU${run === 0 ? " (warm-up)" : ""}\n`,
          );
          if (run > 0) {
            times[who].push(r.ms);
            cpus[who].push(cpu);
          }
          if (who === "zkvm") {
            lastProof = r.proof;
            lastSignals = r.publicSignals;
          }
        }
      }
      const snarkjs = await loadSnarkjs();
      const vkey = await (
        snarkjs as unknown as { zKey: { exportVerificationKey(z: string): Promise<unknown> } }
      ).zKey.exportVerificationKey(kase.zkeyPath);
      if (!(await snarkjs.groth16.verify(vkey as never, lastSignals, lastProof as never))) {
        throw new Error("snarkjs rejects the page's zkvm proof");
      }
      const fig = (who: "zkvm" | "snarkjs") => ({
        wallMs: Math.round(median(times[who])),
        cpuMs: Math.round(median(cpus[who])),
      });
      const z = fig("zkvm");
      const s = fig("snarkjs");
      return {
        circuit: kase.circuit,
        constraints: kase.constraints,
        chromium: browser.version(),
        runs,
        snarkjs: s,
        zkvm: z,
        wallRatio: Math.round((100 * z.wallMs) / s.wallMs) / 100,
        cpuRatio: Math.round((100 * z.cpuMs) / s.cpuMs) / 100,
        measuredAt,
        load,
      };
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function proverBrowserMarkdown(rows: readonly BrowserProverRow[]): string {
  const lines = [
    "# Prover in headless Chromium: zkvm vs snarkjs's browser build (same zkey and witness, interleaved)",
    "",
    "Wall time measured in the page; CPU = user + system of every Chromium process of the run (workers included); medians of the runs after one warm-up.",
    "",
    "| circuit | constraints | Chromium | snarkjs wall | zkvm wall | wall ratio | snarkjs CPU | zkvm CPU | CPU ratio | runs | measured (UTC), load 1/5/15 min |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.circuit} | ${r.constraints.toLocaleString("en-US")} | ${r.chromium} | ${r.snarkjs.wallMs} ms | ${r.zkvm.wallMs} ms | **${r.wallRatio.toFixed(2)}** | ${r.snarkjs.cpuMs} ms | ${r.zkvm.cpuMs} ms | **${r.cpuRatio.toFixed(2)}** | ${r.runs} | ${r.measuredAt.slice(0, 16).replace("T", " ")}, ${r.load} |`,
    );
  }
  return lines.join("\n") + "\n";
}
