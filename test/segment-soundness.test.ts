/**
 * Soundness of the segment circuit on the surface it adds to the universal
 * circuit (the first-segment pins, public inputs outside segment 0, outputs
 * before halting, halted without STOP, a commitment opened to another
 * state), in the style of test/universal-soundness.test.ts: each attack is a
 * forged witness made by a forger, templates/segment.circom with one guard
 * taken out, and for each:
 *   1. the honest witness satisfies the real circuit;
 *   2. the forger drops exactly the guard (`dropped` constraints fewer at --O0);
 *   3. the forged witness satisfies the forger's R1CS (accepted without the guard);
 *   4. it claims something false (`claims` checks its public signals);
 *   5. the real circuit's R1CS rejects it.
 * Every witness comes from one circom2 build at --O0 that holds all the
 * circuits the tests run (forgers and the real circuit on each honest input,
 * `variants`), carried by signal name onto the real circuit at --O1, which is
 * compiled without a witness generator.
 */
import { expect } from "chai";
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Inputs } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { defaultIncludePaths } from "../src/pipeline/index.js";
import {
  segmentInputs,
  segmentRun,
  segmentsFor,
  signalIndex,
  stateCommitment,
} from "../src/segments/index.js";
import type { BoundaryState, SegmentInput } from "../src/segments/index.js";
import {
  prepareProgram,
  segmentCircom,
  universalCircom,
  universalInput,
  type UniversalBounds,
} from "../src/universal/index.js";
import { ForgerBuilds, keyedPart, type KeyedBuild, type Variant } from "./helpers/forge.js";

const BOUNDS: UniversalBounds = {
  steps: 4,
  maxInstructions: 8,
  maxCells: 4,
  maxStack: 4,
  maxInputs: 2,
  maxOutputs: 2,
  width: 8,
};
const at = signalIndex(BOUNDS);
const N_PUBLIC = at.first + 1;
const TEMPLATES = defaultIncludePaths()[0]!;
const SEGMENT = readFileSync(path.join(TEMPLATES, "segment.circom"), "utf8");
const UNIVERSAL = readFileSync(path.join(TEMPLATES, "universal.circom"), "utf8");

function replaceOnce(text: string, from: string, to: string): string {
  const n = text.split(from).length - 1;
  if (n !== 1)
    throw new Error(`expected one ${JSON.stringify(from)} in segment.circom, found ${n}`);
  return text.replace(from, () => to);
}

/** 7 steps: segment 0 (L = 4) ends before STOP with y = 5 stored; segment 1 halts. */
const TWO_SEGMENTS = ".output y 0\n PUSH 5\n STORE y\n PUSH 1\n PUSH 1\n ADD\n STORE 1\n STOP";

interface Attack {
  readonly title: string;
  readonly program: string;
  readonly inputs: Inputs;
  /** The segment of the honest run the forged witness starts from. */
  readonly segment: number;
  readonly from: string;
  readonly to: string;
  readonly dropped: number;
  /** The forger's input, from the honest one. */
  readonly tamper: (input: SegmentInput) => SegmentInput;
  /** The false claim in the forged public signals (the honest ones beside). */
  readonly claims: (forged: readonly bigint[], honest: readonly bigint[]) => void;
}

const ATTACKS: Attack[] = [
  {
    title:
      "segment 0 starting mid-program (pc 2, the STOP: y = 0 instead of 5): `first * pcIn === 0`",
    program: ".output y 0\n PUSH 5\n STORE y\n STOP",
    inputs: {},
    segment: 0,
    from: "    first * pcIn === 0;\n",
    to: "",
    dropped: 1,
    tamper: (input) => ({ ...input, pcIn: "2" }),
    claims: (forged) => {
      expect(forged[at.first]).to.equal(1n);
      expect(forged[at.halted]).to.equal(1n);
      expect(forged[at.out]).to.equal(0n);
    },
  },
  {
    title:
      "segment 0 starting with memory that is not the inputs (cell 0 = 41 copied to y): `first * (memIn[j] - initial[j]) === 0`",
    program: ".output y 1\n LOAD 0\n STORE y\n STOP",
    inputs: {},
    segment: 0,
    from: "    for (var j = 0; j < M; j++) first * (memIn[j] - initial[j]) === 0;\n",
    to: "",
    dropped: BOUNDS.maxCells,
    tamper: (input) => ({ ...input, memIn: ["41", "0", "0", "0"] }),
    claims: (forged) => {
      expect(forged[at.first]).to.equal(1n);
      expect(forged[at.halted]).to.equal(1n);
      expect(forged[at.out]).to.equal(41n);
    },
  },
  {
    title:
      "a public input stated by a segment other than the first: `(1 - first) * publicIn[j] === 0`",
    program: ".public n 0\n.output y 1\n LOAD n\n STORE y\n STOP",
    inputs: { n: "3" },
    segment: 0,
    from: "    for (var j = 0; j < IN; j++) (1 - first) * publicIn[j] === 0;\n",
    to: "",
    dropped: BOUNDS.maxInputs,
    tamper: (input) => ({ ...input, first: "0", publicIn: ["4", "0"] }),
    claims: (forged) => {
      expect(forged[at.first]).to.equal(0n);
      expect(forged[at.publicIn]).to.equal(4n);
    },
  },
  {
    title:
      "outputs stated before halting (y = 5 from a segment that has not run STOP): `out[k] <== halted * values[k]`",
    program: TWO_SEGMENTS,
    inputs: {},
    segment: 0,
    from: "    for (var k = 0; k < OUT; k++) out[k] <== halted * values[k];\n",
    to: "    for (var k = 0; k < OUT; k++) out[k] <-- values[k];\n",
    dropped: BOUNDS.maxOutputs,
    tamper: (input) => input,
    claims: (forged) => {
      expect(forged[at.halted]).to.equal(0n);
      expect(forged[at.out]).to.equal(5n);
    },
  },
  {
    title:
      "halted without running STOP (segment 0 of a 7-step run claims the end, y = 5): `halted <== done[L]`",
    program: TWO_SEGMENTS,
    inputs: {},
    segment: 0,
    from: "    halted <== done[L];\n",
    to: "    halted <-- 1;\n",
    dropped: 1,
    tamper: (input) => input,
    claims: (forged) => {
      expect(forged[at.halted]).to.equal(1n);
      expect(forged[at.out]).to.equal(5n);
    },
  },
  {
    title:
      "a commitment opened to another state (segment 1 claims the real stateIn but starts with y = 6): `stateIn <== commitIn.out`",
    program: TWO_SEGMENTS,
    inputs: {},
    segment: 1,
    from: "    stateIn <== commitIn.out;\n",
    to: "    signal input claimedIn;\n    stateIn <-- claimedIn;\n",
    dropped: 1,
    tamper: (input) => ({ ...input, memIn: ["6", "0", "0", "0"] }),
    claims: (forged, honest) => {
      expect(forged[at.stateIn]).to.equal(honest[at.stateIn]);
      expect(forged[at.halted]).to.equal(1n);
      expect(forged[at.out]).to.equal(6n);
      expect(honest[at.out]).to.equal(5n);
    },
  },
];

let tmp: string;
const builds = new ForgerBuilds({ root: () => tmp, includePaths: defaultIncludePaths });
const build = (segment: string, optimize: "O0" | "O1", wasm = true) =>
  builds.build(
    segmentCircom(BOUNDS),
    optimize,
    { "segment.circom": segment, "universal.circom": UNIVERSAL },
    { wasm },
  );
const publicSignals = (values: readonly bigint[]) => values.slice(1, 1 + N_PUBLIC);

/**
 * The honest run's input for the attacked segment, and the state it starts
 * from: made once per attack (every call draws fresh salts).
 */
const runs = new Map<Attack, Promise<{ input: SegmentInput; state: BoundaryState }>>();
function attackRun(attack: Attack): Promise<{ input: SegmentInput; state: BoundaryState }> {
  let pending = runs.get(attack);
  if (pending === undefined) {
    pending = newRun(attack);
    runs.set(attack, pending);
  }
  return pending;
}

async function newRun(attack: Attack): Promise<{ input: SegmentInput; state: BoundaryState }> {
  const prepared = await prepareProgram(loadProgram(attack.program), BOUNDS);
  const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, attack.inputs, {
    maxSteps: 100,
    segments: (s) => segmentsFor(s, BOUNDS.steps),
  });
  const inputs = segmentInputs(prepared.canonical, prepared.program.io, BOUNDS, attack.inputs, run);
  return { input: inputs[attack.segment]!, state: run.states[attack.segment]! };
}

/**
 * The forger's input: the tampered honest one, with the honest stateIn (the
 * commitment to the segment's start state, computed here with circomlibjs)
 * where the forger asks for it.
 */
async function forgerInput(attack: Attack): Promise<SegmentInput> {
  const { input, state } = await attackRun(attack);
  let forged: SegmentInput = attack.tamper(input);
  if (attack.to.includes("claimedIn")) {
    const stateIn = await stateCommitment(BigInt(input.saltIn as string), state);
    forged = { ...forged, claimedIn: stateIn.toString() };
  }
  return forged;
}

/**
 * Every circuit the tests run, compiled together as one circom2 build
 * (test/helpers/forge.ts) instead of one each: each attack's forger, the
 * real segment circuit on each attack's honest input (its part is also the
 * count the forgers are compared with), and, for the test that one segment
 * of L = N states what a universal proof does, the monolithic universal
 * circuit and the segment circuit on that run. An attack whose edit no
 * longer applies is left out, and its own test reports it.
 */
let allVariants: Promise<KeyedBuild> | undefined;
function variants() {
  allVariants ??= (async () => {
    const list: Variant[] = [];
    const index = new Map<string, number>();
    const add = (key: string, variant: Variant) => {
      index.set(key, list.length);
      list.push(variant);
    };
    const segment = (template: string, input: SegmentInput): Variant => ({
      main: segmentCircom(BOUNDS),
      beside: { "segment.circom": template, "universal.circom": UNIVERSAL },
      input,
    });
    for (const attack of ATTACKS) {
      add(`honest ${attack.title}`, segment(SEGMENT, (await attackRun(attack)).input));
      let forged: string;
      try {
        forged = replaceOnce(SEGMENT, attack.from, attack.to);
      } catch {
        continue;
      }
      add(`forger ${attack.title}`, segment(forged, await forgerInput(attack)));
    }
    const k1 = await k1Inputs();
    add("k1 universal", {
      main: universalCircom(BOUNDS),
      beside: { "universal.circom": UNIVERSAL },
      input: k1.input,
    });
    add("k1 segment", segment(SEGMENT, k1.segment));
    return { together: await builds.together(list, "O0"), index };
  })();
  return allVariants;
}

/** Variant `key`'s part of the build compiled together, and the witness of them all. */
const part = (key: string) => keyedPart(variants(), key);

/**
 * The run of "one segment of L = N": within N = L = 4 steps, with a private
 * input as the output and a public one, so that the statement's parts differ.
 */
const K1_PROGRAM = ".private a 0\n.public n 1\n.output y 2\n LOAD a\n STORE y\n STOP";
const K1_INPUTS: Inputs = { a: "21", n: "5" };

/** The universal circuit's input and the one segment's, for K1_PROGRAM on K1_INPUTS. */
async function k1Inputs() {
  const prepared = await prepareProgram(loadProgram(K1_PROGRAM), BOUNDS);
  const input = universalInput(prepared.canonical, prepared.program.io, BOUNDS, K1_INPUTS);
  const run = segmentRun(prepared.program, prepared.canonical, BOUNDS, K1_INPUTS, {
    maxSteps: BOUNDS.steps,
    segments: () => 1,
  });
  const [segment] = segmentInputs(prepared.canonical, prepared.program.io, BOUNDS, K1_INPUTS, run);
  return { prepared, input, segment: segment! };
}

/** The real segment circuit (counted and checked against; its witnesses come from the build above). */
const target = () => build(SEGMENT, "O1", false);

async function runAttack(attack: Attack): Promise<void> {
  replaceOnce(SEGMENT, attack.from, attack.to); // the edit applies
  const [real, plain, forger] = await Promise.all([
    target(),
    part(`honest ${attack.title}`),
    part(`forger ${attack.title}`),
  ]);
  // 1. The honest segment is accepted (its witness carried by signal name from --O0).
  const honest = real.circuit.witnessFrom(plain.circuit.named(plain.values));
  expect(real.circuit.violated(honest)).to.deep.equal([]);
  // 2. The forger is the circuit minus the guard (both counted at --O0).
  expect(plain.circuit.constraintCount - forger.circuit.constraintCount).to.equal(attack.dropped);
  // 3. Without the guard the forged witness is accepted.
  expect(forger.circuit.violated(forger.values), "the forger's own R1CS").to.deep.equal([]);
  const forged = real.circuit.witnessFrom(forger.circuit.named(forger.values));
  // 4. It claims something false.
  attack.claims(publicSignals(forged), publicSignals(honest));
  // 5. The real circuit rejects it.
  expect(real.circuit.violated(forged), "the circuit must reject the forgery").to.not.be.empty;
}

describe("segment circuit soundness: forged witnesses", function () {
  this.timeout(1_800_000);
  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-segment-soundness-"));
    // Start both builds now; each test awaits what it needs.
    target().catch(() => undefined);
    variants().catch(() => undefined);
  });

  after(async function () {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  for (const attack of ATTACKS) it(attack.title, () => runAttack(attack));

  it("one segment of L = N states what a universal proof of N steps does (program hash, outputs, public inputs)", async function () {
    const { prepared } = await k1Inputs();
    const [real, universal, segment] = await Promise.all([
      target(),
      part("k1 universal"),
      part("k1 segment"),
    ]);
    expect(universal.circuit.violated(universal.values)).to.deep.equal([]);
    const statement = [
      "main.programHash",
      ...Array.from({ length: BOUNDS.maxOutputs }, (_, k) => `main.out[${k}]`),
      ...Array.from({ length: BOUNDS.maxInputs }, (_, j) => `main.publicIn[${j}]`),
    ].map((name) => universal.circuit.value(universal.values, name));
    expect(statement).to.deep.equal([prepared.hash, 21n, 0n, 5n, 0n]);
    // The segment's statement, on the real segment circuit.
    const honest = real.circuit.witnessFrom(segment.circuit.named(segment.values));
    expect(real.circuit.violated(honest)).to.deep.equal([]);
    const signals = publicSignals(honest);
    expect([signals[at.programHash], ...signals.slice(at.out, at.first)]).to.deep.equal(statement);
    expect(signals[at.halted]).to.equal(1n);
    expect(signals[at.first]).to.equal(1n);
  });
});
