import { expect } from "chai";
import { execFile, spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  cacheDir,
  checkUserPtau,
  compileCircom,
  computeWitness,
  defaultIncludePaths,
  domainPower,
  groth16Setup,
  localPtau,
  localPtauFileName,
  PipelineError,
  prove,
  readJsonFile,
  readPtauInfo,
  readR1csInfo,
  requiredPower,
  verify,
  type CompileCircomResult,
  type Groth16Proof,
  type Groth16SetupResult,
  type ProgressEvent,
} from "../src/pipeline/index.js";
import { loadSnarkjs } from "../src/pipeline/snarkjs.js";

const execFileP = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..");
const fixtures = path.join(here, "fixtures", "pipeline");

/** Run `fn`, expect a PipelineError with `code`; return it. */
async function expectPipelineError(
  fn: () => Promise<unknown>,
  code: string,
): Promise<PipelineError> {
  try {
    await fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(PipelineError);
    const pe = e as PipelineError;
    expect(pe.code, pe.message).to.equal(code);
    expect(pe.stage).to.equal("pipeline");
    return pe;
  }
  throw new Error(`expected PipelineError ${code}, nothing was thrown`);
}

describe("pipeline", function () {
  let tmp: string;
  let cube: CompileCircomResult;
  let cubeSetup: Groth16SetupResult;

  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-pipeline-test-"));
  });

  after(async function () {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  describe("compileCircom", function () {
    it("compiles a circuit into an output dir under the OS tmpdir", async function () {
      const outDir = path.join(tmp, "build", "cube");
      const events: ProgressEvent[] = [];
      // a cwd-relative circuit path must work as well as absolute ones
      const circomFile = path.relative(process.cwd(), path.join(fixtures, "cube.circom"));
      cube = await compileCircom({
        circomFile,
        outDir,
        includePaths: defaultIncludePaths(),
        onProgress: (e) => events.push(e),
      });
      expect(cube.r1csPath).to.equal(path.join(outDir, "cube.r1cs"));
      expect(cube.wasmPath).to.equal(path.join(outDir, "cube_js", "cube.wasm"));
      for (const p of [cube.r1csPath, cube.symPath, cube.wasmPath]) {
        await fsp.access(p);
      }
      expect(cube.constraints).to.equal(2); // x2 = x*x; y = x2*x + x + 5
      expect(cube.r1cs.nOutputs).to.equal(1);
      expect(cube.r1cs.nPublic).to.equal(1);
      expect(cube.stdout).to.match(/non-linear constraints: 2/);
      expect(cube.stdout).to.include(outDir); // paths are reported absolute
      expect(cube.stdout).not.to.include("\u001b["); // no ANSI colors
      expect(events.map((e) => e.stage)).to.deep.equal(["circom", "circom"]);
      expect(events[1]?.elapsedMs).to.be.a("number");
      // the temporary build directory is gone
      const siblings = await fsp.readdir(path.dirname(outDir));
      expect(siblings).to.deep.equal(["cube"]);
    });

    it("finds circomlib through the include path", async function () {
      const outDir = path.join(tmp, "build", "lt");
      const r = await compileCircom({
        circomFile: path.join(fixtures, "less_than.circom"),
        outDir,
        includePaths: defaultIncludePaths(),
      });
      expect(r.r1cs.nPublicInputs).to.equal(1);
      expect(r.r1cs.nOutputs).to.equal(1);
      expect(r.constraints).to.equal((await readR1csInfo(r.r1csPath)).nConstraints);
      expect(r.constraints).to.be.greaterThan(16); // LessThan(16) needs a 17-bit decomposition
      // without the include path circom cannot find comparators.circom
      await expectPipelineError(
        () =>
          compileCircom({
            circomFile: path.join(fixtures, "less_than.circom"),
            outDir: path.join(tmp, "build", "lt-noinc"),
            includePaths: [],
          }),
        "CIRCOM_FAILED",
      );
    });

    it("rebuilding replaces the artifacts and keeps other files in the output dir", async function () {
      const outDir = path.join(tmp, "build", "cube");
      const keep = path.join(outDir, "keep.txt");
      await fsp.writeFile(keep, "mine");
      const r = await compileCircom({
        circomFile: path.join(fixtures, "cube.circom"),
        outDir,
        includePaths: [],
        optimize: "O1",
      });
      expect(r.constraints).to.equal(2);
      expect(await fsp.readFile(keep, "utf8")).to.equal("mine");
      expect((await fsp.readdir(outDir)).sort()).to.deep.equal([
        "cube.r1cs",
        "cube.sym",
        "cube_js",
        "keep.txt",
      ]);
      await fsp.rm(keep);
    });

    it("a bad circuit gives CIRCOM_FAILED with circom's message and leaves no output dir", async function () {
      const parent = path.join(tmp, "build-bad");
      const outDir = path.join(parent, "bad");
      const e = await expectPipelineError(
        () =>
          compileCircom({
            circomFile: path.join(fixtures, "bad.circom"),
            outDir,
            includePaths: [],
          }),
        "CIRCOM_FAILED",
      );
      expect(e.message).to.match(/Non quadratic constraints are not allowed/);
      expect(e.message).to.include(path.join(fixtures, "bad.circom")); // absolute path in message
      expect(e.path).to.equal(path.join(fixtures, "bad.circom"));
      expect(e.cause).to.be.instanceOf(Error);
      expect(await fsp.readdir(parent)).to.deep.equal([]); // neither outDir nor a temp dir
    });

    it("a failed rebuild does not touch the previous good build", async function () {
      const outDir = path.join(tmp, "build", "cube");
      const before = await fsp.readFile(cube.r1csPath);
      // same output names as cube: copy bad.circom as cube.circom elsewhere
      const badCube = path.join(tmp, "bad-src", "cube.circom");
      await fsp.mkdir(path.dirname(badCube), { recursive: true });
      await fsp.copyFile(path.join(fixtures, "bad.circom"), badCube);
      await expectPipelineError(
        () => compileCircom({ circomFile: badCube, outDir, includePaths: [] }),
        "CIRCOM_FAILED",
      );
      expect(Buffer.compare(await fsp.readFile(cube.r1csPath), before)).to.equal(0);
      await fsp.access(cube.wasmPath);
    });

    it("removes temporary build dirs left by a compile that was killed", async function () {
      const parent = path.join(tmp, "build");
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
      const leftover = path.join(parent, `.cube.tmp-${dead}-0123456789ab`);
      await fsp.mkdir(path.join(leftover, "cube_js"), { recursive: true });
      await compileCircom({
        circomFile: path.join(fixtures, "cube.circom"),
        outDir: path.join(parent, "cube"),
        includePaths: [],
      });
      expect((await fsp.readdir(parent)).filter((n) => n.startsWith("."))).to.deep.equal([]);
    });

    it("a missing circuit file gives FILE_NOT_FOUND", async function () {
      await expectPipelineError(
        () =>
          compileCircom({
            circomFile: path.join(fixtures, "nope.circom"),
            outDir: path.join(tmp, "build", "nope"),
            includePaths: [],
          }),
        "FILE_NOT_FOUND",
      );
    });
  });

  describe("powers of tau", function () {
    it("requiredPower follows snarkjs's domain rule with a floor of 8", function () {
      // snarkjs: cirPower = floor(log2(constraints + nPublic)) + 1
      expect(domainPower(2, 1)).to.equal(2); // 3 < 4
      expect(domainPower(3, 1)).to.equal(3); // 4 needs 2^3 > 4
      expect(domainPower(255, 0)).to.equal(8);
      expect(domainPower(255, 1)).to.equal(9);
      expect(domainPower(1000, 24)).to.equal(11);
      expect(requiredPower(2, 1)).to.equal(8);
      expect(requiredPower(254, 1)).to.equal(8);
      expect(requiredPower(255, 1)).to.equal(9);
      expect(requiredPower(70000, 3)).to.equal(17);
      expect(() => requiredPower(-1, 0)).to.throw(RangeError);
    });

    it("cacheDir honours ZKVM_CACHE_DIR, then XDG_CACHE_HOME", function () {
      const saved = { z: process.env.ZKVM_CACHE_DIR, x: process.env.XDG_CACHE_HOME };
      try {
        process.env.ZKVM_CACHE_DIR = "/some/where";
        process.env.XDG_CACHE_HOME = "/xdg";
        expect(cacheDir()).to.equal("/some/where");
        delete process.env.ZKVM_CACHE_DIR;
        expect(cacheDir()).to.equal("/xdg/zkvm");
        delete process.env.XDG_CACHE_HOME;
        expect(cacheDir()).to.equal(path.join(os.homedir(), ".cache", "zkvm"));
      } finally {
        for (const [k, v] of [
          ["ZKVM_CACHE_DIR", saved.z],
          ["XDG_CACHE_HOME", saved.x],
        ] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    it("localPtau(8) gives a prepared ptau; a second call reports cached", async function () {
      const first = await localPtau(8);
      const info = await readPtauInfo(first.path);
      expect(info.prepared).to.equal(true);
      expect(info.power).to.be.at.least(8);
      const events: ProgressEvent[] = [];
      const second = await localPtau(8, { onProgress: (e) => events.push(e) });
      expect(second.cached).to.equal(true);
      expect(second.path).to.equal(first.path);
      expect(events.some((e) => e.stage.startsWith("ptau:"))).to.equal(false); // no generation
    });

    it("reuses a larger cached ptau for a smaller power", async function () {
      const big = await localPtau(8);
      const dir = path.join(tmp, "cache-reuse");
      await fsp.mkdir(dir);
      await fsp.copyFile(big.path, path.join(dir, localPtauFileName(big.power)));
      const r = await localPtau(6, { cacheDir: dir });
      expect(r).to.deep.equal({
        path: path.join(dir, localPtauFileName(big.power)),
        power: big.power,
        cached: true,
      });
    });

    it("two concurrent calls in one process generate once", async function () {
      const dir = path.join(tmp, "cache-inproc");
      const events: ProgressEvent[] = [];
      const onProgress = (e: ProgressEvent) => events.push(e);
      const [a, b] = await Promise.all([
        localPtau(4, { cacheDir: dir, onProgress }),
        localPtau(4, { cacheDir: dir, onProgress }),
      ]);
      expect(a).to.deep.equal(b);
      expect(a.cached).to.equal(false);
      const starts = events.filter((e) => e.stage === "ptau:prepare" && e.elapsedMs === undefined);
      expect(starts).to.have.length(1);
      expect(await fsp.readdir(dir)).to.deep.equal([localPtauFileName(4)]);
      expect((await readPtauInfo(a.path)).prepared).to.equal(true);
    });

    it("two processes racing localPtau end with one valid file and no leftovers", async function () {
      const dir = path.join(tmp, "cache-race");
      const run = () =>
        execFileP(process.execPath, ["--import", "tsx", path.join(fixtures, "race-ptau.ts"), "7"], {
          cwd: repoRoot,
          env: { ...process.env, ZKVM_CACHE_DIR: dir },
        });
      const outs = await Promise.all([run(), run()]);
      const results = outs.map(
        (o) =>
          JSON.parse(o.stdout.trim()) as {
            path: string;
            power: number;
            cached: boolean;
            events: string[];
          },
      );
      expect(results.map((r) => r.cached).sort()).to.deep.equal([false, true]);
      expect(results[0]?.path).to.equal(path.join(dir, localPtauFileName(7)));
      expect(results[1]?.path).to.equal(results[0]?.path);
      const generated = results.filter((r) => r.events.includes("ptau:prepare"));
      expect(generated).to.have.length(1);
      expect(await fsp.readdir(dir)).to.deep.equal([localPtauFileName(7)]);
      const info = await readPtauInfo(path.join(dir, localPtauFileName(7)));
      expect(info.power).to.equal(7);
      expect(info.prepared).to.equal(true);
    });

    it("breaks a stale lock left by a dead process and sweeps its temp files", async function () {
      const dir = path.join(tmp, "cache-stale");
      await fsp.mkdir(dir);
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
      expect(dead).to.be.a("number");
      await fsp.writeFile(
        path.join(dir, "local_pot3.lock"),
        JSON.stringify({ pid: dead, host: os.hostname(), nonce: "x", createdAt: Date.now() }),
      );
      await fsp.writeFile(
        path.join(dir, `.${localPtauFileName(3)}.tmp-${dead}-abc.0.ptau`),
        "junk",
      );
      const r = await localPtau(3, { cacheDir: dir });
      expect(r.cached).to.equal(false);
      expect(await fsp.readdir(dir)).to.deep.equal([localPtauFileName(3)]);
    });

    describe("checkUserPtau", function () {
      let unprepared: string;
      let prepared: string;

      before(async function () {
        const snarkjs = await loadSnarkjs();
        const curve = await snarkjs.curves.getCurveFromName("bn128");
        unprepared = path.join(tmp, "unprepared4.ptau");
        await snarkjs.powersOfTau.newAccumulator(curve, 4, unprepared);
        prepared = (await localPtau(8)).path;
      });

      it("accepts a prepared ptau of sufficient power", async function () {
        const info = await checkUserPtau(prepared, 8);
        expect(info.prepared).to.equal(true);
        expect(info.sections).to.include.members([1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
      });

      it("PTAU_NOT_PREPARED for a ptau from newAccumulator only", async function () {
        await expectPipelineError(() => checkUserPtau(unprepared, 4), "PTAU_NOT_PREPARED");
        const info = await readPtauInfo(unprepared);
        expect(info).to.include({ power: 4, ceremonyPower: 4, prepared: false });
      });

      it("PTAU_TOO_SMALL when the power is below what is needed", async function () {
        const info = await readPtauInfo(prepared);
        const e = await expectPipelineError(
          () => checkUserPtau(prepared, info.power + 1),
          "PTAU_TOO_SMALL",
        );
        expect(e.path).to.equal(prepared);
      });

      it("PTAU_INVALID for a truncated file, a non-ptau file and an empty file", async function () {
        const data = await fsp.readFile(prepared);
        const truncated = path.join(tmp, "truncated.ptau");
        await fsp.writeFile(truncated, data.subarray(0, data.length - 100));
        await expectPipelineError(() => checkUserPtau(truncated, 4), "PTAU_INVALID");
        const header = path.join(tmp, "header-only.ptau");
        await fsp.writeFile(header, data.subarray(0, 20));
        await expectPipelineError(() => checkUserPtau(header, 4), "PTAU_INVALID");
        const text = path.join(tmp, "text.ptau");
        await fsp.writeFile(text, "hello, not a ptau\n");
        await expectPipelineError(() => checkUserPtau(text, 4), "PTAU_INVALID");
        const empty = path.join(tmp, "empty.ptau");
        await fsp.writeFile(empty, "");
        await expectPipelineError(() => checkUserPtau(empty, 4), "PTAU_INVALID");
        await expectPipelineError(
          () => checkUserPtau(path.join(tmp, "missing.ptau"), 4),
          "FILE_NOT_FOUND",
        );
      });

      it("groth16Setup refuses an unprepared ptau with a typed error", async function () {
        const outDir = path.join(tmp, "setup-unprepared");
        await expectPipelineError(
          () => groth16Setup({ r1csPath: cube.r1csPath, ptauPath: unprepared, outDir }),
          "PTAU_NOT_PREPARED",
        );
        expect(await fsp.readdir(outDir).catch(() => [])).to.deep.equal([]);
      });
    });
  });

  describe("setup, prove, verify", function () {
    let proof: Groth16Proof;
    let publicSignals: string[];

    before(async function () {
      const ptau = await localPtau(requiredPower(cube.constraints, cube.r1cs.nPublic));
      const outDir = path.join(tmp, "build", "cube");
      const events: ProgressEvent[] = [];
      cubeSetup = await groth16Setup({
        r1csPath: cube.r1csPath,
        ptauPath: ptau.path,
        outDir,
        onProgress: (e) => events.push(e),
      });
      expect(events.filter((e) => e.elapsedMs !== undefined).map((e) => e.stage)).to.deep.equal([
        "zkey:setup",
        "zkey:contribute",
        "zkey:vkey",
      ]);
      const r = await prove(cubeSetup.zkeyPath, cube.wasmPath, { x: "3" });
      proof = r.proof;
      publicSignals = r.publicSignals;
    });

    it("writes the zkey and verification key atomically", async function () {
      expect(cubeSetup.zkeyPath).to.equal(path.join(tmp, "build", "cube", "cube.zkey"));
      const vkey = await readJsonFile<{ nPublic: number; protocol: string }>(cubeSetup.vkeyPath);
      expect(vkey.nPublic).to.equal(1);
      expect(vkey.protocol).to.equal("groth16");
      const names = await fsp.readdir(path.join(tmp, "build", "cube"));
      expect(names.filter((n) => n.includes(".tmp-"))).to.deep.equal([]);
      expect(cubeSetup.power).to.equal(2);
      expect(cubeSetup.timings.totalMs).to.be.at.least(cubeSetup.timings.newZkeyMs);
    });

    it("proves and verifies y = x^3 + x + 5", async function () {
      expect(publicSignals).to.deep.equal(["35"]);
      expect(await verify(cubeSetup.vkey, publicSignals, proof)).to.deep.equal({ valid: true });
    });

    it("computeWitness returns the witness values", async function () {
      const w = await computeWitness(cube.wasmPath, { x: "2" });
      expect(w.values[0]).to.equal(1n);
      expect(w.values[1]).to.equal(15n); // the output y
      expect(w.values[2]).to.equal(2n); // the input x
      expect(w.wtns.length).to.be.greaterThan(0);
    });

    it("a tampered public signal is rejected with a reason", async function () {
      const r = await verify(cubeSetup.vkey, ["36"], proof);
      expect(r.valid).to.equal(false);
      expect(r.reason)
        .to.be.a("string")
        .and.match(/pairing/);
    });

    it("malformed proofs, signals and keys give valid=false with a reason, never a throw", async function () {
      const vk = cubeSetup.vkey;
      const p = proof as unknown as Record<string, unknown>;
      const q = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
      const r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
      const cases: [unknown, unknown, unknown][] = [
        [vk, publicSignals, null],
        [vk, publicSignals, {}],
        [vk, publicSignals, { ...p, pi_a: undefined }],
        [vk, publicSignals, { ...p, pi_a: ["1", "2"] }],
        [vk, publicSignals, { ...p, pi_a: ["0x12", "2", "1"] }],
        [vk, publicSignals, { ...p, pi_a: [1, 2, 1] }],
        [vk, publicSignals, { ...p, pi_a: [q, "2", "1"] }],
        [vk, publicSignals, { ...p, pi_b: [["1", "2"], ["3"], ["1", "0"]] }],
        [vk, publicSignals, { ...p, pi_c: "nope" }],
        [vk, publicSignals, { ...p, protocol: "plonk" }],
        [vk, publicSignals, { ...p, pi_a: ["1", "3", "1"] }], // not on the curve
        [vk, publicSignals, { ...p, pi_a: ["0", "1", "0"] }], // point at infinity
        [vk, [], proof],
        [vk, ["35", "1"], proof],
        [vk, [35], proof],
        [vk, ["-35"], proof],
        [vk, [r], proof],
        [vk, "35", proof],
        [null, publicSignals, proof],
        [{ ...vk, IC: [] }, publicSignals, proof],
        [{ ...vk, curve: "bls12381" }, publicSignals, proof],
        [{ ...vk, nPublic: "1" }, publicSignals, proof],
      ];
      for (const [k, s, pr] of cases) {
        const res = await verify(k, s, pr);
        expect(res.valid, JSON.stringify([s, pr]).slice(0, 200)).to.equal(false);
        expect(res.reason).to.be.a("string").that.is.not.empty;
      }
    });

    it("a failing circuit assert gives WITNESS_FAILED with circom's message", async function () {
      const lt = path.join(tmp, "build", "lt");
      const wasm = path.join(lt, "less_than_js", "less_than.wasm");
      await computeWitness(wasm, { x: "5", bound: "10" });
      const events: ProgressEvent[] = [];
      const e = await expectPipelineError(
        () =>
          computeWitness(wasm, { x: "50", bound: "10" }, { onProgress: (ev) => events.push(ev) }),
        "WITNESS_FAILED",
      );
      expect(e.message).to.match(/Assert Failed/);
      expect(e.message).to.match(/line: \d+/);
      await expectPipelineError(() => computeWitness(wasm, { x: "5" }), "WITNESS_FAILED");
      await expectPipelineError(
        () => prove(cubeSetup.zkeyPath, cube.wasmPath, { y: "1" }),
        "WITNESS_FAILED",
      );
    });

    it("witness computation leaves the host's console alone: circom's messages reach onProgress only", async function () {
      const wasm = path.join(tmp, "build", "lt", "less_than_js", "less_than.wasm");
      const saved = { log: console.log, error: console.error, warn: console.warn };
      const printed: string[] = [];
      const host = (...args: unknown[]) => void printed.push(args.join(" "));
      const events: ProgressEvent[] = [];
      const consoleDuringWitness: unknown[] = [];
      console.log = console.error = console.warn = host;
      try {
        await expectPipelineError(
          () =>
            computeWitness(
              wasm,
              { x: "50", bound: "10" },
              {
                onProgress: (ev) => {
                  events.push(ev);
                  consoleDuringWitness.push(console.log, console.error, console.warn);
                },
              },
            ),
          "WITNESS_FAILED",
        );
      } finally {
        Object.assign(console, saved);
      }
      expect(consoleDuringWitness.every((f) => f === host)).to.equal(true);
      expect(printed).to.deep.equal([]);
      expect(events.map((e) => e.message).join("\n")).to.match(/line: \d+/);
    });

    it("a zkey from another circuit gives PROVE_FAILED", async function () {
      const wasm = path.join(tmp, "build", "lt", "less_than_js", "less_than.wasm");
      await expectPipelineError(
        () => prove(cubeSetup.zkeyPath, wasm, { x: "5", bound: "10" }),
        "PROVE_FAILED",
      );
    });
  });

  describe("readJsonFile", function () {
    it("parses JSON and gives typed errors for bad, truncated, empty and missing files", async function () {
      const good = path.join(tmp, "good.json");
      await fsp.writeFile(good, '{"a": [1, 2]}');
      expect(await readJsonFile(good)).to.deep.equal({ a: [1, 2] });
      const truncated = path.join(tmp, "truncated.json");
      await fsp.writeFile(truncated, '{"a": [1, 2');
      const e = await expectPipelineError(() => readJsonFile(truncated), "BAD_JSON_FILE");
      expect(e.path).to.equal(truncated);
      const empty = path.join(tmp, "empty.json");
      await fsp.writeFile(empty, "");
      await expectPipelineError(() => readJsonFile(empty), "BAD_JSON_FILE");
      await expectPipelineError(() => readJsonFile(path.join(tmp, "nope.json")), "FILE_NOT_FOUND");
    });
  });
});
