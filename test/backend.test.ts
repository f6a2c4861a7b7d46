/**
 * The direct backend (src/direct) against circom2, the reference: on every
 * example and every bench program, the .r1cs and .sym it writes from the
 * compiler's nodes have circom2 --O2's constraint, wire and label counts and
 * the same .sym (every signal's name, wire and template), its witnesses
 * equal circom's witness generator's value for value, each backend's honest
 * witness satisfies the other's R1CS, and a witness with one wire changed is
 * rejected by both or by neither. Then a whole direct build: compile, setup,
 * prove, verify, and the build cache keyed on the backend.
 */
import { expect } from "chai";
import fc from "fast-check";
import { promises as fsp, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildCircuit, proveCircuit, setupCircuit, verifyCircuit } from "../src/build/index.js";
import { readManifest } from "../src/build/manifest.js";
import { compile, lowerings, type CompiledCircuit } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import {
  directArtifacts,
  directExpansion,
  directNamedValues,
  directWitness,
  WitnessError,
} from "../src/direct/index.js";
import { P } from "../src/field.js";
import type { Inputs } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { executeProgram } from "../src/machine.js";
import { readR1csWireLabels } from "../src/pipeline/index.js";
import type { ValidatedProgram } from "../src/validator.js";
import { validate } from "../src/validator.js";
import { isErrorCase, loadExamples } from "./helpers/examples.js";
import { witnessOutcome } from "./helpers/forge.js";
import { buildCircuit as buildCached } from "./helpers/witness.js";
import { loadCircuit, type Circuit, type R1cs } from "./helpers/r1cs.js";
import { soundnessCase } from "./helpers/soundness-fuzz.js";

const BENCH_PROGRAMS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "bench",
  "programs",
);
/** The bench programs' step bound here: small, so that circom2 is quick. */
const BENCH_STEPS = 24;

/** Non-zero coefficients of an R1CS (what its size grows with). */
function nonZeros(r: R1cs): number {
  return r.constraints.reduce((n, k) => n + k.a.length + k.b.length + k.c.length, 0);
}

interface Subject {
  readonly name: string;
  readonly program: ValidatedProgram;
  readonly steps: number;
  /** Comparison width (default 64). */
  readonly width?: number;
  readonly inputs: readonly Inputs[];
}

/** Inputs that halt within `steps`: the candidates the machine runs without a fault. */
function halting(
  program: ValidatedProgram,
  steps: number,
  candidates: Inputs[],
  width = 64,
): Inputs[] {
  return candidates.filter((inputs) => stepsOf(program, inputs, steps, width) !== undefined);
}

/** Steps of the run of `inputs`, undefined when it faults or runs past `steps`. */
function stepsOf(
  program: ValidatedProgram,
  inputs: Inputs,
  steps: number,
  width: number,
): number | undefined {
  try {
    return executeProgram(program, inputs, { steps, width }).steps;
  } catch {
    return undefined;
  }
}

/** Candidate input vectors for a program's inputs. */
function candidateInputs(program: ValidatedProgram): Inputs[] {
  const names = program.io.inputs.map((i) => i.name);
  const vector = (f: (i: number) => number): Inputs =>
    Object.fromEntries(names.map((n, i) => [n, f(i)]));
  return [
    vector(() => 0),
    vector(() => 1),
    vector((i) => 2 + i),
    vector((i) => 5 - i),
    vector((i) => (i * 7 + 3) % 6),
    vector((i) => 9 + 3 * i),
  ];
}

/** The soundness fuzzer's programs in the slice below (seeded: the same programs every run). */
const FUZZ_SEED = 18;
/** Programs of each family in the slice (each costs a circom2 build). */
const FUZZ_PER_FAMILY = 2;
/** Their step bound: the longest halting run of a candidate, at most this. */
const FUZZ_MAX_STEPS = 40;

/** A fuzz program's longest halting run within FUZZ_MAX_STEPS, and the first `count` candidate inputs that halt; none: undefined. */
function longestRun(
  program: ValidatedProgram,
  width: number,
  count: number,
): { steps: number; inputs: Inputs[] } | undefined {
  const runs = candidateInputs(program)
    .map((inputs) => ({ inputs, steps: stepsOf(program, inputs, FUZZ_MAX_STEPS, width) }))
    .filter((r) => r.steps !== undefined);
  if (runs.length === 0) return undefined;
  return {
    steps: Math.max(...runs.map((r) => r.steps!)),
    inputs: runs.slice(0, count).map((r) => r.inputs),
  };
}

/**
 * A seeded slice of the soundness fuzzer's programs (the first FUZZ_PER_FAMILY
 * of every family, random widths), each at the longest run of its candidate
 * inputs that halts within FUZZ_MAX_STEPS: the programs none of whose
 * candidates halt are passed over.
 */
function fuzzSubjects(): Subject[] {
  const out: Subject[] = [];
  const taken = new Map<string, number>();
  for (const [i, c] of fc.sample(soundnessCase(), { seed: FUZZ_SEED, numRuns: 200 }).entries()) {
    if ((taken.get(c.family) ?? 0) === FUZZ_PER_FAMILY) continue;
    const program = validate(loadProgram(c.source));
    const run = longestRun(program, c.width, 2);
    if (run === undefined) continue;
    taken.set(c.family, (taken.get(c.family) ?? 0) + 1);
    out.push({
      name: `fuzz/${c.family}-${i} (W = ${c.width})`,
      program,
      steps: run.steps,
      width: c.width,
      inputs: run.inputs,
    });
  }
  return out;
}

/**
 * Closed-form loops (src/compiler/closedform.ts): the first seeded programs of
 * the fuzzer's closed family that compile() lowers in closed form, one per
 * kind of test (an LT/GT test of a rising value, an EQ exit), so the trip
 * count's hint is computed by both backends.
 */
function closedSubjects(): Subject[] {
  const out = new Map<string, Subject>();
  const cases = fc.sample(soundnessCase(["closed"]), { seed: FUZZ_SEED, numRuns: 600 });
  for (const [i, c] of cases.entries()) {
    const program = validate(loadProgram(c.source));
    const run = longestRun(program, c.width, 3);
    if (run === undefined) continue;
    const lowered = lowerings(program, { steps: run.steps, width: c.width });
    if (lowered.chosen !== "closed") continue;
    const hint = lowered.closed!.find((n) => n.kind === "hint");
    const kind = hint?.kind === "hint" && hint.trip.test === "reach" ? "reach" : "compare";
    if (out.has(kind)) continue;
    out.set(kind, {
      name: `fuzz/closed-${i} (W = ${c.width}, ${kind})`,
      program,
      steps: run.steps,
      width: c.width,
      inputs: run.inputs,
    });
    if (out.size === 2) break;
  }
  return [...out.values()];
}

function subjects(): Subject[] {
  const examples = loadExamples().map((e) => ({
    name: `examples/${e.name}`,
    program: validate(loadProgram(e.source)),
    steps: e.steps,
    inputs: e.cases.filter((c) => !isErrorCase(c)).map((c) => c.inputs as Inputs),
  }));
  const bench = readdirSync(BENCH_PROGRAMS)
    .filter((f) => f.endsWith(".zkasm"))
    .sort()
    .map((file) => {
      const program = validate(loadProgram(readFileSync(path.join(BENCH_PROGRAMS, file), "utf8")));
      const candidates = candidateInputs(program);
      // The smallest of a few bounds at which some candidate halts.
      const steps = [BENCH_STEPS, 2 * BENCH_STEPS, 4 * BENCH_STEPS].find(
        (n) => halting(program, n, candidates).length > 0,
      )!;
      return {
        name: `bench/${file.replace(/\.zkasm$/, "")}`,
        program,
        steps,
        inputs: halting(program, steps, candidates).slice(0, 3),
      };
    });
  return [...examples, ...bench, ...fuzzSubjects(), ...closedSubjects()];
}

describe("direct backend", function () {
  this.timeout(600_000);
  let root = "";
  /**
   * circom2's build (--O2, with its witness generator) through the tests'
   * witness cache (test/helpers/witness.ts), which the differential,
   * evaluator and baseline tests share: the examples are built once.
   */
  async function circomBuild(compiled: CompiledCircuit) {
    const built = await buildCached(compiled);
    const r1csPath = path.join(built.dir, "main.r1cs");
    return {
      circuit: await loadCircuit(r1csPath, path.join(built.dir, "main.sym")),
      r1csPath,
      wasm: built.wasmPath,
    };
  }

  before(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-backend-"));
  });
  after(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  /** The direct backend's files for a compiled circuit, written under `root`, loaded. */
  async function directFiles(
    name: string,
    compiled: CompiledCircuit,
  ): Promise<{ circuit: Circuit; labels: Int32Array; sym: string; counts: number[] }> {
    const d = directArtifacts(compiled);
    const base = path.join(root, name.replace(/\//g, "-"));
    await fsp.writeFile(`${base}.r1cs`, Buffer.concat(d.r1cs.map((b) => Buffer.from(b))));
    await fsp.writeFile(`${base}.sym`, d.sym.join(""));
    return {
      circuit: await loadCircuit(`${base}.r1cs`, `${base}.sym`),
      labels: await readR1csWireLabels(`${base}.r1cs`),
      sym: d.sym.join(""),
      counts: [d.nConstraints, d.nWires, d.nLabels],
    };
  }

  /**
   * The two backends on one compiled program: counts, .sym, witnesses by
   * signal name, and forged runs (see the module comment).
   */
  async function compareBackends(s: Subject): Promise<void> {
    expect(s.inputs, "inputs that halt within N").to.not.be.empty;
    const compiled = compile(s.program, {
      steps: s.steps,
      keepNodes: true,
      ...(s.width !== undefined ? { width: s.width } : {}),
    });
    const [reference, direct] = await Promise.all([
      circomBuild(compiled),
      directFiles(s.name, compiled),
    ]);
    const r = reference.circuit.r1cs;
    const d = direct.circuit.r1cs;
    // Never larger than circom2: constraints, wires and non-zero coefficients.
    const [constraints, wires, labels] = direct.counts;
    expect(constraints, "constraints").to.be.at.most(r.constraints.length);
    expect(wires, "wires").to.be.at.most(r.nWires);
    expect(labels, "labels").to.equal(r.nLabels);
    expect(nonZeros(d), "non-zero coefficients").to.be.at.most(nonZeros(r));
    expect([d.nOutputs, d.nPublicInputs, d.nPrivateInputs]).to.deep.equal([
      r.nOutputs,
      r.nPublicInputs,
      r.nPrivateInputs,
    ]);
    // Every signal's label, template and name; the wire column may differ
    // where the backends eliminate different signals.
    const withoutWires = (sym: string) => sym.replace(/^(\d+),-?\d+,/gm, "$1,");
    const circomSym = readFileSync(reference.r1csPath.replace(/\.r1cs$/, ".sym"), "utf8");
    expect(withoutWires(direct.sym)).to.equal(withoutWires(circomSym));
    const { expand } = directExpansion(compiled);
    /** A full assignment (by label) as circom's wires. */
    const asCircomWires = (all: readonly bigint[]) => {
      const w = new Array<bigint>(r.nWires).fill(0n);
      w[0] = 1n;
      for (const sym of reference.circuit.symbols) if (sym.wire >= 0) w[sym.wire] = all[sym.label]!;
      return w;
    };
    for (const inputs of s.inputs) {
      const input = circuitInput(s.program.io, inputs);
      const fromCircom = await witnessOutcome(reference.wasm, input);
      expect(fromCircom, JSON.stringify(inputs)).to.be.an("array");
      const circomWitness = fromCircom as bigint[];
      const { values } = directWitness(compiled, input, direct.labels);
      const named = directNamedValues(
        compiled,
        Object.fromEntries(Object.entries(input).map(([k, v]) => [k, BigInt(v)])),
      );
      const all = new Array<bigint>(r.nLabels).fill(0n);
      all[0] = 1n;
      for (const sym of reference.circuit.symbols) all[sym.label] = named.get(sym.name)!;
      // The same value for every signal circom keeps a wire for, by name.
      expect(asCircomWires(all), `witness for ${JSON.stringify(inputs)}`).to.deep.equal(
        circomWitness,
      );
      expect(values).to.deep.equal(Array.from(direct.labels, (l) => all[l]!));
      expect(reference.circuit.violated(asCircomWires(all)), "the run in circom's R1CS").to.be
        .empty;
      expect(direct.circuit.violated(values), "the run in the direct R1CS").to.be.empty;
      // One direct wire changed at a time, its consequence on every signal
      // through the direct backend's eliminations: both R1CSs reject that
      // run, or both accept it.
      for (let w = 1; w < values.length; w++) {
        const forged = values.slice();
        forged[w] = (forged[w]! + 1n) % P;
        const byDirect = direct.circuit.violated(forged).length > 0;
        const byCircom = reference.circuit.violated(asCircomWires(expand(forged, all))).length > 0;
        expect(byDirect, `wire ${w} changed`).to.equal(byCircom);
      }
    }
  }

  for (const s of subjects()) {
    it(`${s.name} (N = ${s.steps}): no larger than circom2's R1CS, same signals and witnesses`, () =>
      compareBackends(s));
  }

  it("rejects what circom's witness generator rejects (an operand beyond the comparison width)", async () => {
    const source = `.private a 0\n.private b 1\n.output m 2\nLOAD a\nLOAD b\nLT\nSTORE m\nSTOP\n`;
    const program = validate(loadProgram(source));
    const compiled = compile(program, { steps: 8, keepNodes: true });
    const [reference, direct] = await Promise.all([
      circomBuild(compiled),
      directFiles("lt-width", compiled),
    ]);
    const input = { in_a: "3", in_b: (1n << 64n).toString() };
    expect(await witnessOutcome(reference.wasm, input)).to.equal("WITNESS_FAILED");
    expect(() => directWitness(compiled, input, direct.labels)).to.throw(WitnessError);
    expect(() => directWitness(compiled, { in_a: "3" }, direct.labels)).to.throw(WitnessError);
  });

  it("compile, setup, prove and verify a direct build; the cache is keyed on the backend", async () => {
    const source = readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "examples", "max.zkasm"),
      "utf8",
    );
    const program = loadProgram(source);
    const dir = path.join(root, "max-build");
    const first = await buildCircuit(program, dir, { steps: 8, name: "max" });
    expect(first.cached).to.equal(false);
    expect(first.manifest.backend).to.equal("direct");
    expect(first.manifest.files.wasm).to.equal(undefined);
    expect((await fsp.readdir(dir)).sort()).to.deep.equal([
      "manifest.json",
      "max.circom",
      "max.r1cs",
      "max.sym",
    ]);
    expect((await buildCircuit(program, dir, { steps: 8, name: "max" })).cached).to.equal(true);
    await setupCircuit(dir);
    const proof = await proveCircuit(dir, { a: 5n, b: 9n });
    expect(proof.publicSignals).to.deep.equal(["9"]);
    expect((await verifyCircuit(dir, proof.proof, proof.publicSignals)).valid).to.equal(true);
    expect(
      (await verifyCircuit(dir, proof.proof, ["8"])).valid,
      "a false output does not verify",
    ).to.equal(false);
    // The same program with the circom backend is another build: it would
    // replace the directory and so delete its key, which takes force.
    const refused = await buildCircuit(program, dir, {
      steps: 8,
      name: "max",
      backend: "circom",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused, "a compile with another backend keeps the key").to.have.property(
      "code",
      "BUILD_HAS_KEY",
    );
    expect((await fsp.readdir(dir)).some((f) => f.endsWith(".zkey"))).to.equal(true);
    const circom = await buildCircuit(program, dir, {
      steps: 8,
      name: "max",
      backend: "circom",
      force: true,
    });
    expect(circom.cached).to.equal(false);
    expect((await readManifest(dir)).backend).to.equal("circom");
    expect(circom.manifest.constraints).to.equal(first.manifest.constraints);
  });
});
