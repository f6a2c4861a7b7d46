/**
 * Compile a .circom file with the circom2 npm package (circom 2 compiled to
 * WebAssembly, run under WASI in a child Node process).
 *
 * circom2 path rules (node_modules/circom2/cli.js): every non-flag argument is
 * rewritten relative to the child's cwd, and WASI preopens the cwd and each
 * of its parents as relative paths ("." , "..", "../.."). A file is reachable
 * only through those preopens, and an argument equal to the cwd itself
 * becomes "" (unusable). We therefore run the child with cwd = the file-system
 * root of the circuit, pass absolute paths, and every path (circuit, output
 * dir, include dirs, /tmp) becomes a plain relative path under the "."
 * preopen. circom's messages then name files relative to that root
 * ("tmp/x.circom"); we turn them back into absolute paths.
 */
import { spawn } from "node:child_process";
import { promises as fsp, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { errorMessage, PipelineError } from "./errors.js";
import { packageRoot } from "./package.js";
import { pathExists, replaceWith, sweepDeadTemporaries, tempSibling } from "./fsutil.js";
import { type Progress, timed } from "./progress.js";
import { readR1csInfo, type R1csInfo } from "./r1cs.js";

const require = createRequire(import.meta.url);

export type CircomOptimization = "O0" | "O1" | "O2";

export interface CompileCircomOptions {
  circomFile: string;
  /** Directory that receives `<name>.r1cs`, `<name>.sym` and `<name>_js/<name>.wasm`. */
  outDir: string;
  /** Directories searched by `include` (circom's `-l`). */
  includePaths: string[];
  /** circom simplification level (default "O2"). */
  optimize?: CircomOptimization;
  /** Run circom's `--inspect` analysis (signals that may be under-constrained); see `warnings`. */
  inspect?: boolean;
  /** Write the witness generator (default true); false writes only the `.r1cs` and `.sym`, faster. */
  wasm?: boolean;
  onProgress?: Progress;
  /** Abort the compile (kills the circom child). */
  signal?: AbortSignal;
  /**
   * The constraints the circuit is expected to have, e.g. the compiler's
   * estimate. A circuit expected at no more than `BASELINE_TIER_MAX_CONSTRAINTS`
   * is compiled with V8's baseline WebAssembly tier only (`--liftoff-only`):
   * on such circuits circom2's run is dominated by V8 optimizing circom's own
   * code (its parser, for circomlib's includes), which a short run never pays
   * back. Unknown (undefined): V8's default tiering, which wins on large circuits.
   */
  expectedConstraints?: number;
}

/**
 * Up to this many expected constraints circom2 runs on V8's baseline tier.
 * Measured on per-program circuits (2 cores, Node 20): 117 constraints
 * 1.8 s → 0.5 s of CPU and 1.1 s → 0.5 s wall; 5,088: 2.3 s → 1.2 s CPU,
 * 1.4 s → 1.2 s wall; 20,258: about even in CPU, 2.9 s → 3.8 s wall; beyond,
 * the optimizing tier is faster.
 */
export const BASELINE_TIER_MAX_CONSTRAINTS = 10_000;

export interface CompileCircomResult {
  r1csPath: string;
  symPath: string;
  /** The witness generator (not written when `wasm` is false). */
  wasmPath: string;
  /** Exact constraint count, read from the .r1cs header. */
  constraints: number;
  /** The whole .r1cs header (public/private signal counts, wires, labels). */
  r1cs: R1csInfo;
  /** circom's standard output, ANSI colors removed. */
  stdout: string;
  /** circom's standard error on success: its warnings (e.g. unconstrained signals), ANSI colors removed. */
  stderr: string;
  /** Each warning of `stderr` (`warning[CA02]: ...` with its note lines), e.g. from `inspect`. */
  warnings: string[];
}

/** Absolute path of circom2's cli.js, resolved from this module (never from cwd). */
export function circom2CliPath(): string {
  try {
    return require.resolve("circom2/cli.js");
  } catch (e) {
    throw new PipelineError("CIRCOM_NOT_FOUND", "the circom2 package is not installed", {
      cause: e,
    });
  }
}

/** Version of the circom2 npm package (the compiler it embeds is reported by `circomCompilerVersion`). */
export function circomVersion(): string {
  const pkgPath = path.join(path.dirname(circom2CliPath()), "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

/** Version of the circom compiler inside circom2 (runs `circom2 --version`, e.g. "2.2.3"). */
export async function circomCompilerVersion(): Promise<string> {
  const r = await runCircom2(["--version"], path.parse(process.cwd()).root, { baselineTier: true });
  const m = /circom compiler (\S+)/.exec(stripAnsi(r.stdout));
  if (r.code !== 0 || m === null || m[1] === undefined) {
    throw new PipelineError("CIRCOM_FAILED", `circom2 --version failed: ${stripAnsi(r.stderr)}`);
  }
  return m[1];
}

/** circomlib's `circuits/` directory (where `comparators.circom` etc. live). */
export function circomlibCircuitsDir(): string {
  return path.join(path.dirname(require.resolve("circomlib/package.json")), "circuits");
}

/** The include path zkvm circuits need: this package's `templates/` and circomlib's circuits. */
export function defaultIncludePaths(): string[] {
  return [path.join(packageRoot(), "templates"), circomlibCircuitsDir()];
}

const ANSI_RE = new RegExp(String.raw`\u001b\[[0-9;]*[A-Za-z]`, "g");

export function stripAnsi(s: string): string {
  return s.replace(ANSI_RE, "");
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCircom2(
  args: string[],
  cwd: string,
  { signal, baselineTier = false }: { signal?: AbortSignal; baselineTier?: boolean } = {},
): Promise<ChildResult> {
  const cli = circom2CliPath();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(baselineTier ? ["--liftoff-only"] : []), cli, ...args],
      {
        cwd,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NO_COLOR: "1" },
        ...(signal !== undefined ? { signal } : {}),
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, sig) =>
      resolve({
        code,
        signal: sig,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** Rewrite root-relative paths in circom's messages back to absolute ones. */
function absolutize(text: string, root: string, paths: string[]): string {
  let s = text;
  for (const p of paths) {
    const rel = path.relative(root, p);
    if (rel === "") continue;
    s = s.split(`"${rel}"`).join(`"${p}"`);
    s = s.split(` ${rel}`).join(` ${p}`);
  }
  return s;
}

/** The first error block of circom's output, for the exception message. */
function firstErrorLines(stderr: string, maxLines = 12): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "" && !/^previous errors were found$/.test(l.trim()));
  if (lines.length === 0) return "(no message)";
  const first = lines.findIndex((l) => /^(error|Error)/.test(l.trim()));
  const from = first >= 0 ? first : 0;
  const picked = lines.slice(from, from + maxLines);
  if (lines.length > from + maxLines) picked.push("...");
  return picked.join("\n");
}

/** One line for an error block: its first line and where it points (`error[T3001]: ... at f.circom:7:5`). */
function errorSummary(report: string): string {
  const lines = report.split("\n");
  const first = lines[0]?.trim() ?? "(no message)";
  const at = lines.map((l) => /┌─ "?([^"]+)"?:(\d+):(\d+)/.exec(l)).find((m) => m !== null);
  return at ? `${first} at ${at[1]}:${at[2]}:${at[3]}` : first;
}

/**
 * Compile `circomFile` with circom2 (`--r1cs --wasm --sym --O2`). The build
 * happens in a temporary sibling of `outDir`; only a successful build is
 * moved into `outDir` (created if missing), file by file with atomic renames
 * (the `.r1cs` last, so its presence marks a complete build). A failed or
 * interrupted compile leaves no artifacts and does not touch a previous
 * build; a failure on a fresh `outDir` does not create it.
 */
export async function compileCircom(opts: CompileCircomOptions): Promise<CompileCircomResult> {
  const circomFile = path.resolve(opts.circomFile);
  const outDir = path.resolve(opts.outDir);
  const includePaths = opts.includePaths.map((p) => path.resolve(p));
  const optimize = opts.optimize ?? "O2";
  if (!["O0", "O1", "O2"].includes(optimize)) {
    throw new PipelineError("CIRCOM_FAILED", `unknown circom optimization level: ${optimize}`);
  }
  if (!(await pathExists(circomFile))) {
    throw new PipelineError("FILE_NOT_FOUND", `circuit not found: ${circomFile}`, {
      path: circomFile,
    });
  }
  const root = path.parse(circomFile).root;
  for (const p of [outDir, ...includePaths]) {
    if (path.parse(p).root !== root) {
      throw new PipelineError(
        "CIRCOM_FAILED",
        `circom2 can only reach paths on the circuit's drive (${root}): ${p}`,
      );
    }
  }
  const name = path.basename(circomFile).replace(/\.circom$/, "");

  const parent = path.dirname(outDir);
  await fsp.mkdir(parent, { recursive: true });
  // Temporary build directories of compiles whose process died.
  await sweepDeadTemporaries(parent);
  const buildDir = tempSibling(outDir);
  await fsp.mkdir(buildDir);
  try {
    const args = [
      circomFile,
      "--r1cs",
      ...(opts.wasm === false ? [] : ["--wasm"]),
      "--sym",
      `--${optimize}`,
      ...(opts.inspect === true ? ["--inspect"] : []),
      "-o",
      buildDir,
      ...includePaths.flatMap((p) => ["-l", p]),
    ];
    const { result: r } = await timed(opts.onProgress, "circom", `circom ${name}.circom`, () =>
      runCircom2(args, root, {
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        baselineTier:
          opts.expectedConstraints !== undefined &&
          opts.expectedConstraints <= BASELINE_TIER_MAX_CONSTRAINTS,
      }),
    );
    const known = [circomFile, buildDir, ...includePaths];
    const stdout = absolutize(stripAnsi(r.stdout), root, known).split(buildDir).join(outDir);
    const stderr = absolutize(stripAnsi(r.stderr), root, known).split(buildDir).join(outDir);
    if (r.code !== 0) {
      const cause = Object.assign(
        new Error(
          r.signal !== null ? `circom killed by ${r.signal}` : `circom exited with code ${r.code}`,
        ),
        { exitCode: r.code, signal: r.signal, stdout, stderr },
      );
      const report = firstErrorLines(stderr || stdout);
      throw new PipelineError(
        "CIRCOM_FAILED",
        `circom failed on ${circomFile}: ${errorSummary(report)}`,
        { cause, path: circomFile, details: report },
      );
    }

    const built = {
      r1cs: path.join(buildDir, `${name}.r1cs`),
      sym: path.join(buildDir, `${name}.sym`),
      ...(opts.wasm === false ? {} : { js: path.join(buildDir, `${name}_js`) }),
    };
    for (const p of Object.values(built)) {
      if (!(await pathExists(p))) {
        throw new PipelineError("CIRCOM_FAILED", `circom reported success but did not write ${p}`, {
          path: circomFile,
        });
      }
    }
    const r1cs = await readR1csInfo(built.r1cs);

    await placeBuild(buildDir, outDir, name);
    return {
      r1csPath: path.join(outDir, `${name}.r1cs`),
      symPath: path.join(outDir, `${name}.sym`),
      wasmPath: path.join(outDir, `${name}_js`, `${name}.wasm`),
      constraints: r1cs.nConstraints,
      r1cs,
      stdout,
      stderr,
      warnings: stderr
        .split(/\n(?=warning\[)/)
        .map((w) => w.trim())
        .filter((w) => w.startsWith("warning[")),
    };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("CIRCOM_FAILED", `circom failed on ${circomFile}: ${errorMessage(e)}`, {
      cause: e,
      path: circomFile,
    });
  } finally {
    await fsp.rm(buildDir, { recursive: true, force: true });
  }
}

/** Move a finished build into `outDir`: the whole directory if `outDir` is new, else entry by entry. */
async function placeBuild(buildDir: string, outDir: string, name: string): Promise<void> {
  if (!(await pathExists(outDir))) {
    await fsp.rename(buildDir, outDir);
    return;
  }
  // outDir exists: replace our artifacts only (other files there are left alone), the .r1cs last.
  for (const entry of [`${name}_js`, `${name}.sym`, `${name}.r1cs`]) {
    if (!(await pathExists(path.join(buildDir, entry)))) continue; // no witness generator asked for
    await replaceWith(path.join(buildDir, entry), path.join(outDir, entry));
  }
}
