/**
 * The browser rows of the benchmark (part of `npm run bench`; alone:
 * `node --import tsx bench/browser.ts [--runs R]`), in headless Chromium:
 *
 * - first proof: a fresh page proves an example from nothing — loading
 *   circom2's compiler, compiling, the direct setup, witness and proof;
 * - prove in the page against prove in Node on the same circuit (same .r1cs
 *   and witness generator, each side with its own direct-setup key): median
 *   witness + proof time of R runs after a warm-up;
 * - the sizes of what a page downloads: the playground's app.js (library,
 *   snarkjs and the page), the library bundle alone, and circom2's wasm,
 *   which loads on the first compile.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { bundleBrowserLibrary, buildLibraryPage, buildWeb } from "../scripts/build-web.js";
import { serveStatic } from "../scripts/playground.js";
import { assemble } from "../src/assembler.js";
import { circuitInput } from "../src/compiler/input.js";
import { directSetupFiles } from "../src/groth16/node.js";
import { prove, terminateCurves } from "../src/pipeline/index.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH_DIR, "..");

/** The circuits measured: an example at its own N, and a loop large enough for proving to dominate. */
const CIRCUITS = [
  { name: "power", file: "examples/power.zkasm", steps: 64, inputs: { x: "3", e: "4" } },
  { name: "sum_up", file: "bench/programs/sum_up.zkasm", steps: 8192, inputs: { n: "600" } },
] as const;

export interface BrowserRow {
  readonly program: string;
  readonly steps: number;
  readonly constraints: number;
  /** A fresh page's first proof: compiler load, compile, setup, witness, proof. */
  readonly firstProofMs: number;
  /** Stage times of that first proof (circom:load, circom, setup, witness, prove). */
  readonly firstProofStages: Record<string, number>;
  /** Median witness + proof, ms, in the page and in Node. */
  readonly pageProveMs: number;
  readonly nodeProveMs: number;
  readonly pageOverNode: number;
  /** The direct setup of the same circuit in Node, ms (the page's is in firstProofStages). */
  readonly nodeSetupMs: number;
}

export interface BrowserBench {
  readonly chromium: string;
  /** 1-minute load average when the rows started (the machine may be shared). */
  readonly loadAverage: number;
  readonly rows: readonly BrowserRow[];
  /** Bytes, raw and gzipped. */
  readonly sizes: Record<string, { bytes: number; gzip: number }>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function size(file: string): { bytes: number; gzip: number } {
  return { bytes: statSync(file).size, gzip: gzipSync(readFileSync(file)).length };
}

/** What the page measures for one circuit (run inside Chromium). */
interface PageResult {
  firstMs: number;
  stages: Record<string, number>;
  runs: number[];
  constraints: number;
  r1cs: string;
  wasm: string;
}

/** The Chromium the rows need ($CHROMIUM_PATH, else Debian's); checked before any other study runs. */
export function benchChromium(): string {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath} for the browser rows: sudo apt-get install -y chromium, or set CHROMIUM_PATH`,
    );
  }
  return executablePath;
}

export async function benchBrowser(options: {
  runs: number;
  log: (message: string) => void;
}): Promise<BrowserBench> {
  const executablePath = benchChromium();
  const loadAverage = Math.round(os.loadavg()[0]! * 100) / 100;
  const work = mkdtempSync(path.join(tmpdir(), "zkvm-bench-browser-"));
  const site = path.join(work, "site");
  const web = await buildWeb(site);
  await buildLibraryPage(site);
  await bundleBrowserLibrary(path.join(work, "zkvm.min.js"), true);
  const sizes = {
    "playground app.js (minified)": size(path.join(web.outDir, "app.js")),
    "zkvm/browser with snarkjs (minified)": size(path.join(work, "zkvm.min.js")),
    "index.html + style.css": {
      bytes: size(path.join(site, "index.html")).bytes + size(path.join(site, "style.css")).bytes,
      gzip: size(path.join(site, "index.html")).gzip + size(path.join(site, "style.css")).gzip,
    },
    // Loaded only with the circom backend (backend: "circom"); the playground uses the direct one.
    "circom.wasm (circom backend only)": size(path.join(site, "circom.wasm")),
  };
  const { url, server } = await serveStatic(site, 0);
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  const rows: BrowserRow[] = [];
  try {
    for (const circuit of CIRCUITS) {
      const source = readFileSync(path.join(ROOT, circuit.file), "utf8");
      // A fresh context: nothing cached, the compiler not yet loaded.
      const context = await browser.newContext();
      await context.addInitScript("globalThis.__name = (f) => f;");
      const page = await context.newPage();
      await page.goto(new URL("lib/", url).href);
      await page.waitForFunction(() => document.title === "ready");
      options.log(`browser: ${circuit.name} (N = ${circuit.steps}) in the page`);
      type Lib = typeof import("../src/browser/index.js");
      const inPage: PageResult = await page.evaluate(
        async ({ source, steps, inputs, runs }) => {
          const { ZKVM } = (window as unknown as { zkvm: Lib }).zkvm;
          const base64 = (bytes: Uint8Array) => {
            let s = "";
            for (let i = 0; i < bytes.length; i += 0x8000) {
              s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            }
            return btoa(s);
          };
          // The circom backend: its witness generator is proven with in Node below too.
          const vm = new ZKVM(source, {
            backend: "circom",
            circomWasm: "/circom.wasm",
            persistentCache: false,
          });
          const stages: Record<string, number> = {};
          const started = performance.now();
          await vm.generateProof(inputs, {
            steps,
            onProgress: (e) => {
              if (e.elapsedMs !== undefined) stages[e.stage] = e.elapsedMs;
            },
          });
          const firstMs = performance.now() - started;
          const times: number[] = [];
          for (let i = 0; i < runs; i++) {
            const p = await vm.generateProof(inputs, { steps });
            times.push(p.timings.witnessMs + p.timings.proveMs);
          }
          const compiled = await vm.compile(steps);
          return {
            firstMs,
            stages,
            runs: times,
            constraints: compiled.constraints,
            r1cs: base64(compiled.r1cs),
            wasm: base64(compiled.wasm!),
          };
        },
        { source, steps: circuit.steps, inputs: circuit.inputs, runs: options.runs },
      );
      await context.close();

      options.log(`browser: ${circuit.name} (N = ${circuit.steps}) in Node`);
      const dir = path.join(work, circuit.name);
      const r1csPath = `${dir}.r1cs`;
      const wasmPath = `${dir}.wasm`;
      const zkeyPath = `${dir}.zkey`;
      writeFileSync(r1csPath, Buffer.from(inPage.r1cs, "base64"));
      writeFileSync(wasmPath, Buffer.from(inPage.wasm, "base64"));
      const setupStart = performance.now();
      await directSetupFiles(r1csPath, zkeyPath);
      const nodeSetupMs = performance.now() - setupStart;
      const input = circuitInput(assemble(source).io, circuit.inputs);
      const nodeRuns: number[] = [];
      for (let i = 0; i <= options.runs; i++) {
        const r = await prove(zkeyPath, wasmPath, input);
        if (i > 0) nodeRuns.push(r.timings.witnessMs + r.timings.proveMs);
      }
      const pageProveMs = median(inPage.runs);
      const nodeProveMs = median(nodeRuns);
      rows.push({
        program: circuit.name,
        steps: circuit.steps,
        constraints: inPage.constraints,
        firstProofMs: Math.round(inPage.firstMs),
        firstProofStages: inPage.stages,
        pageProveMs,
        nodeProveMs,
        pageOverNode: Math.round((pageProveMs / nodeProveMs) * 100) / 100,
        nodeSetupMs: Math.round(nodeSetupMs),
      });
    }
    return { chromium: browser.version(), loadAverage, rows, sizes };
  } finally {
    await browser.close();
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
const kb = (bytes: number) =>
  `${(bytes / 1024).toLocaleString("en-US", { maximumFractionDigits: 0 })} KiB`;

/** The "In the browser" section of bench/results.md. */
export function browserMarkdown(bench: BrowserBench): string[] {
  return [
    "## In the browser",
    "",
    `Headless Chromium ${bench.chromium}, zkvm/browser bundled by esbuild (bench/browser.ts); ` +
      `load average ${bench.loadAverage} at the start.`,
    "",
    "| program | N | constraints | first proof ms (load compiler / circom / setup / witness / prove) | prove in page ms | prove in Node ms | page / Node | setup in Node ms |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...bench.rows.map((r) => {
      const s = (k: string) => n(r.firstProofStages[k] ?? 0);
      return `| ${r.program} | ${n(r.steps)} | ${n(r.constraints)} | ${n(r.firstProofMs)} (${s("circom:load")} / ${s("circom")} / ${s("setup")} / ${s("witness")} / ${s("prove")}) | ${n(r.pageProveMs)} | ${n(r.nodeProveMs)} | ${r.pageOverNode.toFixed(2)} | ${n(r.nodeSetupMs)} |`;
    }),
    "",
    "| download | size | gzip |",
    "| --- | --- | --- |",
    ...Object.entries(bench.sizes).map(
      ([what, s]) => `| ${what} | ${kb(s.bytes)} | ${kb(s.gzip)} |`,
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
  try {
    const bench = await benchBrowser({
      runs: Number(values.runs),
      log: (m) => process.stderr.write(`${m}\n`),
    });
    process.stdout.write(`${browserMarkdown(bench).join("\n")}\n`);
  } finally {
    await terminateCurves();
  }
}
