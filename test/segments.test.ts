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
import { computeWitness } from "../src/pipeline/index.js";
import {
  proveChain,
  proveSegments,
  segmentCircuit,
  segmentInputs,
  segmentRun,
  segmentsFor,
  signalIndex,
  stateCommitment,
  verifyChain,
  type SegmentChain,
  type SegmentCircuit,
  type SegmentProgress,
} from "../src/segments/index.js";
import {
  openUniversal,
  prepareProgram,
  setupUniversal,
  universalVerificationKey,
  type UniversalBounds,
} from "../src/universal/index.js";
import type { Groth16VerificationKey } from "../src/pipeline/index.js";
import { loadExamples } from "./helpers/examples.js";
import { deployChainVerifier, verifyChainOnChain } from "./support/evm/onchain.js";

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
/** A 5-step run: it halts in its first segment, and is padded to more when asked. */
const SHORT = ".public n 0\n.output y 1\n LOAD n\n PUSH 2\n MUL\n STORE y\n STOP";
const at = signalIndex(BOUNDS);

describe("segment chains", function () {
  this.timeout(1_800_000);
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
    const progress: SegmentProgress[] = [];
    const proven = await proveChain(
      circuit.dir,
      loadProgram(COUNTDOWN),
      { x: "7", n: "1" },
      { onSegment: (p) => progress.push(p) },
    );
    chain = proven.chain;
    // Each segment is reported once, with the prover process that made it.
    expect(progress.map((p) => p.index).sort((a, b) => a - b)).to.deep.equal(
      chain.segments.map((_, i) => i),
    );
    for (const p of progress) expect(p.worker).to.match(/^local:\d+$/);
    hash = chain.programHash;
    expect(proven.steps).to.equal(26);
    expect(proven.outputs).to.deep.equal({ y: 7n, same: 1n });
  });

  after(async function () {
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
    expect(chain.segments).to.have.length(4);
    const result = await verifyChain(vkey, BOUNDS, chain, { programHash: hash });
    expect(result.reason).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(result.outputs).to.deep.equal(["7", "1"]);
    expect(result.publicInputs).to.deep.equal(["1", "0"]);
  });

  const reject = async (segments: SegmentChain["segments"], reason: RegExp) => {
    const result = await verifyChain(vkey, BOUNDS, { ...chain, segments }, { programHash: hash });
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(reason);
  };

  it("rejects a swapped, dropped or duplicated segment", async function () {
    const s = chain.segments;
    await reject([s[0]!, s[2]!, s[1]!, s[3]!], /does not start where/);
    await reject([s[0]!, s[1]!, s[3]!], /does not start where/);
    await reject(s.slice(0, -1), /not halted/);
    await reject(s.slice(1), /not a first segment/);
    await reject([s[0]!, s[1]!, s[1]!, s[2]!, s[3]!], /does not start where/);
  });

  it("rejects a chain of another program and a foreign prefix", async function () {
    const other = await verifyChain(vkey, BOUNDS, chain, {
      programHash: (
        await prepareProgram(loadProgram(".output y 0\n PUSH 1\n STORE y\n STOP"))
      ).hash.toString(),
    });
    expect(other.valid).to.equal(false);
    expect(other.reason).to.match(/program hash/);
    // The same program with another private input: its first segments end in other states.
    const prepared = await prepareProgram(loadProgram(COUNTDOWN), BOUNDS);
    const inputs = { x: "5", n: "1" };
    const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, inputs, {
      maxSteps: 1000,
      segments: (n) => segmentsFor(n, BOUNDS.steps),
    });
    const ins = segmentInputs(prepared.canonical, prepared.program.io, BOUNDS, inputs, run);
    const prefix = await proveSegments(circuit.dir, ins.slice(0, 1), { local: 1 });
    await reject([...prefix, ...chain.segments.slice(1)], /segment 1 does not start where/);
  });

  it("rejects one bad proof (batched check, then named), a changed signal, and a segment under another key; salts never reach the chain", async function () {
    const s = chain.segments;
    const bad = { ...s[2]!, proof: { ...s[2]!.proof, pi_a: s[3]!.proof.pi_a } };
    await reject([s[0]!, s[1]!, bad, s[3]!], /segment 2's proof does not verify/);
    const signals = [...s[3]!.publicSignals];
    signals[at.out] = "8";
    await reject([s[0]!, s[1]!, s[2]!, { ...s[3]!, publicSignals: signals }], /segment 3's proof/);

    // One run's inputs proven under this key: a valid chain, without its salts
    // (a run that halts in its first segment: one proof, two salts).
    const prepared = await prepareProgram(loadProgram(SHORT), BOUNDS);
    const shortHash = prepared.hash.toString();
    const inputs = { n: "21" };
    const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, inputs, {
      maxSteps: 1000,
      segments: (n) => segmentsFor(n, BOUNDS.steps),
    });
    const ins = segmentInputs(prepared.canonical, prepared.program.io, BOUNDS, inputs, run);
    expect(ins).to.have.length(1);
    const salts = new Set(ins.flatMap((i) => [i.saltIn as string, i.saltOut as string]));
    expect(salts.size).to.equal(ins.length + 1);
    const proofs = await proveSegments(circuit.dir, ins);
    const own = { ...chain, programHash: shortHash, segments: proofs };
    const verified = await verifyChain(vkey, BOUNDS, own, { programHash: shortHash });
    expect(verified.valid, verified.reason).to.equal(true);
    expect(verified.outputs).to.deep.equal(["42", "0"]);
    const text = JSON.stringify(own);
    for (const salt of salts) expect(text.includes(salt)).to.equal(false);

    // Mixed keys: the same segment proven under a second setup of the same circuit.
    const second = path.join(tmp, "second");
    await fsp.cp(circuit.dir, second, { recursive: true });
    await setupUniversal(second, { force: true });
    const [foreign] = await proveSegments(second, ins, { local: 1 });
    expect(foreign!.publicSignals).to.deep.equal(proofs[0]!.publicSignals);
    const mixed = { ...own, segments: [foreign!] };
    const result = await verifyChain(vkey, BOUNDS, mixed, { programHash: shortHash });
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(/segment 0's proof does not verify/);
  });

  it("on-chain: the exported chain verifier batch-verifies k = 1, 2, 4, 8 segments in one call and rejects a tampered, swapped or missing segment", async function () {
    const verifier = await deployChainVerifier(vkey, BOUNDS);
    // A 5-step run padded to 8 segments: every prefix is a chain (the run halts in segment 0).
    const program = loadProgram(SHORT);
    const padded = await proveChain(circuit.dir, program, { n: "21" }, { segments: 8 });
    const shortHash = padded.chain.programHash;
    const gas: string[] = [];
    for (const k of [1, 2, 4, 8]) {
      const segments = padded.chain.segments.slice(0, k);
      const off = await verifyChain(
        vkey,
        BOUNDS,
        { ...padded.chain, segments },
        { programHash: shortHash },
      );
      expect(off.valid, off.reason).to.equal(true);
      const on = await verifyChainOnChain(verifier, segments, shortHash);
      expect(on.valid, `k = ${k}`).to.equal(true);
      gas.push(`k = ${k}: ${on.gasUsed} gas`);
    }
    console.log(`      chain verifier gas: ${gas.join(", ")}`);
    const s = chain.segments;
    expect((await verifyChainOnChain(verifier, s, hash)).valid).to.equal(true);
    const signals = [...s[3]!.publicSignals];
    signals[at.out] = "8";
    const tampered = [s[0]!, s[1]!, s[2]!, { ...s[3]!, publicSignals: signals }];
    expect((await verifyChainOnChain(verifier, tampered, hash)).valid).to.equal(false);
    const badProof = [
      s[0]!,
      { ...s[1]!, proof: { ...s[1]!.proof, pi_c: s[2]!.proof.pi_c } },
      s[2]!,
      s[3]!,
    ];
    expect((await verifyChainOnChain(verifier, badProof, hash)).valid).to.equal(false);
    expect((await verifyChainOnChain(verifier, [s[0]!, s[2]!, s[1]!, s[3]!], hash)).valid).to.equal(
      false,
    );
    expect((await verifyChainOnChain(verifier, [s[0]!, s[1]!, s[3]!], hash)).valid).to.equal(false);
    expect((await verifyChainOnChain(verifier, s.slice(0, 3), hash)).valid).to.equal(false);
    expect((await verifyChainOnChain(verifier, s, shortHash)).valid).to.equal(false);
  });
});
