/**
 * Mocha global fixtures (loaded through .mocharc.json's "require", also when
 * one file is run): the test run's hygiene.
 *
 * - Before anything runs, one temporary directory for the whole run, shared by
 *   the parallel workers through the environment: `$ZKVM_CACHE_DIR` (the
 *   library's circuit cache and the powers-of-tau cache) points into it, and so
 *   does `$HOME`, which starts empty. Nothing a test does can reach the real
 *   home directory's `~/.cache/zkvm`.
 * - After the run, the run fails unless `git status` (ignored files included)
 *   is what it was before, and the temporary HOME is still empty: a test that
 *   wrote into the repository or into HOME is named here.
 *
 * `ZKVM_TEST_KEEP_HOME=1` keeps the run's directory for inspection.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/** `git status --porcelain --ignored`, one entry per line, sorted; undefined outside a git checkout. */
export function treeState(): string[] | undefined {
  try {
    const out = execFileSync("git", ["status", "--porcelain", "--ignored"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out
      .split("\n")
      .filter((l) => l !== "")
      .sort();
  } catch {
    return undefined;
  }
}

/** Files under dir, relative, sorted (directories end in /). */
function listTree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(rel + "/", ...listTree(path.join(dir, e.name), rel + "/"));
    else out.push(rel);
  }
  return out.sort();
}

let runDir: string | undefined;
let before: string[] | undefined;
let realHome: string | undefined;

export function mochaGlobalSetup(): void {
  // A nested mocha (a test that runs mocha) keeps its parent's directory.
  if (process.env.ZKVM_TEST_RUN_DIR !== undefined) return;
  runDir = mkdtempSync(path.join(tmpdir(), "zkvm-test-run-"));
  const home = path.join(runDir, "home");
  mkdirSync(home);
  realHome = process.env.HOME;
  process.env.ZKVM_TEST_RUN_DIR = runDir;
  process.env.ZKVM_CACHE_DIR = path.join(runDir, "cache");
  process.env.HOME = home;
  delete process.env.XDG_CACHE_HOME;
  before = treeState();
}

export function mochaGlobalTeardown(): void {
  if (runDir === undefined) return;
  const problems: string[] = [];
  const after = treeState();
  if (before !== undefined && after !== undefined) {
    const added = after.filter((l) => !before!.includes(l));
    const gone = before.filter((l) => !after.includes(l));
    if (added.length > 0 || gone.length > 0) {
      problems.push(
        "the tests changed the repository's tree (git status --porcelain --ignored):\n" +
          [...added.map((l) => `  now:    ${l}`), ...gone.map((l) => `  before: ${l}`)].join("\n"),
      );
    }
  }
  const home = path.join(runDir, "home");
  const written = listTree(home);
  if (written.length > 0) {
    problems.push(
      `the tests wrote into HOME (a temporary ${home} during the run):\n` +
        written.map((f) => `  ~/${f}`).join("\n"),
    );
  }
  if (realHome !== undefined) process.env.HOME = realHome;
  if (process.env.ZKVM_TEST_KEEP_HOME === undefined)
    rmSync(runDir, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

/**
 * In `npm test`'s parallel processes the reporter prints a file's results only
 * when the whole file is done; a test that took long says so at once, on
 * stderr, so a long run shows where it is.
 */
export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    if (process.env.MOCHA_WORKER_ID === undefined) return;
    const test = this.currentTest;
    if (test?.duration === undefined || test.duration < 10_000) return;
    const file = path.relative(ROOT, test.file ?? "");
    process.stderr.write(
      `  [${file}] ${test.fullTitle()} (${(test.duration / 1000).toFixed(1)} s)\n`,
    );
  },
};
