/**
 * Segment chains end to end, with real circom2 and snarkjs on a tiny segment
 * circuit: boundary states from the interpreter equal the circuit's, a chain
 * proves and verifies (batched), a tampered chain is rejected, salts never
 * reach public output, and one segment states what a universal proof does.
 * Forged witnesses are in test/segment-soundness.test.ts.
 */
import { expect } from "chai";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadProgram } from "../src/load.js";
import { computeWitness, terminateCurves, verify } from "../src/pipeline/index.js";
import {
  batchVerify,
  proveChain,
  proveSegments,
  segmentCircuit,
  segmentInput,
  segmentInputs,
  segmentRun,
  segmentsFor,
  signalIndex,
  stateCommitment,
  verifyChain,
  type SegmentChain,
  type SegmentCircuit,
} from "../src/segments/index.js";
import {
  openUniversal,
  prepareProgram,
  setUp,
  universalInput,
  universalVerificationKey,
  type UniversalBounds,
} from "../src/universal/index.js";
import { universalCircuit } from "../src/universal/library.js";
import type { Groth16VerificationKey } from "../src/pipeline/index.js";
import { loadExamples } from "./helpers/examples.js";

/** countdown fits: 23 instructions, 4 cells, stack 2, 2 inputs, 2 outputs. */
const BOUNDS: UniversalBounds = {
  steps: 8,
  maxInstructions: 24,
  maxCells: 4,
  maxStack: 3,
  maxInputs: 2,
  maxOutputs: 2,
  width: 8,
};
const COUNTDOWN = loadExamples().find((e) => e.name === "countdown")!.source;
const at = signalIndex(BOUNDS);

describe("segment chains", function () {
  this.timeout(600_000);
  let tmp: string;
  let circuit: SegmentCircuit;
  let vkey: Groth16VerificationKey;
  let wasm: string;
  /** countdown with x = 7, n = 3: 52 steps, 7 segments of 8. */
  let chain: SegmentChain;
  let hash: string;

  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-segments-"));
    circuit = await segmentCircuit(BOUNDS, { cacheDir: tmp });
    vkey = await universalVerificationKey(circuit.dir, "segment");
    const manifest = await openUniversal(circuit.dir);
    wasm = path.join(circuit.dir, manifest.files.wasm.path);
    const proven = await proveChain(circuit.dir, loadProgram(COUNTDOWN), { x: "7", n: "3" });
    chain = proven.chain;
    hash = chain.programHash;
    expect(proven.steps).to.equal(52);
    expect(proven.outputs).to.deep.equal({ y: 21n, same: 1n });
  });

  after(async function () {
    await terminateCurves();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it("boundary states from the interpreter are the circuit's: each segment's stateIn/stateOut are the interpreter states' commitments", async function () {
    const prepared = await prepareProgram(loadProgram(COUNTDOWN), BOUNDS);
    const inputs = { x: "7", n: "2" };
    const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, inputs, {
      maxSteps: 1000,
      segments: (s) => segmentsFor(s, BOUNDS.steps),
    });
    expect(run.steps).to.equal(39);
    expect(run.states.map((s) => s.step)).to.deep.equal([0, 8, 16, 24, 32, 39]);
    expect(run.states.map((s) => s.halted)).to.deep.equal([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    const circuitInputs = segmentInputs(
      prepared.canonical,
      prepared.program.io,
      BOUNDS,
      inputs,
      run,
    );
    for (const [i, input] of circuitInputs.entries()) {
      const { values } = await computeWitness(wasm, input);
      const signals = values.slice(1, 1 + at.first + 1);
      const saltIn = BigInt(input.saltIn as string);
      const saltOut = BigInt(input.saltOut as string);
      expect(signals[at.stateIn], `segment ${i} stateIn`).to.equal(
        await stateCommitment(saltIn, run.states[i]!),
      );
      expect(signals[at.stateOut], `segment ${i} stateOut`).to.equal(
        await stateCommitment(saltOut, run.states[i + 1]!),
      );
      expect(signals[at.halted]).to.equal(i === circuitInputs.length - 1 ? 1n : 0n);
    }
  });

  it("a chain proves and verifies: outputs from the last segment, public inputs from the first", async function () {
    expect(chain.segments).to.have.length(7);
    const result = await verifyChain(vkey, BOUNDS, chain, { programHash: hash });
    expect(result.reason).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(result.outputs).to.deep.equal(["21", "1"]);
    expect(result.publicInputs).to.deep.equal(["3", "0"]);
  });

  const reject = async (segments: SegmentChain["segments"], reason: RegExp) => {
    const result = await verifyChain(vkey, BOUNDS, { ...chain, segments }, { programHash: hash });
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(reason);
  };

  it("rejects a swapped, dropped or duplicated segment", async function () {
    const s = chain.segments;
    await reject([s[0]!, s[2]!, s[1]!, ...s.slice(3)], /does not start where/);
    await reject([...s.slice(0, 3), ...s.slice(4)], /does not start where/);
    await reject(s.slice(0, -1), /not halted/);
    await reject(s.slice(1), /not a first segment/);
    await reject([...s.slice(0, 3), s[2]!, ...s.slice(3)], /does not start where/);
  });

  it("rejects a chain of another program and a foreign prefix", async function () {
    const other = await verifyChain(vkey, BOUNDS, chain, {
      programHash: (
        await prepareProgram(loadProgram(".output y 0\n PUSH 1\n STORE y\n STOP"))
      ).hash.toString(),
    });
    expect(other.valid).to.equal(false);
    expect(other.reason).to.match(/program hash/);
    // The same program with other inputs: its first segments end in other states.
    const foreign = await proveChain(circuit.dir, loadProgram(COUNTDOWN), { x: "5", n: "3" });
    await reject(
      [...foreign.chain.segments.slice(0, 3), ...chain.segments.slice(3)],
      /does not start where/,
    );
  });

  it("rejects one bad proof (batched check, then named) and proofs under another key", async function () {
    const s = chain.segments;
    const bad = { ...s[3]!, proof: { ...s[3]!.proof, pi_a: s[4]!.proof.pi_a } };
    await reject([...s.slice(0, 3), bad, ...s.slice(4)], /segment 3's proof does not verify/);
    // A signal changed under a valid proof: the proof no longer verifies.
    const signals = [...s[6]!.publicSignals];
    signals[at.out] = "22";
    await reject([...s.slice(0, 6), { ...s[6]!, publicSignals: signals }], /segment 6's proof/);
    // Mixed keys: the same segments proven under a second setup of the same circuit.
    const second = await segmentCircuit(BOUNDS, { cacheDir: path.join(tmp, "second") });
    const prepared = await prepareProgram(loadProgram(COUNTDOWN), BOUNDS);
    const inputs = { x: "7", n: "3" };
    const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, inputs, {
      maxSteps: 1000,
      segments: (n) => segmentsFor(n, BOUNDS.steps),
    });
    const ins = segmentInputs(prepared.canonical, prepared.program.io, BOUNDS, inputs, run);
    const [foreign] = await proveSegments(
      second.dir,
      await setUp(second.dir, "segment"),
      ins.slice(0, 1),
    );
    expect(
      (
        await verify(
          await universalVerificationKey(second.dir, "segment"),
          foreign!.publicSignals,
          foreign!.proof,
        )
      ).valid,
    ).to.equal(true);
    // Its stateOut is not s[1]'s stateIn (fresh salts), so splice it where only the key differs: alone.
    const single = await batchVerify(vkey, [foreign!]);
    expect(single.valid).to.equal(false);
  });

  it("salts never reach the chain: no salt of any segment input appears in chain.json", async function () {
    const prepared = await prepareProgram(loadProgram(COUNTDOWN), BOUNDS);
    const inputs = { x: "7", n: "1" };
    const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, inputs, {
      maxSteps: 1000,
      segments: (n) => segmentsFor(n, BOUNDS.steps),
    });
    const ins = segmentInputs(prepared.canonical, prepared.program.io, BOUNDS, inputs, run);
    const salts = new Set(ins.flatMap((i) => [i.saltIn as string, i.saltOut as string]));
    expect(salts.size).to.equal(ins.length + 1);
    const proofs = await proveSegments(circuit.dir, await setUp(circuit.dir, "segment"), ins);
    const text = JSON.stringify({ ...chain, segments: proofs });
    for (const salt of salts) expect(text.includes(salt)).to.equal(false);
  });

  it("one segment of L = N states what a universal proof of N steps does", async function () {
    const bounds: UniversalBounds = { ...BOUNDS, steps: 16, maxInstructions: 8 };
    const source = ".public n 0\n.output y 1\n LOAD n\n PUSH 2\n MUL\n STORE y\n STOP";
    const prepared = await prepareProgram(loadProgram(source), bounds);
    const [u, s] = await Promise.all([
      universalCircuit(bounds, { cacheDir: tmp }),
      segmentCircuit(bounds, { cacheDir: tmp }),
    ]);
    const uWasm = path.join(u.dir, (await openUniversal(u.dir)).files.wasm.path);
    const sWasm = path.join(s.dir, (await openUniversal(s.dir)).files.wasm.path);
    const inputs = { n: "21" };
    const universal = (
      await computeWitness(
        uWasm,
        universalInput(prepared.canonical, prepared.program.io, bounds, inputs),
      )
    ).values.slice(1, 1 + 1 + 2 + 2);
    const run = segmentRun(prepared.program, prepared.canonical, bounds, inputs, {
      maxSteps: 16,
      segments: () => 1,
    });
    const [input] = segmentInputs(prepared.canonical, prepared.program.io, bounds, inputs, run);
    const values = (await computeWitness(sWasm, input!)).values;
    const seg = signalIndex(bounds);
    const signals = values.slice(1, 2 + seg.first);
    expect([signals[seg.programHash], ...signals.slice(seg.out, seg.first)]).to.deep.equal(
      universal,
    );
    expect(signals[seg.halted]).to.equal(1n);
    expect(signals[seg.first]).to.equal(1n);
    expect(universal).to.deep.equal([prepared.hash, 42n, 0n, 21n, 0n]);
    expect(segmentInput).to.be.a("function");
  });
});
