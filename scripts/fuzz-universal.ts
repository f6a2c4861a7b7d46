/**
 * `npm run fuzz -- --universal`: the universal circuit's witness generator
 * against the interpreter (issue 17, Deliver 4). One small universal circuit
 * (FUZZ_BOUNDS: 10 steps, 7 instructions, 4 cells, W = 8) is compiled with
 * circom2 into a temporary directory; random programs within its bounds
 * (tiny instruction sequences, loops and jumps included, plus the differential
 * generator's programs that fit) run on inputs at the width's edges. For
 * every program and input:
 *   - the interpreter faults (COMPARISON_OUT_OF_RANGE, STEP_LIMIT_EXCEEDED)
 *     exactly when the witness generator finds no witness;
 *   - otherwise the output slots hold the interpreter's outputs, the public
 *     input slots the public inputs, every unused slot 0, and slot 0 the
 *     program hash computed in TypeScript (circomlibjs Poseidon) from the
 *     program and its I/O declaration.
 * A disagreement prints the program, the input and both verdicts, exit 1.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { RuntimeFault, ZkvmError } from "../src/errors.js";
import { P } from "../src/field.js";
import { inputCells } from "../src/inputs.js";
import { run } from "../src/interpreter.js";
import { loadProgram } from "../src/load.js";
import {
  compileCircom,
  computeWitness,
  defaultIncludePaths,
  PipelineError,
} from "../src/pipeline/index.js";
import type { Program } from "../src/program.js";
import {
  prepareProgram,
  universalCircom,
  universalInput,
  type UniversalBounds,
} from "../src/universal/index.js";
import { validProgram } from "../test/helpers/programs.js";
import { inputValues } from "../test/helpers/soundness-fuzz.js";

export const FUZZ_BOUNDS: UniversalBounds = {
  steps: 10,
  maxInstructions: 7,
  maxCells: 4,
  maxStack: 4,
  maxInputs: 2,
  maxOutputs: 2,
  width: 8,
};

export const UNIVERSAL_HELP = `Usage: npm run fuzz -- --universal [options]

Differential fuzzing of the universal circuit: one small universal circuit
(N = 10 steps, 7 instructions, 4 cells, stack 4, 2 inputs, 2 outputs, W = 8)
is compiled with circom2 into a temporary directory, and its witness generator
runs random programs within those bounds on edge inputs (0..9, 2^8 +- k,
p - 1, p - 2^8). It must fault exactly when the interpreter does, and
otherwise give the interpreter's outputs, the public inputs, zero in unused
slots and the program hash.

Options:
  --count K        programs to check (default 200)
  --seconds S      run for S seconds instead
  --seed X         seed (default: random, printed)
  --inputs M       inputs per program (default 4)
  --json           print the summary as one JSON object on stdout
  -h, --help       show this help

Exit status: 0 when every run agrees, 1 on a disagreement or an unexpected
error, 2 on bad options.`;

type Instruction = { op: string; arg?: string };

/** A tiny instruction sequence with labels at every instruction (jumps may go anywhere). */
const tinyProgram: fc.Arbitrary<string> = fc
  .integer({ min: 2, max: FUZZ_BOUNDS.maxInstructions })
  .chain((length) =>
    fc.record({
      code: fc.array(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc
              .constantFrom(0n, 1n, 2n, 3n, 255n, 256n, P - 1n)
              .map((v): Instruction => ({ op: "PUSH", arg: `${v}` })),
          },
          { weight: 3, arbitrary: fc.constantFrom<Instruction>({ op: "ADD" }, { op: "MUL" }) },
          {
            weight: 3,
            arbitrary: fc.constantFrom<Instruction>({ op: "EQ" }, { op: "LT" }, { op: "GT" }),
          },
          {
            weight: 4,
            arbitrary: fc
              .record({ op: fc.constantFrom("LOAD", "STORE"), cell: fc.nat(3) })
              .map(({ op, cell }): Instruction => ({ op, arg: `${cell}` })),
          },
          {
            weight: 3,
            arbitrary: fc
              .record({ op: fc.constantFrom("JUMP", "JUMPI"), to: fc.nat(length - 1) })
              .map(({ op, to }): Instruction => ({ op, arg: `i${to}` })),
          },
          { weight: 2, arbitrary: fc.constant<Instruction>({ op: "STOP" }) },
        ),
        { minLength: length, maxLength: length },
      ),
      inputs: fc.uniqueArray(fc.nat(3), { maxLength: 2 }),
      visibility: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      outputs: fc.uniqueArray(fc.nat(3), { minLength: 1, maxLength: 2 }),
    }),
  )
  .map(({ code, inputs, visibility, outputs }) =>
    [
      ...inputs.map((cell, i) => `.${visibility[i] ? "public" : "private"} x${i} ${cell}`),
      ...outputs.map((cell, i) => `.output y${i} ${cell}`),
      ...code.map((ins, i) => `i${i}: ${ins.op}${ins.arg !== undefined ? ` ${ins.arg}` : ""}`),
      "",
    ].join("\n"),
  );

const anyProgram = fc.oneof(
  { weight: 4, arbitrary: tinyProgram },
  { weight: 1, arbitrary: validProgram({ maxDepth: 1, maxStatements: 2 }).map((p) => p.source) },
);

type Verdict = { halt: true; outputs: bigint[]; publics: bigint[] } | { halt: false; code: string };

const show = (v: bigint) => (v > P / 2n ? `p - ${P - v}` : `${v}`);

function describe(v: Verdict): string {
  if (!v.halt) return `fault ${v.code}`;
  return `halt: outputs [${v.outputs.map(show).join(", ")}], public inputs [${v.publics.map(show).join(", ")}]`;
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

export async function universalMain(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        count: { type: "string" },
        seconds: { type: "string" },
        seed: { type: "string" },
        inputs: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
    for (const [name, min] of [
      ["count", 1],
      ["seconds", 1],
      ["seed", -(2 ** 31)],
      ["inputs", 1],
    ] as const) {
      const text = values[name];
      if (text !== undefined && (!/^-?\d+$/.test(text) || Number(text) < min)) {
        throw new Error(`--${name} must be an integer >= ${min}, got '${text}'`);
      }
    }
    if (values.count !== undefined && values.seconds !== undefined) {
      throw new Error("give --count or --seconds, not both");
    }
  } catch (e) {
    console.error(
      `fuzz: ${(e as Error).message} (npm run fuzz -- --universal --help lists the options)`,
    );
    return 2;
  }
  if (values.help) {
    console.log(UNIVERSAL_HELP);
    return 0;
  }
  const count = values.seconds !== undefined ? Infinity : Number(values.count ?? 200);
  const deadline =
    values.seconds !== undefined ? performance.now() + Number(values.seconds) * 1000 : Infinity;
  const seed =
    values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const perProgram = Number(values.inputs ?? 4);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const start = performance.now();
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-fuzz-universal-"));
  try {
    progress(
      `fuzz --universal: compiling the universal circuit for ${stringify(FUZZ_BOUNDS).replace(/\s+/g, " ")}`,
    );
    const circomFile = path.join(tmp, "main.circom");
    await fsp.writeFile(circomFile, universalCircom(FUZZ_BOUNDS));
    const built = await compileCircom({
      circomFile,
      outDir: path.join(tmp, "build"),
      includePaths: defaultIncludePaths(),
      optimize: "O2",
    });
    progress(`  compiled (${((performance.now() - start) / 1000).toFixed(0)} s); seed ${seed}`);
    const totals = { programs: 0, rejected: 0, checks: 0, halts: 0, faults: 0 };
    const values8 = inputValues(FUZZ_BOUNDS.width);
    let failure: Record<string, unknown> | undefined;
    let lastProgress = performance.now();
    for (
      let batch = 0;
      totals.programs < count && performance.now() < deadline && !failure;
      batch++
    ) {
      const sources = fc.sample(anyProgram, { seed: seed + batch, numRuns: 50 });
      const rng = fc.sample(fc.nat(1_000_000), {
        seed: seed + batch,
        numRuns: 50 * perProgram * 4,
      });
      let r = 0;
      for (const source of sources) {
        if (totals.programs >= count || performance.now() >= deadline || failure) break;
        let program: Program;
        let prepared;
        try {
          program = loadProgram(source);
          prepared = await prepareProgram(program, FUZZ_BOUNDS);
        } catch (e) {
          // Invalid programs, and valid ones over a bound, are not what this fuzzes.
          if (e instanceof ZkvmError) {
            totals.rejected++;
            continue;
          }
          throw e;
        }
        totals.programs++;
        const io = prepared.program.io;
        const publics = io.inputs.filter((i) => i.visibility === "public");
        for (let k = 0; k < perProgram; k++) {
          const inputs: Record<string, bigint> = {};
          for (const i of io.inputs)
            inputs[i.name] = values8[rng[r++ % rng.length]! % values8.length]!;
          let truth: Verdict;
          const cells = inputCells(io, inputs);
          try {
            const result = run(prepared.program, cells, {
              steps: FUZZ_BOUNDS.steps,
              width: FUZZ_BOUNDS.width,
            });
            truth = {
              halt: true,
              outputs: io.outputs.map((o) => result.memory.get(o.cell) ?? 0n),
              publics: publics.map((i) => cells.get(i.cell)!),
            };
          } catch (e) {
            if (!(e instanceof RuntimeFault)) throw e;
            truth = { halt: false, code: e.code };
          }
          const input = universalInput(prepared.canonical, io, FUZZ_BOUNDS, inputs);
          let circuit: Verdict;
          const problems: string[] = [];
          try {
            const { values: w } = await computeWitness(built.wasmPath, input);
            const { maxOutputs, maxInputs } = FUZZ_BOUNDS;
            const slots = w.slice(1, 2 + maxOutputs + maxInputs);
            if (slots[0] !== prepared.hash) {
              problems.push(`slot 0 is ${slots[0]}, not the program hash ${prepared.hash}`);
            }
            for (let j = io.outputs.length; j < maxOutputs; j++) {
              if (slots[1 + j] !== 0n) problems.push(`unused output slot ${j} is ${slots[1 + j]}`);
            }
            for (let j = publics.length; j < maxInputs; j++) {
              const v = slots[1 + maxOutputs + j];
              if (v !== 0n) problems.push(`unused public input slot ${j} is ${v}`);
            }
            circuit = {
              halt: true,
              outputs: io.outputs.map((_, j) => slots[1 + j]!),
              publics: publics.map((_, j) => slots[1 + maxOutputs + j]!),
            };
          } catch (e) {
            if (!(e instanceof PipelineError && e.code === "WITNESS_FAILED")) throw e;
            circuit = { halt: false, code: "WITNESS_FAILED" };
          }
          totals.checks++;
          if (truth.halt) totals.halts++;
          else totals.faults++;
          const agree =
            problems.length === 0 &&
            truth.halt === circuit.halt &&
            (!truth.halt || describe(truth) === describe(circuit));
          if (!agree) {
            failure = {
              source,
              inputs,
              interpreter: describe(truth),
              circuit: describe(circuit),
              problems,
            };
            break;
          }
        }
        if (performance.now() - lastProgress > 5000) {
          lastProgress = performance.now();
          progress(
            `  ${totals.programs} programs, ${totals.checks} checks, 0 disagreements (${((performance.now() - start) / 1000).toFixed(0)} s)`,
          );
        }
      }
    }
    const elapsed = (performance.now() - start) / 1000;
    if (values.json) {
      console.log(
        stringify({
          ok: failure === undefined,
          seed,
          bounds: FUZZ_BOUNDS,
          ...totals,
          elapsedSeconds: Number(elapsed.toFixed(1)),
          ...(failure !== undefined ? { failure } : {}),
        }),
      );
    } else {
      if (failure !== undefined) {
        const f = failure as { source: string; inputs: Record<string, bigint> };
        console.log(
          `\nUNIVERSAL DISAGREEMENT (bounds ${stringify(FUZZ_BOUNDS).replace(/\s+/g, " ")})`,
        );
        console.log(`program:\n${f.source}`);
        console.log(`inputs: ${stringify(f.inputs).replace(/\s+/g, " ")}`);
        console.log(`interpreter: ${String(failure.interpreter)}`);
        console.log(`circuit:     ${String(failure.circuit)}`);
        for (const p of failure.problems as string[]) console.log(`  ${p}`);
        console.log("");
      }
      console.log(
        `fuzz --universal: ${totals.programs} programs (${totals.rejected} generated programs invalid or over a bound, skipped), ${totals.checks} checks (${totals.halts} halt, ${totals.faults} fault), ${failure === undefined ? 0 : 1} disagreement${failure === undefined ? "s" : ""}, seed ${seed}, ${elapsed.toFixed(1)} s`,
      );
    }
    return failure === undefined ? 0 : 1;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
