/**
 * This package and the versions of the tools it runs, read from the
 * installed packages' package.json files (never hard-coded, never from the
 * current directory).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { snarkjsPackageDir } from "./snarkjs.js";

function readPackageJson(dir: string): { name?: unknown; version?: unknown } {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    name?: unknown;
    version?: unknown;
  };
}

/** Root of this package (the directory with zkvm's package.json), found from this module's location. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if (readPackageJson(dir).name === "zkvm") return dir;
    } catch {
      // no package.json here
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the zkvm package root");
    dir = up;
  }
}

function versionIn(dir: string): string {
  const version = readPackageJson(dir).version;
  return typeof version === "string" ? version : "unknown";
}

/** zkvm's own version (its package.json). */
export function zkvmVersion(): string {
  return versionIn(packageRoot());
}

/** The installed snarkjs's version. */
export function snarkjsVersion(): string {
  return versionIn(snarkjsPackageDir());
}
