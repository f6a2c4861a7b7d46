/**
 * Builds the playground into a static folder anyone can host:
 * `npm run build:web [-- --out DIR]` (default dist-web/). It holds index.html,
 * style.css, app.js (the page, zkvm/browser and snarkjs's browser build in one
 * esbuild bundle, with the examples and snarkjs's Solidity template inlined).
 * No circom.wasm: the page compiles with the direct backend (src/direct).
 *
 * `bundleBrowserLibrary` bundles zkvm/browser on its own, as an application
 * would (used by the browser tests and the benchmark).
 */
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { groth16TemplatePath } from "../src/evm/verifier.js";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** circom2's compiler wasm, resolved from the installed package. */
export function circomWasmPath(): string {
  return require.resolve("circom2/circom.wasm");
}

/** Every example program (examples/<name>.zkasm or .hex) with its JSON of cases. */
function examples(): Array<{ name: string; source: string; spec: unknown }> {
  const dir = path.join(ROOT, "examples");
  return readdirSync(dir)
    .filter((f) => /\.(zkasm|hex)$/.test(f))
    .sort()
    .map((f) => {
      const name = f.replace(/\.(zkasm|hex)$/, "");
      const spec = path.join(dir, `${name}.json`);
      return {
        name,
        source: readFileSync(path.join(dir, f), "utf8"),
        spec: statSync(spec, { throwIfNoEntry: false })
          ? (JSON.parse(readFileSync(spec, "utf8")) as unknown)
          : { cases: [] },
      };
    });
}

/**
 * `import source from "zkvm-worker:<name>"` gives src/browser/<name>-worker.ts
 * bundled on its own, as text, which the library starts as a blob: worker, so
 * the worker ships inside the one module with no file of its own to serve.
 */
const workerPlugin: Plugin = {
  name: "zkvm-worker",
  setup(b) {
    b.onResolve({ filter: /^zkvm-worker:/ }, (args) => ({
      path: args.path.slice("zkvm-worker:".length),
      namespace: "zkvm-worker",
    }));
    b.onLoad({ filter: /.*/, namespace: "zkvm-worker" }, async (args) => {
      const worker = await build({
        absWorkingDir: ROOT,
        entryPoints: [path.join(ROOT, "src", "browser", `${args.path}-worker.ts`)],
        bundle: true,
        platform: "browser",
        format: "iife",
        target: "es2022",
        loader: { ".circom": "text" },
        minify: true,
        write: false,
        metafile: true,
        logLevel: "warning",
      });
      return {
        contents: worker.outputFiles[0]!.text,
        loader: "text",
        watchFiles: Object.keys(worker.metafile.inputs).map((f) => path.join(ROOT, f)),
      };
    });
  },
};

const COMMON = {
  plugins: [workerPlugin],
  absWorkingDir: ROOT,
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  loader: { ".circom": "text" },
  logLevel: "warning",
  metafile: true,
} satisfies BuildOptions;

export interface WebBuild {
  outDir: string;
  /** Bytes of each file of the folder. */
  sizes: Record<string, number>;
}

/** Builds the playground into `outDir` (replacing it). */
export async function buildWeb(outDir = path.join(ROOT, "dist-web")): Promise<WebBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    ...COMMON,
    entryPoints: [path.join(ROOT, "web", "main.ts")],
    outfile: path.join(outDir, "app.js"),
    minify: true,
    define: {
      __ZKVM_EXAMPLES__: JSON.stringify(examples()),
      __GROTH16_VERIFIER_TEMPLATE__: JSON.stringify(readFileSync(groth16TemplatePath(), "utf8")),
    },
  });
  for (const f of ["index.html", "style.css"]) {
    copyFileSync(path.join(ROOT, "web", f), path.join(outDir, f));
  }
  const sizes = Object.fromEntries(
    readdirSync(outDir).map((f) => [f, statSync(path.join(outDir, f)).size]),
  );
  return { outDir, sizes };
}

/** Bundles zkvm/browser (src/browser/index.ts) for a page, as an application would; returns esbuild's metafile. */
export async function bundleBrowserLibrary(
  outFile: string,
  minify = false,
  entry = path.join(ROOT, "src", "browser", "index.ts"),
): Promise<Metafile> {
  const result = await build({
    ...COMMON,
    entryPoints: [entry],
    outfile: outFile,
    minify,
  });
  return result.metafile;
}

/**
 * A page at `<dir>/lib/` that loads the bundled library and exposes it as
 * `window.zkvm` (its title becomes "ready"): the harness of the browser tests
 * and the benchmark, with circom.wasm at `<dir>/circom.wasm` for the circom backend.
 */
export async function buildLibraryPage(dir: string): Promise<Metafile> {
  const metafile = await bundleBrowserLibrary(path.join(dir, "lib", "zkvm.js"));
  copyFileSync(circomWasmPath(), path.join(dir, "circom.wasm"));
  writeFileSync(
    path.join(dir, "lib", "index.html"),
    '<!doctype html><link rel="icon" href="data:,"><script type="module">' +
      'import * as zkvm from "./zkvm.js"; window.zkvm = zkvm; document.title = "ready";</script>\n',
  );
  return metafile;
}

/**
 * The package's `zkvm/browser` entry: dist/browser/index.js as one ESM file
 * with the circom templates inlined (tsc's output would import .circom files),
 * snarkjs, ffjavascript and @noble/hashes left to the application's bundler, and circom2's
 * compiler beside it where `new URL("./circom.wasm", import.meta.url)` finds it.
 * Runs after `tsc -p tsconfig.build.json`, which writes the declarations.
 */
export async function buildLibrary(outDir = path.join(ROOT, "dist", "browser")): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    ...COMMON,
    entryPoints: [path.join(ROOT, "src", "browser", "index.ts")],
    outfile: path.join(outDir, "index.js"),
    external: ["snarkjs", "ffjavascript", "@noble/hashes", "@noble/hashes/*"],
    sourcemap: true,
  });
  copyFileSync(circomWasmPath(), path.join(outDir, "circom.wasm"));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: { out: { type: "string" }, library: { type: "boolean" } },
  });
  if (values.library === true) {
    await buildLibrary();
    process.exit(0);
  }
  const web = await buildWeb(values.out ? path.resolve(values.out) : undefined);
  for (const [file, size] of Object.entries(web.sizes)) {
    console.log(`${path.join(path.relative(process.cwd(), web.outDir), file)}  ${size} bytes`);
  }
}
