/**
 * Recompiling into a build directory never silently discards its key: a
 * compile that would replace a set-up build (another N, another program)
 * refuses with BUILD_HAS_KEY unless --force.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zkvm } from "./helpers/cli.js";

describe("zkvm compile into a build directory that holds a key", function () {
  this.timeout(300_000);
  let work: string;
  let dir: string;
  let program: string;
  let other: string;
  const zkey = () => readFileSync(join(dir, "square.zkey"));

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "zkvm-recompile-"));
    dir = join(work, "build");
    program = join(work, "square.zkasm");
    other = join(work, "cube.zkasm");
    writeFileSync(program, ".private x 0\n.output y 1\nLOAD x\nLOAD x\nMUL\nSTORE y\nSTOP\n");
    writeFileSync(
      other,
      ".private x 0\n.output y 1\nLOAD x\nLOAD x\nMUL\nLOAD x\nMUL\nSTORE y\nSTOP\n",
    );
    for (const argv of [
      ["compile", program, "--steps", "8", "-o", dir],
      ["setup", dir],
      ["prove", dir, "--input", "x=3"],
    ]) {
      const r = await zkvm(...argv);
      expect(r.status, r.err).to.equal(0);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("another N: refuses, names the key and --force, and keeps the key and the proof", async () => {
    const before = zkey();
    const r = await zkvm("compile", program, "--steps", "16", "-o", dir);
    expect(r.status).to.equal(1);
    expect(r.err).to.match(/BUILD_HAS_KEY/);
    expect(r.err).to.match(/N = 8/);
    expect(r.err).to.match(/--force/);
    expect(r.err.split("\n")).to.have.length(1);
    expect(zkey().equals(before)).to.equal(true);
    expect(existsSync(join(dir, "proof.json"))).to.equal(true);
    const verified = await zkvm("verify", dir);
    expect(verified.status, verified.err).to.equal(0);
  });

  it("another program: refuses the same way, with --json an error object on stdout", async () => {
    const r = await zkvm("compile", other, "--steps", "8", "-o", dir, "--json");
    expect(r.status).to.equal(1);
    expect(JSON.parse(r.out)).to.include({ code: "BUILD_HAS_KEY" });
    expect(existsSync(join(dir, "square.zkey"))).to.equal(true);
  });

  it("the same circuit again: up to date, key kept", async () => {
    const r = await zkvm("compile", program, "--steps", "8", "-o", dir);
    expect(r.status, r.err).to.equal(0);
    expect(r.out).to.match(/^up to date/);
    expect(existsSync(join(dir, "square.zkey"))).to.equal(true);
  });

  it("--force replaces the build, key and proof included", async () => {
    const r = await zkvm("compile", program, "--steps", "16", "-o", dir, "--force");
    expect(r.status, r.err).to.equal(0);
    expect(existsSync(join(dir, "square.zkey"))).to.equal(false);
    expect(existsSync(join(dir, "proof.json"))).to.equal(false);
    expect(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"))).to.include({ steps: 16 });
  });
});
