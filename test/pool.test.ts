/**
 * The local proving pool (src/pipeline/pool.ts): many inputs of one build,
 * each proven in a forked child process, re-verified here, in input order;
 * an invalid proof or a dead child is retried, a rejected input fails the
 * call, and no child process outlives it.
 */
import { expect } from "chai";
import { promises as fsp } from "node:fs";
import os, { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PipelineError, verify } from "../src/pipeline/index.js";
import {
  oneThreadEach,
  openProvingBuild,
  proveMany,
  type PoolEvent,
} from "../src/pipeline/pool.js";
import { childrenOf, exited } from "./helpers/processes.js";
import { cubic, tinyBuild, type TinyBuild } from "./helpers/tiny-build.js";

const TAMPERING_PROVER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "fixtures",
  "pool",
  "tampering-prover.ts",
);

async function expectCode(p: Promise<unknown>, code: string): Promise<PipelineError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(PipelineError);
    expect((e as PipelineError).code, (e as Error).message).to.equal(code);
    return e as PipelineError;
  }
  throw new Error(`expected ${code}, got no error`);
}

describe("proving pool: proveMany in child processes", function () {
  this.timeout(120_000);
  let tmp: string;
  let build: TinyBuild;

  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-pool-"));
    build = await tinyBuild(tmp);
  });
  after(async function () {
    await fsp.rm(tmp, { recursive: true, force: true });
  });
  afterEach(async function () {
    // No prover child outlives a call, whatever its outcome.
    for (const pid of childrenOf(process.pid)) {
      const cmdline = await fsp.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      expect(cmdline, `child ${pid} still running`).not.to.include("prover-child");
    }
  });

  it("proves 5 inputs with 2 processes, in input order, each verified, on two different children", async function () {
    const xs = [1n, 2n, 3n, 4n, 5n];
    const events: PoolEvent[] = [];
    const results = await proveMany(
      build.dir,
      xs.map((x) => build.inputFor(x)),
      { local: 2, onProgress: (e) => events.push(e) },
    );
    expect(results.map((r) => r.publicSignals)).to.deep.equal(xs.map((x) => [cubic(x)]));
    const { vkey } = await openProvingBuild(build.dir);
    for (const r of results)
      expect((await verify(vkey, r.publicSignals, r.proof)).valid).to.equal(true);
    expect(new Set(results.map((r) => r.worker)).size).to.equal(2);
    expect(
      events
        .filter((e) => e.state === "proved")
        .map((e) => e.index)
        .sort(),
    ).to.deep.equal([0, 1, 2, 3, 4]);
    expect(events.every((e) => e.total === 5 && e.stage === "jobs")).to.equal(true);
    for (const worker of new Set(results.map((r) => r.worker))) {
      expect(await exited(Number(worker.split(":")[1]), 2000), worker).to.equal(true);
    }
  });

  it("a prover process per core proves on one thread; fewer processes with workers", async function () {
    const cores = availableParallelism();
    expect(oneThreadEach(1)).to.equal(false);
    expect(oneThreadEach(cores)).to.equal(cores > 1);
    expect(oneThreadEach(cores + 1)).to.equal(true);
    // What the children are told: the fixture fails a job whose option is not
    // the expected one (the next test checks local: 1 the same way).
    process.env.ZKVM_TEST_ONE_THREAD = oneThreadEach(cores) ? "1" : "0";
    try {
      const results = await proveMany(
        build.dir,
        Array.from({ length: cores }, (_, i) => build.inputFor(BigInt(i + 2))),
        { local: cores, prover: TAMPERING_PROVER },
      );
      expect(results.map((r) => r.publicSignals)).to.deep.equal(
        Array.from({ length: cores }, (_, i) => [cubic(BigInt(i + 2))]),
      );
    } finally {
      delete process.env.ZKVM_TEST_ONE_THREAD;
    }
  });

  it("an invalid proof from the prover is caught here and proven again", async function () {
    process.env.ZKVM_TEST_BAD_PROOFS = "1";
    process.env.ZKVM_TEST_ONE_THREAD = "0"; // one process: it proves with workers
    try {
      const events: PoolEvent[] = [];
      const results = await proveMany(build.dir, [build.inputFor(7n), build.inputFor(8n)], {
        local: 1,
        prover: TAMPERING_PROVER,
        onProgress: (e) => events.push(e),
      });
      expect(results.map((r) => r.publicSignals)).to.deep.equal([[cubic(7n)], [cubic(8n)]]);
      expect(events.filter((e) => e.state === "invalid").map((e) => e.index)).to.deep.equal([0]);
    } finally {
      delete process.env.ZKVM_TEST_BAD_PROOFS;
      delete process.env.ZKVM_TEST_ONE_THREAD;
    }
  });

  it("a prover that keeps returning invalid proofs is PROOF_INVALID after the retries", async function () {
    process.env.ZKVM_TEST_BAD_PROOFS = "100";
    try {
      const e = await expectCode(
        proveMany(build.dir, [build.inputFor(1n)], {
          local: 1,
          prover: TAMPERING_PROVER,
          retries: 1,
        }),
        "PROOF_INVALID",
      );
      expect(e.message).to.match(/^job 0: .*after 2 tries/);
    } finally {
      delete process.env.ZKVM_TEST_BAD_PROOFS;
    }
  });

  it("a child killed mid-proof is replaced and its job proven again", async function () {
    let killed: number | undefined;
    const results = await proveMany(build.dir, [build.inputFor(2n), build.inputFor(3n)], {
      local: 1,
      onProgress: (e) => {
        if (e.state === "proving" && killed === undefined) {
          killed = Number(e.worker!.split(":")[1]);
          process.kill(killed, "SIGKILL");
        }
      },
    });
    expect(killed).to.be.a("number");
    expect(results.map((r) => r.publicSignals)).to.deep.equal([[cubic(2n)], [cubic(3n)]]);
    expect(results[0]!.worker).not.to.equal(`local:${killed}`);
  });

  it("an input the circuit rejects fails the call with WITNESS_FAILED, naming the job", async function () {
    const e = await expectCode(
      proveMany(build.dir, [build.inputFor(1n), { nope: "1" }, build.inputFor(2n)], { local: 2 }),
      "WITNESS_FAILED",
    );
    expect(e.message).to.match(/^job 1: /);
  });

  it("a build without keys is NOT_SET_UP, a changed artifact BUILD_CORRUPT, before any child starts", async function () {
    const copy = path.join(tmp, "copy");
    await fsp.cp(build.dir, copy, { recursive: true });
    const manifest = JSON.parse(await fsp.readFile(path.join(copy, "manifest.json"), "utf8")) as {
      setup?: { zkey: string };
    };
    await fsp.appendFile(path.join(copy, manifest.setup!.zkey), "x");
    await expectCode(proveMany(copy, [build.inputFor(1n)]), "BUILD_CORRUPT");
    delete manifest.setup;
    await fsp.writeFile(path.join(copy, "manifest.json"), JSON.stringify(manifest));
    await expectCode(proveMany(copy, [build.inputFor(1n)]), "NOT_SET_UP");
    await expectCode(proveMany(path.join(tmp, "none"), []), "BUILD_NOT_FOUND");
  });
});
