/**
 * npm's "prepare": builds dist/ only when its sources changed since the last
 * build. npm runs "prepare" on `npm install`/`npm ci` in the clone, and again
 * when `npx zkvm` first runs there (it installs the project as a package, with
 * the script's output hidden): without this check that second, silent build
 * took half a minute.
 *
 *   node --import tsx scripts/prepare.ts           build dist/ unless up to date
 *   node --import tsx scripts/prepare.ts --stamp   record that dist/ matches the sources (end of `npm run build`)
 *
 * The stamp, dist/.sources.sha256, is the sha256 of every file the build reads.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** What `npm run build` reads: the sources, its configuration, the dependencies' versions. */
const INPUTS = [
  "src",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/build-web.ts",
  "package.json",
  "package-lock.json",
];
const STAMP = path.join("dist", ".sources.sha256");

function filesUnder(root: string, rel: string): string[] {
  const full = path.join(root, rel);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [rel];
  return readdirSync(full)
    .sort()
    .flatMap((name) => filesUnder(root, path.join(rel, name)));
}

/** sha256 over the build's input files, names and contents. */
function sourcesHash(root: string): string {
  const hash = createHash("sha256");
  for (const rel of INPUTS.flatMap((input) => filesUnder(root, input))) {
    hash.update(`${rel.split(path.sep).join("/")}\0`);
    hash.update(readFileSync(path.join(root, rel)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function stampOf(root: string): string | undefined {
  const file = path.join(root, STAMP);
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

/** Whether dist/ exists and its stamp matches the sources (a build that read these very files). */
export function distUpToDate(root: string): boolean {
  return existsSync(path.join(root, "dist")) && stampOf(root) === sourcesHash(root);
}

/** Records that dist/ matches the sources (the end of a successful build). */
export function stampDist(root: string): void {
  writeFileSync(path.join(root, STAMP), `${sourcesHash(root)}\n`);
}

function main(): number {
  const { values } = parseArgs({
    options: { stamp: { type: "boolean" }, root: { type: "string" } },
  });
  const root = path.resolve(values.root ?? path.join(import.meta.dirname, ".."));
  if (values.stamp === true) {
    stampDist(root);
    return 0;
  }
  if (distUpToDate(root)) {
    console.error("zkvm: dist/ is up to date with src/ (npm run build rebuilds it)");
    return 0;
  }
  console.error("zkvm: building dist/ from src/ (tsc and esbuild, about half a minute)...");
  const npm = process.env.npm_execpath;
  const build =
    npm !== undefined && npm.endsWith(".js")
      ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" })
      : spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) {
    console.error(`zkvm: the build failed (npm run build, status ${build.status ?? build.signal})`);
    return 1;
  }
  return 0;
}

// Run as a script (not when test/helpers/dist.ts imports the check).
if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  process.exitCode = main();
}
