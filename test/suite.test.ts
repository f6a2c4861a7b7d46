/**
 * The test command itself: `npm test` runs the files in two parallel
 * processes, the longest first (listed by name), then every other file (one
 * `test/!(...).test.ts` pattern). Every test file must run exactly once.
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("npm test", () => {
  it("runs every test file exactly once", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: { test: string };
    };
    const args = pkg.scripts.test.split(/\s+/).map((a) => a.replace(/^"|"$/g, ""));
    expect(args.slice(0, 4)).to.deep.equal(["mocha", "--parallel", "--jobs", "2"]);
    const files = readdirSync(path.join(ROOT, "test"))
      .filter((f) => f.endsWith(".test.ts"))
      .sort();
    const listed = args.filter((a) => a.startsWith("test/") && !a.includes("!("));
    const patterns = args.filter((a) => a.includes("!("));
    expect(patterns).to.have.length(1);
    const excluded = /^test\/!\(([^)]*)\)\.test\.ts$/.exec(patterns[0] ?? "")?.[1]?.split("|");
    expect(excluded, "the pattern test/!(a|b|...).test.ts").to.not.equal(undefined);
    const matched = files.filter((f) => !excluded!.includes(f.replace(/\.test\.ts$/, "")));
    const run = [...listed.map((f) => path.basename(f)), ...matched].sort();
    expect(run).to.deep.equal(files);
  });
});
