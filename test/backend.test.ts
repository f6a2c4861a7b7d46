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
import { promises as fsp, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildCircuit, proveCircuit, setupCircuit, verifyCircuit } from "../src/build/index.js";
import { readManifest } from "../src/build/manifest.js";
import { compile, type CompiledCircuit } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import { directArtifacts, directWitness, WitnessError } from "../src/direct/index.js";
import { P } from "../src/field.js";
import type { Inputs } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { executeProgram } from "../src/machine.js";
import { defaultIncludePaths, readR1csWireLabels, terminateCurves } from "../src/pipeline/index.js";
import type { ValidatedProgram } from "../src/validator.js";
import { validate } from "../src/validator.js";
import { isErrorCase, loadExamples } from "./helpers/examples.js";
import { ForgerBuilds, witnessOutcome } from "./helpers/forge.js";
import { loadCircuit, type Circuit } from "./helpers/r1cs.js";

const BENCH_PROGRAMS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "bench",
  "programs",
);
/** The bench programs' step bound here: small, so that circom2 is quick. */
const BENCH_STEPS = 24;

interface Subject {
  readonly name: string;
  readonly program: ValidatedProgram;
  readonly steps: number;
  readonly inputs: readonly Inputs[];
}

/** Inputs that halt within `steps`: the candidates the machine runs without a fault. */
function halting(program: ValidatedProgram, steps: number, candidates: Inputs[]): Inputs[] {
  return candidates.filter((inputs) => {
    try {
      executeProgram(program, inputs, { steps, width: 64 });
      return true;
    } catch {
      return false;
    }
  });
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
      const names = program.io.inputs.map((i) => i.name);
      const vector = (f: (i: number) => number): Inputs =>
        Object.fromEntries(names.map((n, i) => [n, f(i)]));
      const candidates = [
        vector(() => 0),
        vector(() => 1),
        vector((i) => 2 + i),
        vector((i) => 5 - i),
        vector((i) => (i * 7 + 3) % 6),
        vector((i) => 9 + 3 * i),
      ];
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
  return [...examples, ...bench];
}

describe("direct backend", function () {
  this.timeout(600_000);
  let root = "";
  const builds = new ForgerBuilds({ root: () => root, includePaths: defaultIncludePaths });

  before(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-backend-"));
  });
  after(async () => {
    await fsp.rm(root, { recursive: true, force: true });
    await terminateCurves();
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

  for (const s of subjects()) {
    it(`${s.name} (N = ${s.steps}): circom2's R1CS shape, .sym and witnesses`, async () => {
      expect(s.inputs, "inputs that halt within N").to.not.be.empty;
      const compiled = compile(s.program, { steps: s.steps, keepNodes: true });
      const [reference, direct] = await Promise.all([
        builds.build(compiled.circom, "O2"),
        directFiles(s.name, compiled),
      ]);
      const r = reference.circuit.r1cs;
      expect(direct.counts, "constraints, wires, labels").to.deep.equal([
        r.constraints.length,
        r.nWires,
        r.nLabels,
      ]);
      const d = direct.circuit.r1cs;
      expect([d.nOutputs, d.nPublicInputs, d.nPrivateInputs]).to.deep.equal([
        r.nOutputs,
        r.nPublicInputs,
        r.nPrivateInputs,
      ]);
      // Every signal's label, wire, template and name.
      expect(direct.sym).to.equal(
        readFileSync(reference.r1csPath.replace(/\.r1cs$/, ".sym"), "utf8"),
      );
      for (const inputs of s.inputs) {
        const input = circuitInput(s.program.io, inputs);
        const fromCircom = await witnessOutcome(reference.wasm, input);
        expect(fromCircom, JSON.stringify(inputs)).to.be.an("array");
        const circomWitness = fromCircom as bigint[];
        const { values } = directWitness(compiled, input, direct.labels);
        expect(values, `witness for ${JSON.stringify(inputs)}`).to.deep.equal(circomWitness);
        expect(reference.circuit.violated(values), "direct witness in circom's R1CS").to.be.empty;
        expect(direct.circuit.violated(circomWitness), "circom witness in the direct R1CS").to.be
          .empty;
        // One wire changed at a time: both R1CSs reject it, or both accept it.
        for (let w = 1; w < values.length; w++) {
          const forged = values.slice();
          forged[w] = (forged[w]! + 1n) % P;
          const byCircom = reference.circuit.violated(forged).length > 0;
          const byDirect = direct.circuit.violated(forged).length > 0;
          expect(byDirect, `wire ${w} changed`).to.equal(byCircom);
        }
      }
    });
  }

  it("rejects what circom's witness generator rejects (an operand beyond the comparison width)", async () => {
    const source = `.private a 0\n.private b 1\n.output m 2\nLOAD a\nLOAD b\nLT\nSTORE m\nSTOP\n`;
    const program = validate(loadProgram(source));
    const compiled = compile(program, { steps: 8, keepNodes: true });
    const [reference, direct] = await Promise.all([
      builds.build(compiled.circom, "O2"),
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
