/**
 * The package as users get it: dist/, built fresh from src/ once per test
 * process. A stale dist/ (files of deleted sources, an old build) or a build
 * with type errors must fail the tests that use the package entry point or
 * bin/zkvm.js, not pass on whatever was left there.
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { EXAMPLES_DIR } from "./examples.js";

const ROOT = join(EXAMPLES_DIR, "..");
let built: Promise<void> | undefined;

/** Removes dist/ and runs tsc -p tsconfig.build.json; rejects with tsc's output on any error. */
export function freshDist(): Promise<void> {
  built ??= (async () => {
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
  })();
  return built;
}
