/**
 * Proving on a queue (src/distributed) against a real redis-server and real
 * `zkvm worker` processes, with the faults a cluster has: a worker with
 * another build, a worker returning an invalid proof, a worker killed
 * mid-proof, a worker told to stop, and Redis restarted under a run whose
 * coordinator died. Every proof is checked against the build's key. The
 * circuit is tiny (cubic, N = 16) so the faults, not the proofs, take the
 * time; locks are 2 s with a 1 s stalled-job check.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import {
  proveMany,
  resumeRun,
  type PoolEvent,
  type ProvedJob,
  type RunEvent,
} from "../src/distributed/index.js";
import { PipelineError, verify } from "../src/pipeline/index.js";
import { openProvingBuild } from "../src/pipeline/pool.js";
import { zkvm } from "./helpers/cli.js";
import { exited } from "./helpers/processes.js";
import { startRedis, type RedisServer } from "./helpers/redis.js";
import { cubic, tinyBuild, type TinyBuild } from "./helpers/tiny-build.js";
import { spawnWorker, type SpawnedWorker } from "./helpers/workers.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "pool");
const TAMPERING_PROVER = path.join(FIXTURES, "tampering-prover.ts");
const FAST = ["--lock", "2", "--stalled-check", "1"];

describe("proving on a Redis queue (zkvm worker, proveMany --queue)", function () {
  this.timeout(120_000);
  let tmp: string;
  let redis: RedisServer;
  let build: TinyBuild;
  let other: TinyBuild;
  const workers: SpawnedWorker[] = [];
  /** The worker that outlives a test, for the next one. */
  let running: SpawnedWorker | undefined;

  const worker = (dir: string, args: string[] = [], env: Record<string, string> = {}) => {
    const w = spawnWorker(dir, redis.url, [...FAST, ...args], env);
    workers.push(w);
    return w;
  };
  const ready = (w: SpawnedWorker) => w.next((e) => e.event === "ready", 30_000);

  async function expectValid(results: ProvedJob[], xs: bigint[]): Promise<void> {
    expect(results.map((r) => r.publicSignals)).to.deep.equal(xs.map((x) => [cubic(x)]));
    const { vkey } = await openProvingBuild(build.dir);
    for (const r of results) {
      expect((await verify(vkey, r.publicSignals, r.proof)).valid).to.equal(true);
    }
  }

  async function leftOnRedis(pattern: string): Promise<string[]> {
    const client = new Redis(redis.url);
    try {
      return await client.keys(pattern);
    } finally {
      client.disconnect();
    }
  }

  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-queue-"));
    const data = path.join(tmp, "redis");
    await fsp.mkdir(data);
    redis = await startRedis(data);
    build = await tinyBuild(tmp);
    // The same circuit with other keys: another build hash.
    other = await tinyBuild(tmp, "other");
  });

  afterEach(function () {
    for (const w of workers) w.dispose();
    // A worker's --json stdout is its events, one JSON object a line, and nothing else.
    for (const w of workers) expect(w.stray, `worker ${w.process.pid} stdout`).to.deep.equal([]);
  });

  after(async function () {
    for (const w of workers) {
      if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill("SIGKILL");
    }
    await Promise.all(workers.map((w) => w.exit));
    await redis?.stop();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it("a worker with another build puts the job back and stops (BUILD_MISMATCH); the right worker's invalid proof is caught and proven again", async function () {
    const wrong = worker(other.dir);
    await ready(wrong);
    const events: Array<PoolEvent | RunEvent> = [];
    const run = proveMany(build.dir, [build.inputFor(3n)], {
      queue: redis.url,
      onProgress: (e) => events.push(e),
    });
    const stopped = await wrong.exit;
    expect(stopped.code).to.equal(1);
    expect(stopped.stderr).to.match(/error BUILD_MISMATCH.*put back on the queue/);
    expect(wrong.events.map((e) => e.event)).to.include.members(["refused", "stopped"]);
    expect(wrong.events.some((e) => e.event === "taken")).to.equal(false);

    // A worker with this build, whose first proof is tampered with.
    running = worker(build.dir, ["--prover-module", TAMPERING_PROVER], {
      ZKVM_TEST_BAD_PROOFS: "1",
    });
    const results = await run;
    await expectValid(results, [3n]);
    const name = (await ready(running)).worker;
    const invalid = events.filter((e) => e.stage === "jobs" && e.state === "invalid");
    expect(invalid.map((e) => (e as PoolEvent).worker)).to.deep.equal([name]);
    expect(results[0]!.worker).to.equal(name);
    expect(running.events.filter((e) => e.event === "proved")).to.have.length(2);
  });

  it("a worker killed mid-proof: another proves its job within lock + stalled check, every job once, no orphan prover", async function () {
    const victim = worker(build.dir);
    await ready(victim);
    const survivor = running!;
    const survivorName = (await ready(survivor)).worker;
    const xs = [1n, 2n, 3n, 4n, 5n, 6n];
    const run = proveMany(
      build.dir,
      xs.map((x) => build.inputFor(x)),
      { queue: redis.url },
    );
    const taken = await victim.next((e) => e.event === "taken", 30_000);
    victim.process.kill("SIGKILL");
    const killedAt = Date.now();
    const results = await run;
    await expectValid(results, xs);
    // The child proving the killed worker's job is gone with it.
    expect(await exited(taken.childPid!, 3000), `prover child ${taken.childPid}`).to.equal(true);
    // Its job was proven by the survivor; each of the run's jobs was proven once, all by the survivor.
    expect(results[taken.index!]!.worker).to.equal(survivorName);
    const proved = survivor.events.filter((e) => e.event === "proved" && e.run === taken.run);
    expect(proved.map((e) => e.index).sort()).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(victim.events.filter((e) => e.event === "proved")).to.deep.equal([]);
    const takenOver = await survivor.next((e) => e.event === "taken" && e.job === taken.job, 1000);
    const recoveryMs = takenOver.receivedAt - killedAt;
    // Lock 2 s + stalled check 1 s, and a loaded machine.
    expect(recoveryMs).to.be.below(8000);
    this.test!.title += ` (recovered in ${(recoveryMs / 1000).toFixed(1)} s)`;
  });

  it("SIGTERM: the worker finishes the job it has, takes no other, and exits 0", async function () {
    const stopping = running!;
    const name = (await ready(stopping)).worker;
    const seen = stopping.events.length;
    const xs = [7n, 8n, 9n];
    const run = proveMany(
      build.dir,
      xs.map((x) => build.inputFor(x)),
      { queue: redis.url },
    );
    const taken = await stopping.next(
      (e) => e.event === "taken" && stopping.events.indexOf(e) >= seen,
      30_000,
    );
    stopping.process.kill("SIGTERM");
    const exit = await stopping.exit;
    expect(exit.code, exit.stderr).to.equal(0);
    const after = stopping.events.slice(stopping.events.indexOf(taken));
    const kinds = after.map((e) => e.event);
    expect(kinds).to.include("stopping");
    expect(kinds.at(-1)).to.equal("stopped");
    // Every job it took (the one it had when told to stop, at least) it finished.
    const takenJobs = after.filter((e) => e.event === "taken").map((e) => e.job);
    const provedJobs = after.filter((e) => e.event === "proved").map((e) => e.job);
    expect(takenJobs).to.include(taken.job);
    expect(provedJobs, JSON.stringify(after)).to.include.members(takenJobs);
    const lastTaken = after.filter((e) => e.event === "taken").at(-1)!;
    expect(kinds.indexOf("stopping")).to.be.above(after.indexOf(lastTaken));
    // The rest is proven by a worker that starts now.
    running = worker(build.dir);
    const results = await run;
    await expectValid(results, xs);
    expect(results[taken.index!]!.worker).to.equal(name);
  });

  it("Redis restarted under a run whose coordinator was killed: resumeRun gathers every proof, then the run is deleted", async function () {
    await ready(running!);
    const run = "resume_test";
    const coordinator = spawn(
      process.execPath,
      ["--import", "tsx", path.join(FIXTURES, "coordinator.ts"), tmp, redis.url, run, "4"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = "";
      coordinator.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes('"stage":"run"')) resolve();
      });
      coordinator.once("exit", () => reject(new Error(`the coordinator exited early: ${out}`)));
    });
    coordinator.kill("SIGKILL");
    await redis.restart();
    expect(await leftOnRedis(`zkvm-run:zkvm:${run}`)).to.have.length(1);
    const xs = [1n, 2n, 3n, 4n];
    const results = await resumeRun(build.dir, run, { queue: redis.url });
    await expectValid(results, xs);
    expect(await leftOnRedis(`*${run}*`)).to.deep.equal([]);
    await expectCode(resumeRun(build.dir, run, { queue: redis.url }), "RUN_NOT_FOUND");
  });

  it("zkvm prove DIR --queue: a worker makes the proof, written and checked here; --resume of a finished run is RUN_NOT_FOUND", async function () {
    await ready(running!);
    const out = path.join(tmp, "cli-proof");
    const r = await zkvm(
      "prove",
      build.dir,
      "--input",
      "x=4",
      "--out",
      out,
      "--queue",
      redis.url,
      "--json",
    );
    expect(r.status, r.err).to.equal(0);
    expect((JSON.parse(r.out) as { outputs: unknown }).outputs).to.deep.equal({ y: cubic(4n) });
    const proof = JSON.parse(await fsp.readFile(path.join(out, "proof.json"), "utf8")) as unknown;
    const signals = JSON.parse(
      await fsp.readFile(path.join(out, "public.json"), "utf8"),
    ) as unknown;
    expect(signals).to.deep.equal([cubic(4n)]);
    const { vkey } = await openProvingBuild(build.dir);
    expect((await verify(vkey, signals, proof)).valid).to.equal(true);
    const again = await zkvm(
      "prove",
      build.dir,
      "--input",
      "x=4",
      "--queue",
      redis.url,
      "--resume",
      "done_run",
    );
    expect(again.status).to.equal(1);
    expect(again.err).to.match(/error RUN_NOT_FOUND.*no run done_run/);
    const usage = await zkvm("prove", build.dir, "--input", "x=4", "--resume", "r");
    expect(usage.status).to.equal(2);
  });

  it("an input the circuit rejects fails the run with the worker's WITNESS_FAILED and leaves no job behind", async function () {
    const e = await expectCode(
      proveMany(build.dir, [build.inputFor(1n), { nope: "1" }], {
        queue: redis.url,
        run: "bad_input",
      }),
      "WITNESS_FAILED",
    );
    expect(e.message).to.match(/^job 1: /);
    expect(await leftOnRedis("*bad_input*")).to.deep.equal([]);
  });

  it("no Redis at the URL is QUEUE_UNREACHABLE at once, and a URL that is not redis:// is refused", async function () {
    const start = Date.now();
    await expectCode(
      proveMany(build.dir, [build.inputFor(1n)], { queue: "redis://127.0.0.1:1" }),
      "QUEUE_UNREACHABLE",
    );
    expect(Date.now() - start).to.be.below(10_000);
    await expectCode(
      proveMany(build.dir, [build.inputFor(1n)], { queue: "http://127.0.0.1:6379" }),
      "QUEUE_UNREACHABLE",
    );
  });
});

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

/** The modules `entry` loads when it is imported: its static, non-type imports, transitively. */
function staticImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pattern = /^\s*(?:import|export)\s+(?!type\b)(?:[^;]*?\s+from\s+)?"([^"]+)"/gm;
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const [, specifier] of text.matchAll(pattern)) {
      if (specifier!.startsWith(".")) {
        visit(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, ".ts")));
      } else {
        packages.add(
          specifier!.startsWith("@")
            ? specifier!.split("/").slice(0, 2).join("/")
            : specifier!.split("/")[0]!,
        );
      }
    }
  };
  visit(entry);
  return { files, packages };
}

describe("zkvm/distributed is an optional entry", function () {
  const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src");

  for (const entry of ["index.ts", "cli/main.ts", "browser/index.ts"]) {
    it(`src/${entry} loads neither BullMQ nor ioredis nor src/distributed`, function () {
      const { files, packages } = staticImports(path.join(SRC, entry));
      expect(files.size).to.be.above(entry === "browser/index.ts" ? 3 : 10);
      expect([...packages]).not.to.include.members(["bullmq"]);
      expect([...packages]).not.to.include.members(["ioredis"]);
      expect(
        [...files].filter((f) => f.includes(`${path.sep}distributed${path.sep}`)),
      ).to.deep.equal([]);
    });
  }

  it("src/distributed/index.ts does load them (the check sees a static import)", function () {
    const { packages } = staticImports(path.join(SRC, "distributed", "index.ts"));
    expect([...packages]).to.include.members(["bullmq", "ioredis"]);
  });

  it('package.json exports "./distributed" from dist/distributed', function () {
    const pkg = JSON.parse(readFileSync(path.join(SRC, "..", "package.json"), "utf8")) as {
      exports: Record<string, { import: string }>;
    };
    expect(pkg.exports["./distributed"]?.import).to.equal("./dist/distributed/index.js");
  });
});
