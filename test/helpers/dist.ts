/**
 * The package as users get it: dist/, built fresh from src/ once per test
 * run (`npm run build`'s two steps: tsc, then the zkvm/browser bundle), so
 * dist/ is left as `npm install` made it. A stale dist/ (files of deleted
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
import { withFileLock } from "../../src/pipeline/fsutil.js";
import { EXAMPLES_DIR } from "./examples.js";

const ROOT = join(EXAMPLES_DIR, "..");
let built: Promise<void> | undefined;

async function build(): Promise<void> {
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
}

/** Removes dist/ and builds it again, once per test run; rejects with tsc's output on any error. */
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
