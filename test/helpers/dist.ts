/**
 * The package as users get it: dist/, built from src/ once per test run
 * (`npm run build`'s two steps: tsc, then the zkvm/browser bundle), unless
 * `npm install` (or `npm run build`) already built it from exactly these
 * sources: dist/.sources.sha256, which only a successful build writes, is the
 * sha256 of every file the build reads (scripts/prepare.ts). So dist/ is left
 * as `npm install` made it. A stale dist/ (files of deleted
 * sources, an old build) or a build with type errors must fail the tests that
 * use the package entry point or bin/zkvm.js, not pass on whatever was left
 * there. Parallel test processes share one build: a lock in the run's
 * temporary directory (test/hooks.ts) orders them, and a stamp there says the
 * build of this run is done.
 */
import { execFile } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildLibrary } from "../../scripts/build-web.js";
import { distUpToDate, stampDist } from "../../scripts/prepare.js";
import { withFileLock } from "../../src/pipeline/fsutil.js";
import { EXAMPLES_DIR } from "./examples.js";

const ROOT = join(EXAMPLES_DIR, "..");
let built: Promise<void> | undefined;

async function build(): Promise<void> {
  if (distUpToDate(ROOT)) return;
  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: ROOT,
    });
  } catch (e) {
    const { stdout = "" } = e as { stdout?: string };
    throw new Error(`the package does not build:\n${stdout}`, { cause: e });
  }
  await buildLibrary();
  stampDist(ROOT);
}

/** Builds dist/ unless it is up to date, once per test run; rejects with tsc's output on any error. */
export function freshDist(): Promise<void> {
  built ??= (async () => {
    const runDir = process.env.ZKVM_TEST_RUN_DIR;
    if (runDir === undefined) return build();
    const stamp = join(runDir, "dist-built");
    await withFileLock(join(runDir, "dist.lock"), async () => {
      if (existsSync(stamp)) return;
      await build();
      writeFileSync(stamp, `${process.pid}\n`);
    });
  })();
  return built;
}
