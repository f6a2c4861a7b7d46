/**
 * The compiler's cost targets, checked against the hand-written baselines of
 * bench/baselines on the programs of bench/programs (not in examples/):
 * straight-line programs cost exactly what the baseline costs, loops at most
 * their `maxRatio` (3x unless the table says otherwise), at a small step
 * bound N; the compiler's estimate is the .r1cs count. Both circuits must also compute the same
 * outputs as the interpreter inside the domain (the inputs that halt within
 * N steps) and both must reject inputs outside it; otherwise the baseline
 * would not be a circuit for the same statement and the comparison would
 * mean nothing.
 */
import { expect } from "chai";
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  BASELINES,
  buildPair,
  circuitInputs,
  GROWTH_STEPS,
  iterationBound,
  type BuiltPair,
} from "../bench/baselines.js";
import { compile } from "../src/compiler/index.js";
import { RuntimeFault } from "../src/errors.js";
import { inputCells, type Inputs } from "../src/inputs.js";
import { run } from "../src/interpreter.js";
import { loadProgram } from "../src/load.js";
import {
  compileCircom,
  computeWitness,
  defaultIncludePaths,
  PipelineError,
  readR1csInfo,
  type CircuitInput,
} from "../src/pipeline/index.js";
import { loadExamples } from "./helpers/examples.js";
import { buildCircuit, circuitOutcome } from "./helpers/witness.js";

/** Steps of each loop as a function of its driver, from the comments of bench/programs. */
const STEP_FORMULAS: Record<string, (k: number) => number> = {
  sum_up: (n) => 7 + 13 * n,
  pow_up: (e) => 7 + 13 * e,
  factorial: (n) => 7 + 13 * n,
  fib: (n) => (n === 0 ? 7 : 7 + 14 * n),
  clipsq: (n) => 5 + 21 * n,
  pow_down: (e) => 9 + 13 * e,
  nested: (n) => 5 + 15 * n * (n + 1),
  eq_branch: (n) => 5 + 18 * n,
  gcd: (k) => 7 + 15 * k,
  branchy: (n) => 7 + 18 * n,
};

const example = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../examples/${name}`, import.meta.url)), "utf8");

function show(inputs: Inputs): string {
  return JSON.stringify(inputs, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** The public signals of a witness: the values right after index 0. */
async function publicSignals(wasmPath: string, input: CircuitInput, count: number) {
  const w = await computeWitness(wasmPath, input);
  return w.values.slice(1, 1 + count).map(String);
}

/** The zkvm circuit's public signals (direct backend), the witness checked against its R1CS. */
async function zkvmSignals(pair: BuiltPair, inputs: Inputs): Promise<string[]> {
  const outcome = await circuitOutcome(pair.compiled, pair.program.io, inputs, "direct");
  if (outcome.kind !== "halt") expect.fail(`the zkvm circuit has no witness: ${outcome.message}`);
  return outcome.publicSignals!.map(String);
}

async function expectRejected(wasmPath: string, input: CircuitInput, what: string) {
  try {
    await computeWitness(wasmPath, input);
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(PipelineError);
    expect((e as PipelineError).code).to.equal("WITNESS_FAILED");
    return;
  }
  expect.fail(`${what} accepted an input outside the domain: ${JSON.stringify(input)}`);
}

/** A function that runs jobs at most `limit` at a time. */
function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

describe("cost targets against hand-written baselines", function () {
  let dir: string;
  /** Each program's pair of circuits, compiled two programs at a time (each compile is a child process). */
  const pairs = new Map<string, Promise<BuiltPair>>();

  before(async function () {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-baselines-test-"));
    const limit = limiter(2);
    for (const entry of BASELINES) {
      // The zkvm side as `zkvm compile` writes it by default (the direct backend:
      // test/backend.test.ts holds circom2's R1CS equal in size); the baselines with circom2.
      const build = limit(() => buildPair(entry, entry.ciSteps, dir, { zkvm: "direct" }));
      // Awaited by the program's own tests, which report a failure.
      build.catch(() => undefined);
      pairs.set(entry.program, build);
    }
  });

  after(async function () {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  async function constraints(source: string, steps: number, name: string): Promise<number> {
    const compiled = compile(loadProgram(source), { steps });
    const file = path.join(dir, name, `${name}.circom`);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, compiled.circom);
    const r = await compileCircom({
      circomFile: file,
      outDir: path.dirname(file),
      includePaths: defaultIncludePaths(),
      expectedConstraints: compiled.estimatedConstraints,
    });
    return r.constraints;
  }

  it("compiles the seed example to 1 constraint (its constant public output)", async function () {
    expect(await constraints(example("seed.hex").trim(), 8, "seed")).to.equal(1);
  });

  it("compiles y = x^3 + x + 5 to 2 constraints", async function () {
    expect(await constraints(example("cubic.zkasm"), 16, "cubic")).to.equal(2);
  });

  it("estimates exactly the .r1cs constraint count (circom2 --O2) of every example", async function () {
    // Built through the witness cache: the differential tests build the same circuits.
    for (const ex of loadExamples()) {
      const compiled = compile(loadProgram(ex.source), { steps: ex.steps });
      const built = await buildCircuit(compiled);
      const info = await readR1csInfo(path.join(built.dir, "main.r1cs"));
      expect(compiled.estimatedConstraints, ex.name).to.equal(info.nConstraints);
    }
  });

  it("finds K(N), the largest driver input that halts within N, for each loop", function () {
    for (const entry of BASELINES.filter((b) => b.shape === "loop" && b.driver !== undefined)) {
      const steps = STEP_FORMULAS[entry.program];
      expect(steps, `a step formula for ${entry.program}`).to.not.equal(undefined);
      for (const n of [entry.ciSteps, ...GROWTH_STEPS]) {
        const k = iterationBound(entry, n);
        expect(steps!(k), `${entry.program} at N = ${n}, K = ${k}`).to.be.at.most(n);
        expect(steps!(k + 1), `${entry.program} at N = ${n}, K = ${k}`).to.be.above(n);
      }
    }
  });

  for (const entry of BASELINES) {
    describe(`${entry.program} (${entry.shape}) at N = ${entry.ciSteps}`, function () {
      let pair: BuiltPair;

      before(async function () {
        pair = await pairs.get(entry.program)!;
      });

      if (entry.shape === "straight-line") {
        it("costs exactly what the baseline costs", function () {
          expect(pair.zkvm.constraints).to.equal(pair.baseline.constraints);
        });
      } else {
        const maxRatio = entry.maxRatio ?? 3;
        it(`costs at most ${maxRatio}x the baseline`, function () {
          expect(
            pair.zkvm.constraints,
            `zkvm ${pair.zkvm.constraints}, baseline ${pair.baseline.constraints} (K = ${pair.k})`,
          ).to.be.at.most(maxRatio * pair.baseline.constraints);
        });
      }

      it("estimates exactly the zkvm circuit's .r1cs constraint count", function () {
        expect(pair.compiled.estimatedConstraints).to.equal(pair.zkvm.constraints);
      });

      it("has the zkvm circuit's public signals, in its order", function () {
        expect(pair.baseline.r1cs.nOutputs).to.equal(pair.zkvm.r1cs.nOutputs);
        expect(pair.baseline.r1cs.nPublicInputs).to.equal(pair.zkvm.r1cs.nPublicInputs);
      });

      it("agrees with the zkvm circuit and the interpreter inside the domain", async function () {
        const { program } = pair;
        const nPublic = pair.zkvm.r1cs.nPublic;
        for (const inputs of entry.inside(pair.k)) {
          const result = run(program, inputCells(program.io, inputs), { steps: pair.steps });
          const expected = program.io.outputs.map((o) => String(result.memory.get(o.cell) ?? 0n));
          const input = circuitInputs(entry, program, inputs);
          // Outputs, then public inputs: the baseline must match all of them.
          const zkvm = await zkvmSignals(pair, inputs);
          const baseline = await publicSignals(pair.baseline.wasmPath, input.baseline, nPublic);
          expect(zkvm.slice(0, expected.length), `zkvm on ${show(inputs)}`).to.deep.equal(expected);
          expect(baseline, `baseline on ${show(inputs)}`).to.deep.equal(zkvm);
        }
      });

      if (entry.outside(0).length > 0) {
        it("rejects inputs outside the domain in both circuits", async function () {
          const { program } = pair;
          for (const inputs of entry.outside(pair.k)) {
            expect(
              () => run(program, inputCells(program.io, inputs), { steps: pair.steps }),
              `the interpreter on ${show(inputs)}`,
            ).to.throw(RuntimeFault);
            const input = circuitInputs(entry, program, inputs);
            const zkvm = await circuitOutcome(pair.compiled, program.io, inputs, "direct");
            expect(zkvm.kind, `the zkvm circuit on ${show(inputs)}`).to.equal("fault");
            await expectRejected(pair.baseline.wasmPath, input.baseline, "the baseline");
          }
        });
      }
    });
  }
});
