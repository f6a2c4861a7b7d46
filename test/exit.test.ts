/**
 * A Node script that uses the library exits by itself once its work is done:
 * the worker threads of snarkjs's curve (ffjavascript) must not keep the
 * process alive. Run as a child process, as a user's script would be.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** tsx's loader, resolved from here: the script lives in a temporary directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const INDEX = pathToFileURL(join(import.meta.dirname, "..", "src", "index.ts")).href;

/** Runs `body` as an ES module with the library as `zkvm`; resolves with its output and the ms from its last line to its exit. */
function runScript(
  dir: string,
  body: string,
  timeoutMs: number,
): Promise<{ status: number | null; out: string; err: string; lingerMs: number }> {
  const file = join(dir, "script.mjs");
  writeFileSync(file, `import * as zkvm from ${JSON.stringify(INDEX)};\n${body}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, file], {
      cwd: dir,
      env: { ...process.env, ZKVM_CACHE_DIR: join(dir, "cache") },
    });
    let out = "";
    let err = "";
    let doneAt: number | undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (doneAt === undefined && out.includes("DONE")) {
        doneAt = performance.now();
        // Well past the few seconds allowed: a script that hangs is killed, not waited for.
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }
    });
    child.stderr.on("data", (d: Buffer) => void (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (status) => {
      clearTimeout(timer);
      const lingerMs = doneAt === undefined ? Infinity : performance.now() - doneAt;
      resolve({ status, out, err, lingerMs });
    });
  });
}

describe("a script that uses the library", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "zkvm-exit-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("exits by itself within a few seconds of its last await after proving and verifying", async () => {
    const run = await runScript(
      dir,
      `const vm = new zkvm.ZKVM(".private x 0\\n.output y 1\\nLOAD x\\nLOAD x\\nMUL\\nSTORE y\\nSTOP", { cacheDir: ${JSON.stringify(join(dir, "circuits"))} });
const proof = await vm.generateProof({ x: 7 }, { steps: 8 });
const valid = await vm.verifyProof(proof);
console.log("y =", proof.outputs.y, "valid =", valid, "DONE");`,
      120_000,
    );
    expect(run.err).to.equal("");
    expect(run.out).to.contain("y = 49n valid = true DONE");
    expect(run.status, "killed: the script never exited").to.equal(0);
    expect(run.lingerMs).to.be.below(3000);
  });

  it("frees the workers early with zkvm.close(), and proves again after it", async () => {
    const run = await runScript(
      dir,
      `const vm = new zkvm.ZKVM(".private x 0\\n.output y 1\\nLOAD x\\nLOAD x\\nMUL\\nSTORE y\\nSTOP", { cacheDir: ${JSON.stringify(join(dir, "circuits"))} });
const first = await vm.generateProof({ x: 3 }, { steps: 8 });
await zkvm.close();
const second = await vm.generateProof({ x: 4 }, { steps: 8 });
console.log(await vm.verifyProof(first), await vm.verifyProof(second), "DONE");
await zkvm.close();
setInterval(() => {}, 1000).unref();`,
      120_000,
    );
    expect(run.err).to.equal("");
    expect(run.out).to.contain("true true DONE");
    expect(run.status).to.equal(0);
    expect(run.lingerMs).to.be.below(3000);
  });
});
