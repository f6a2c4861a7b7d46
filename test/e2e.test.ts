/**
 * End to end: compile -> setup -> prove -> verify of the example programs,
 * through the CLI (in-process and as a real child process of bin/zkvm.js) and
 * through the library (ZKVM.generateProof / verifyProof), including
 * concurrent proofs in one process and in two processes sharing one cache.
 *
 * Every circuit is tiny (at most a few hundred constraints). Setup is the
 * direct development setup, except one build made with --ptau from the cached
 * local powers of tau of power 8.
 */
import { execFile, type ExecFileException } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { openBuild, verifyWithBundle } from "../src/build/index.js";
import { COMMANDS } from "../src/cli/main.js";
import { P } from "../src/field.js";
import { localPtau } from "../src/pipeline/index.js";
import { ZKVM, type ZKVMProof } from "../src/zkvm.js";
import { freshDist } from "./helpers/dist.js";
import { EXAMPLES_DIR } from "./helpers/examples.js";
import { zkvm, type Outcome } from "./helpers/cli.js";

const ROOT = join(EXAMPLES_DIR, "..");
const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const source = (file: string) => readFileSync(join(EXAMPLES_DIR, file), "utf8");

/** Runs `zkvm <argv>` and expects exit 0; returns what it printed. */
async function succeeds(...argv: string[]): Promise<Outcome> {
  const r = await zkvm(...argv);
  expect(r.status, r.err).to.equal(0);
  return r;
}

/** Expects exit 1 with one line on stderr that mentions `what`, and no stack trace. */
async function failsWith(what: string | RegExp, ...argv: string[]): Promise<string> {
  const r = await zkvm(...argv);
  expect(r.status, r.err).to.equal(1);
  expect(r.err.trim().split("\n"), r.err).to.have.length(1);
  expect(r.err).not.to.match(/\n\s+at /);
  if (typeof what === "string") expect(r.err).to.include(what);
  else expect(r.err).to.match(what);
  return r.err;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

interface ProgramCase {
  readonly file: string;
  readonly steps: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  /** public.json: the outputs, then the public inputs. */
  readonly publicSignals: readonly string[];
  readonly layout: ReadonlyArray<{ name: string; kind: "output" | "public-input" }>;
  readonly privateInputs: readonly string[];
  readonly stepsTaken: number;
}

/** The seed, one program with private and public inputs, and one that compares (GT). */
const PROGRAMS: readonly ProgramCase[] = [
  {
    file: "seed.hex",
    steps: 8,
    inputs: {},
    outputs: { "0": "8" },
    publicSignals: ["8"],
    layout: [{ name: "0", kind: "output" }],
    privateInputs: [],
    stepsTaken: 5,
  },
  {
    file: "countdown.zkasm",
    steps: 40,
    inputs: { x: "-1", n: "2" },
    outputs: { y: (P - 2n).toString(), same: "1" },
    publicSignals: [(P - 2n).toString(), "1", "2"],
    layout: [
      { name: "y", kind: "output" },
      { name: "same", kind: "output" },
      { name: "n", kind: "public-input" },
    ],
    privateInputs: ["x"],
    stepsTaken: 39,
  },
  {
    file: "power.zkasm",
    steps: 40,
    inputs: { x: "3", e: "2" },
    outputs: { y: "9" },
    publicSignals: ["9", "2"],
    layout: [
      { name: "y", kind: "output" },
      { name: "e", kind: "public-input" },
    ],
    privateInputs: ["x"],
    stepsTaken: 35,
  },
];

const inputArgs = (inputs: Readonly<Record<string, string>>) =>
  Object.entries(inputs).flatMap(([name, v]) => ["--input", `${name}=${v}`]);

/** Every file and directory name under `dir`, recursively, relative to it. */
function listTree(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix + e.name;
    return e.isDirectory() ? [rel, ...listTree(join(dir, e.name), `${rel}/`)] : [rel];
  });
}

/** Names of locks, temporary files and staging directories the pipeline uses while working. */
const LEFTOVER = /(\.lock|\.tmp|\.build-|\.old|\.break)/;

describe("end to end: compile, setup, prove, verify", function () {
  let work: string;
  const buildDir = (c: ProgramCase) => join(work, c.file.replace(/\..*$/, ""));

  before(function () {
    work = mkdtempSync(join(tmpdir(), "zkvm-e2e-"));
  });

  after(async function () {
    rmSync(work, { recursive: true, force: true });
  });

  describe("through the CLI, in-process", function () {
    for (const [index, c] of PROGRAMS.entries()) {
      describe(c.file, function () {
        it(`compile --json (N = ${c.steps}) reports the constraints, public signals in order and the profile`, async function () {
          const dir = buildDir(c);
          const r = await succeeds(
            "compile",
            join(EXAMPLES_DIR, c.file),
            "--steps",
            String(c.steps),
            "-o",
            dir,
            "--json",
          );
          expect(r.err).to.equal("");
          const compiled = JSON.parse(r.out) as {
            dir: string;
            constraints: number;
            publicSignals: string[];
            publicSignalLayout: Array<{ name: string; kind: string }>;
            privateInputs: string[];
            steps: number;
            profile: Array<{ pc: number; op: string; constraints: number; steps: number }>;
            cached: boolean;
          };
          expect(compiled.dir).to.equal(dir);
          expect(compiled.constraints).to.be.within(1, 999);
          expect(compiled.publicSignals).to.deep.equal(c.layout.map((s) => s.name));
          expect(
            compiled.publicSignalLayout.map(({ name, kind }) => ({ name, kind })),
          ).to.deep.equal(c.layout);
          expect(compiled.privateInputs).to.deep.equal(c.privateInputs);
          expect(compiled.steps).to.equal(c.steps);
          expect(compiled.cached).to.equal(false);
          expect(compiled.profile).to.be.an("array").that.is.not.empty;
          for (const row of compiled.profile) {
            expect(row).to.include.keys("pc", "op", "constraints", "steps");
          }
          expect(compiled.profile[0]?.pc).to.equal(0);

          // The same program again: up to date, in text.
          const again = await succeeds(
            "compile",
            join(EXAMPLES_DIR, c.file),
            "--steps",
            String(c.steps),
            "-o",
            dir,
          );
          expect(again.out).to.include(`up to date: ${dir} — ${compiled.constraints} constraint`);
          const order = c.layout
            .map((s) => `${s.name} (${s.kind === "output" ? "output" : "public input"})`)
            .join(", ");
          expect(again.out).to.include(`public signals, in order: ${order}`);
        });

        if (index === 0) {
          it("prove before setup is NOT_SET_UP, exit 1", async function () {
            await failsWith("NOT_SET_UP", "prove", buildDir(c));
          });
        }

        it(
          [
            "setup makes a direct development key, no powers of tau",
            "setup --ptau makes one with snarkjs from a prepared ptau; --contribute adds a contribution",
            "setup prints what kind of key it made; a second setup keeps it",
          ][index] ?? "setup",
          async function () {
            type Record = {
              cached: boolean;
              kind: string;
              ptau?: { path: string; power: number };
              contributions: number;
              power: number;
              zkey: string;
            };
            const dir = buildDir(c);
            const vkeyFile = join(dir, "verification_key.json");
            let record: Record;
            if (index === 1) {
              const ptau = await localPtau(8);
              const r = await succeeds("setup", dir, "--ptau", ptau.path, "--json");
              record = JSON.parse(r.out) as Record;
              expect(record).to.deep.include({ kind: "ptau", contributions: 1, cached: false });
              expect(record.ptau).to.deep.equal({ path: ptau.path, power: ptau.power });
              // Another party's contribution: a new key, recorded; the old proof key is gone.
              const before = readFileSync(vkeyFile, "utf8");
              const more = await succeeds("setup", dir, "--contribute", "--name", "bob", "--json");
              record = JSON.parse(more.out) as Record;
              expect(record).to.deep.include({ kind: "ptau", contributions: 2 });
              expect(readFileSync(vkeyFile, "utf8")).to.not.equal(before);
            } else if (index === 2) {
              // Text mode: progress on stderr, and a note on what a development key means.
              const r = await succeeds("setup", dir);
              expect(r.out).to.include(`set up: ${dir}`);
              expect(r.out).to.include("from the direct development setup");
              expect(r.out).to.include("zkvm setup DIR --contribute");
              expect(r.err).to.match(/setup:direct: direct setup done/);
              expect(r.err).to.not.match(/ptau/);
              record = JSON.parse((await succeeds("setup", dir, "--json")).out) as Record;
              expect(record.cached).to.equal(true);
            } else {
              const r = await succeeds("setup", dir, "--json");
              expect(r.err).to.equal("");
              record = JSON.parse(r.out) as Record;
              expect(record).to.deep.include({ kind: "direct-development", contributions: 0 });
              expect(record.ptau).to.equal(undefined);
              // A contribution on top of a direct key.
              const more = await succeeds("setup", dir, "--contribute", "--json");
              record = JSON.parse(more.out) as Record;
              expect(record).to.deep.include({ kind: "direct-development", contributions: 1 });
            }
            expect(record.power).to.be.at.most(10);
            expect(existsSync(join(dir, record.zkey))).to.equal(true);
            expect(existsSync(vkeyFile)).to.equal(true);
          },
        );

        it("prove gives the outputs; public.json lists the outputs, then the public inputs", async function () {
          const dir = buildDir(c);
          const proofFile = join(dir, "proof.json");
          const publicFile = join(dir, "public.json");
          if (index === 0) {
            const r = await succeeds("prove", dir, ...inputArgs(c.inputs));
            const lines = Object.entries(c.outputs).map(([name, v]) => `${name} = ${v}`);
            expect(r.out.split("\n")).to.deep.equal([
              ...lines,
              `proved an execution of ${c.stepsTaken} steps; wrote ${proofFile} and ${publicFile}`,
            ]);
          } else {
            const r = await succeeds("prove", dir, ...inputArgs(c.inputs), "--json");
            expect(r.err).to.equal("");
            const proved = JSON.parse(r.out) as {
              outputs: Record<string, string>;
              publicSignals: string[];
              steps: number;
              proof: string;
              public: string;
            };
            expect(proved.outputs).to.deep.equal(c.outputs);
            expect(proved.publicSignals).to.deep.equal(c.publicSignals);
            expect(proved.steps).to.equal(c.stepsTaken);
            expect([proved.proof, proved.public]).to.deep.equal([proofFile, publicFile]);
          }
          expect(readJson(publicFile)).to.deep.equal(c.publicSignals);
          const proof = readJson<{ pi_a: unknown[]; protocol: string }>(proofFile);
          expect(proof.protocol).to.equal("groth16");
          expect(proof.pi_a).to.have.length(3);
        });

        it(`verify${index === 1 ? " (and --json)" : ""} prints valid with the named public signals, exit 0`, async function () {
          const dir = buildDir(c);
          const r = await succeeds("verify", dir);
          const named = c.layout.map((s, i) => `${s.name} = ${c.publicSignals[i]}`).join(", ");
          expect(r.out).to.equal(`valid: ${named}`);
          if (index !== 1) return;
          const json = JSON.parse((await succeeds("verify", dir, "--json")).out) as unknown;
          expect(json).to.deep.equal({
            valid: true,
            publicSignals: Object.fromEntries(c.layout.map((s, i) => [s.name, c.publicSignals[i]])),
          });
        });
      });
    }

    describe("verifying from the verification key and layout alone", function () {
      const power = PROGRAMS[2]!;
      const countdown = PROGRAMS[1]!;
      let bundle: string;
      let otherBundle: string;
      const files = (dir: string) => [
        "--proof",
        join(dir, "proof.json"),
        "--public",
        join(dir, "public.json"),
      ];

      before(async function () {
        bundle = join(work, "bundle-power");
        otherBundle = join(work, "bundle-countdown");
        await succeeds("export-bundle", buildDir(power), "-o", bundle);
        await succeeds("export-bundle", buildDir(countdown), "-o", otherBundle);
      });

      it("export-bundle writes verification_key.json and layout.json; verify takes them, as a directory or as files", async function () {
        expect(readdirSync(bundle).sort()).to.deep.equal(["layout.json", "verification_key.json"]);
        const layout = readJson<{ publicSignals: Array<{ name: string; kind: string }> }>(
          join(bundle, "layout.json"),
        );
        expect(layout.publicSignals.map(({ name, kind }) => ({ name, kind }))).to.deep.equal(
          power.layout,
        );
        const expected = `valid: ${power.layout.map((s, i) => `${s.name} = ${power.publicSignals[i]}`).join(", ")}`;
        const fromDir = await succeeds("verify", bundle, ...files(buildDir(power)));
        expect(fromDir.out).to.equal(expected);
        const fromFiles = await succeeds(
          "verify",
          "--vkey",
          join(bundle, "verification_key.json"),
          "--layout",
          join(bundle, "layout.json"),
          ...files(buildDir(power)),
        );
        expect(fromFiles.out).to.equal(expected);
      });

      it("verify DIR reads no proving key, wasm or r1cs: a build without them still verifies", async function () {
        const stripped = join(work, "stripped-power");
        cpSync(buildDir(power), stripped, { recursive: true });
        for (const f of ["power.zkey", "power.r1cs", "power.sym", "power.circom", "power_js"]) {
          // A direct build has no power_js (no witness wasm): force, absent or not.
          rmSync(join(stripped, f), { recursive: true, force: true });
        }
        expect(
          readdirSync(stripped).filter((f) => /\.(zkey|r1cs|wasm)$|_js$/.test(f)),
        ).to.deep.equal([]);
        expect((await succeeds("verify", stripped)).out).to.match(/^valid: /);
      });

      it("with the key alone: a tampered signal, another circuit's proof or another key's layout is rejected with a reason", async function () {
        const signals = readJson<string[]>(join(buildDir(power), "public.json"));
        const tampered = join(work, "tampered-public.json");
        writeFileSync(
          tampered,
          JSON.stringify([String(BigInt(signals[0]!) + 1n), ...signals.slice(1)]),
        );
        await failsWith(
          /^invalid: pairing check failed/,
          "verify",
          bundle,
          "--proof",
          join(buildDir(power), "proof.json"),
          "--public",
          tampered,
        );
        await failsWith(/^invalid: \S/, "verify", bundle, ...files(buildDir(countdown)));
        await failsWith(
          "invalid: the verification key is not the one the layout was made for",
          "verify",
          "--vkey",
          join(bundle, "verification_key.json"),
          "--layout",
          join(otherBundle, "layout.json"),
          ...files(buildDir(power)),
        );
        const badLayout = join(work, "bad-layout.json");
        writeFileSync(badLayout, JSON.stringify({ format: "zkvm-layout/1" }));
        await failsWith(
          "BAD_LAYOUT_FILE",
          "verify",
          "--vkey",
          join(bundle, "verification_key.json"),
          "--layout",
          badLayout,
          ...files(buildDir(power)),
        );
      });
    });

    describe("proofs that must not verify, and files that are not proofs", function () {
      const countdown = PROGRAMS[1]!;
      let dir: string;
      let proof: { pi_a: string[] };
      const write = (name: string, value: unknown) => {
        const file = join(work, name);
        writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
        return file;
      };

      before(function () {
        dir = buildDir(countdown);
        proof = readJson(join(dir, "proof.json"));
      });

      it("a changed output in public.json: exit 1 with the reason", async function () {
        const forged = [...countdown.publicSignals];
        forged[0] = "14";
        const err = await failsWith(
          "invalid:",
          "verify",
          dir,
          "--public",
          write("out.json", forged),
        );
        expect(err).to.match(/pairing check failed/);
      });

      it("a changed public input in public.json: exit 1", async function () {
        const forged = [...countdown.publicSignals];
        forged[2] = "3";
        await failsWith(/invalid: .*pairing/, "verify", dir, "--public", write("in.json", forged));
      });

      it("a changed coordinate in proof.json: exit 1 with the reason", async function () {
        const offCurve = {
          ...proof,
          pi_a: [(BigInt(proof.pi_a[0]!) + 1n).toString(), ...proof.pi_a.slice(1)],
        };
        await failsWith("invalid:", "verify", dir, "--proof", write("off.json", offCurve));
        // -A is on the curve, so only the pairing can tell.
        const negated = {
          ...proof,
          pi_a: [proof.pi_a[0], (BN254_Q - BigInt(proof.pi_a[1]!)).toString(), proof.pi_a[2]],
        };
        await failsWith(/invalid: .*pairing/, "verify", dir, "--proof", write("neg.json", negated));
      });

      it("verify --json of a forged proof prints valid: false and the reason, exit 1", async function () {
        const forged = [...countdown.publicSignals];
        forged[1] = "0";
        const r = await zkvm("verify", dir, "--public", write("same.json", forged), "--json");
        expect(r.status).to.equal(1);
        const json = JSON.parse(r.out) as { valid: boolean; reason: string };
        expect(json.valid).to.equal(false);
        expect(json.reason).to.match(/pairing/);
      });

      it("a truncated or malformed proof.json: exit 1 with a clear error, no stack trace", async function () {
        const text = readFileSync(join(dir, "proof.json"), "utf8");
        const truncated = write("truncated.json", text.slice(0, text.length >> 1));
        await failsWith("BAD_JSON_FILE", "verify", dir, "--proof", truncated);
        await failsWith("BAD_JSON_FILE", "verify", dir, "--proof", write("empty.json", ""));
        await failsWith(/invalid: proof pi_a/, "verify", dir, "--proof", write("obj.json", {}));
        await failsWith("FILE_NOT_FOUND", "verify", dir, "--proof", join(work, "missing.json"));
      });

      it("prove of a faulting input gives the interpreter's error, exit 1, and writes no proof", async function () {
        const out = join(work, "faulting");
        // countdown takes 13 + 13n steps: n = 3 needs 52 > 40.
        const steps = await failsWith(
          "STEP_LIMIT_EXCEEDED",
          "prove",
          dir,
          "-i",
          "x=7",
          "-i",
          "n=3",
          "--out",
          out,
        );
        expect(steps).to.match(/^zkvm prove: error STEP_LIMIT_EXCEEDED/);
        const power = buildDir(PROGRAMS[2]!);
        // e = -1 is p - 1, far above 2^64: GT faults.
        await failsWith(
          "COMPARISON_OUT_OF_RANGE",
          "prove",
          power,
          "-i",
          "x=2",
          "-i",
          "e=-1",
          "--out",
          out,
        );
        await failsWith(
          "STEP_LIMIT_EXCEEDED",
          "prove",
          power,
          "-i",
          "x=2",
          "-i",
          "e=3",
          "--out",
          out,
        );
        await failsWith("MISSING_INPUT", "prove", power, "-i", "x=2", "--out", out);
        expect(existsSync(out)).to.equal(false);
      });
    });

    describe("--help", function () {
      for (const command of COMMANDS) {
        it(`${command.name} --help prints its usage and exits 0`, async function () {
          const r = await succeeds(command.name, "--help");
          expect(r.out).to.match(new RegExp(`^Usage: zkvm ${command.name}\\b`));
          expect(r.err).to.equal("");
        });
      }
    });
  });

  describe("as a child process: node bin/zkvm.js", function () {
    const bin = join(ROOT, "bin", "zkvm.js");
    const run = (...argv: string[]) =>
      promisify(execFile)(process.execPath, [bin, ...argv], { cwd: work });

    before(async function () {
      // bin/zkvm.js loads the compiled CLI in dist/.
      await freshDist();
    });

    it("prove, then verify: exit 0, valid", async function () {
      const c = PROGRAMS[1]!;
      const out = join(work, "child");
      const proved = await run(
        "prove",
        buildDir(c),
        ...inputArgs(c.inputs),
        "--out",
        out,
        "--json",
      );
      const json = JSON.parse(proved.stdout) as { outputs: unknown; publicSignals: unknown };
      expect(json.outputs).to.deep.equal(c.outputs);
      expect(json.publicSignals).to.deep.equal(c.publicSignals);
      const args = ["--proof", join(out, "proof.json"), "--public", join(out, "public.json")];
      const verified = await run("verify", buildDir(c), ...args);
      expect(verified.stdout).to.match(/^valid: y = \d+, same = 1, n = 2\n$/);
    });

    it("a truncated proof.json: exit 1, one line on stderr, no stack trace", async function () {
      const c = PROGRAMS[1]!;
      const truncated = join(work, "child-truncated.json");
      writeFileSync(truncated, readFileSync(join(buildDir(c), "proof.json"), "utf8").slice(0, 100));
      try {
        await run("verify", buildDir(c), "--proof", truncated);
        expect.fail("verify succeeded");
      } catch (e) {
        const { code, stdout, stderr } = e as ExecFileException & {
          stdout: string;
          stderr: string;
        };
        expect(code).to.equal(1);
        expect(stdout).to.equal("");
        expect(stderr).to.match(/^zkvm verify: error BAD_JSON_FILE .*\n$/);
        expect(stderr).not.to.match(/\n\s+at /);
      }
    });
  });

  describe("through the library: ZKVM", function () {
    let cacheDir: string;

    before(function () {
      cacheDir = join(work, "library-cache");
    });

    it("generateProof, then verifyProof; a changed public signal does not verify, and checkProof says why", async function () {
      const vm = new ZKVM(source("cubic.zkasm"), { cacheDir });
      const proof = await vm.generateProof({ x: 3 }, { steps: 16 });
      expect(proof.outputs).to.deep.equal({ y: 35n });
      expect(proof.publicSignals).to.deep.equal(["35"]);
      expect(proof.steps).to.equal(11);
      expect(proof.circuit).to.deep.include({ steps: 16, width: 64 });
      expect(await vm.verifyProof(proof)).to.equal(true);

      const forged: ZKVMProof = { ...proof, publicSignals: ["36"] };
      expect(await vm.verifyProof(forged)).to.equal(false);
      const why = await vm.checkProof(forged);
      expect(why.valid).to.equal(false);
      expect(why.reason).to.match(/pairing/);

      const other = new ZKVM(source("wrap.zkasm"), { cacheDir });
      expect((await other.checkProof(proof)).reason).to.match(/another program/);
    });

    it("a proof is bound to its circuit: the same bytecode declared with other I/O rejects it, with a reason", async function () {
      const body = "LOAD x\nLOAD x\nMUL\nSTORE y\nSTOP\n";
      const a = new ZKVM(`.private x 0\n.output y 1\n${body}`, { cacheDir });
      const b = new ZKVM(`.public x 0\n.output y 1\n${body}`, { cacheDir });
      expect(a.program.code).to.deep.equal(b.program.code);
      expect(a.circuitDir(8)).to.not.equal(b.circuitDir(8));
      const pa = await a.generateProof({ x: 3 }, { steps: 8 });
      const pb = await b.generateProof({ x: 3 }, { steps: 8 });
      expect(await a.checkProof(pa)).to.deep.equal({ valid: true });
      expect(await b.checkProof(pb)).to.deep.equal({ valid: true });
      for (const [vm, proof] of [
        [a, pb],
        [b, pa],
      ] as const) {
        const r = await vm.checkProof(proof);
        expect(r.valid).to.equal(false);
        expect(r.reason).to.match(/another circuit/);
      }
      // A proof that names another verification key than the circuit's own is rejected before any pairing.
      const rebound: ZKVMProof = { ...pa, circuit: { ...pa.circuit, vkeyHash: "0".repeat(64) } };
      expect((await a.checkProof(rebound)).reason).to.match(/verification key/);
      // The verification key and layout alone: the proving key and witness generator can go.
      const bundle = await a.verifierBundle(8);
      expect(await verifyWithBundle(bundle, pa)).to.deep.equal({ valid: true });
      expect((await verifyWithBundle(bundle, pb)).reason).to.match(/another circuit/);
      rmSync(join(a.circuitDir(8), "program.zkey"));
      // (a direct build has no witness generator: its witness is computed in TypeScript)
      rmSync(join(a.circuitDir(8), "program_js"), { recursive: true, force: true });
      expect(await a.checkProof(pa)).to.deep.equal({ valid: true });
      // Two outputs declared in opposite orders: the same bytecode, two circuits.
      const two = "PUSH 1\nSTORE y\nPUSH 2\nSTORE z\nSTOP\n";
      const yz = new ZKVM(`.output y 0\n.output z 1\n${two}`, { cacheDir });
      const zy = new ZKVM(`.output z 1\n.output y 0\n${two}`, { cacheDir });
      expect(yz.program.code).to.deep.equal(zy.program.code);
      expect(yz.circuitDir(8)).to.not.equal(zy.circuitDir(8));
    });

    it("Promise.all of proofs over different programs and over the same program", async function () {
      // cubic's circuit is ready (the first test above); seed's and wrap's are built concurrently.
      const circuitsBefore = readdirSync(cacheDir).length;
      const seed = new ZKVM(source("seed.hex"), { cacheDir });
      const wrap = new ZKVM(source("wrap.zkasm"), { cacheDir });
      const cubic = new ZKVM(source("cubic.zkasm"), { cacheDir });
      const jobs: Array<[ZKVM, Record<string, string>, number, string[]]> = [
        [seed, {}, 8, ["8"]],
        [seed, {}, 8, ["8"]],
        [cubic, { x: "2" }, 16, ["15"]],
        [cubic, { x: "-1" }, 16, ["3"]],
        [wrap, { x: "5" }, 16, ["1", (2n ** 256n % P).toString(), (P - 5n).toString()]],
      ];
      const proofs = await Promise.all(
        jobs.map(([vm, inputs, steps]) => vm.generateProof(inputs, { steps })),
      );
      expect(proofs.map((p) => p.publicSignals)).to.deep.equal(jobs.map((j) => j[3]));
      const checks = await Promise.all(proofs.map((p, i) => jobs[i]![0].checkProof(p)));
      expect(checks).to.deep.equal(jobs.map(() => ({ valid: true })));
      // One circuit per program, each built once, and nothing left over.
      expect(readdirSync(cacheDir)).to.have.length(circuitsBefore + 2);
      expect(listTree(cacheDir).filter((f) => LEFTOVER.test(f))).to.deep.equal([]);
    });

    it("two processes proving the same program at once share one build in a fresh cache, with no powers of tau", async function () {
      const cache = join(work, "shared-cache");
      mkdirSync(cache);

      const child = (x: string) =>
        promisify(execFile)(
          process.execPath,
          [
            "--import",
            "tsx",
            join(ROOT, "test", "fixtures", "e2e", "prove.ts"),
            join(EXAMPLES_DIR, "cubic.zkasm"),
            "16",
            JSON.stringify({ x }),
          ],
          { cwd: ROOT, env: { ...process.env, ZKVM_CACHE_DIR: cache } },
        );
      const results = await Promise.all([child("2"), child("3")]);
      const proofs = results.map((r) => JSON.parse(r.stdout) as ZKVMProof);
      expect(proofs.map((p) => p.publicSignals)).to.deep.equal([["15"], ["35"]]);

      // Exactly one of them compiled (the direct backend writes the .r1cs itself, with no circom2)
      // and set up; the other waited for its lock and reused the build.
      const stages = results.map((r) => r.stderr);
      expect(stages.filter((s) => /^r1cs: /m.test(s))).to.have.length(1);
      expect(stages.filter((s) => /^circom: /m.test(s))).to.have.length(0);
      expect(stages.filter((s) => /^setup:direct: /m.test(s))).to.have.length(1);
      expect(stages.filter((s) => /^ptau/m.test(s))).to.have.length(0);

      // The cache: one circuit whose artifacts match its manifest, no ptau, no locks or temp files.
      expect(listTree(cache).filter((f) => LEFTOVER.test(f))).to.deep.equal([]);
      expect(readdirSync(cache)).to.deep.equal(["circuits"]);
      const [circuit, ...more] = readdirSync(join(cache, "circuits"));
      expect(more).to.deep.equal([]);
      const build = await openBuild(join(cache, "circuits", circuit!));
      expect(build.manifest.setup?.kind).to.equal("direct-development");
      const vm = new ZKVM(source("cubic.zkasm"), { cacheDir: join(cache, "circuits") });
      expect(vm.circuitDir(16)).to.equal(build.dir);
      for (const proof of proofs) expect(await vm.checkProof(proof)).to.deep.equal({ valid: true });
    });
  });
});
