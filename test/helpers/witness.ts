/**
 * Runs a compiled circuit's witness generator, for differential tests of the
 * circuit against the interpreter (STYLE "Tests": reference interpreter and
 * circuit must agree).
 *
 *   buildCircuit(compiled): Promise<BuiltCircuit>
 *       circom2-compiles compiled.circom into a directory under os.tmpdir()
 *       keyed by the sha256 of the Circom text (and of the templates it
 *       includes), and reuses that build while it is complete (across
 *       processes: the .r1cs is placed last).
 *
 *   circuitWitness(compiled, io, inputs, backend?): Promise<CircuitWitness>
 *       the witness of the circuit for named inputs, from circom2's witness
 *       generator (backend "circom", the default) or from the direct backend
 *       (src/direct: the .r1cs and witness `zkvm compile` writes by default,
 *       no circom2 build; test/backend.test.ts holds the two equivalent) (mapped like the
 *       interpreter's: negatives mean p - v): the public signals, i.e. the
 *       witness values right after index 0 in compiled.publicSignals order,
 *       split into outputs and public inputs by name. Throws PipelineError
 *       WITNESS_FAILED when the circuit is unsatisfiable for the inputs.
 *
 *   interpreterOutcome / circuitOutcome / disagreement(interpreter, circuit)
 *       what each side makes of one input (halt with outputs, or fault), and
 *       why they disagree, if they do: a fault (COMPARISON_OUT_OF_RANGE,
 *       STEP_LIMIT_EXCEEDED) must be exactly an unsatisfiable circuit.
 *
 *   differentialCase(options) / checkCase(case)
 *       a random valid program (test/helpers/programs.ts) with a width and
 *       several inputs, checked at its own step bound and at a smaller one:
 *       the property of test/differential.test.ts and of `npm run fuzz`.
 *
 * The tests leave snarkjs's curve and the prover's workers running from one
 * file to the next in a mocha worker (a curve build is about half a second of
 * CPU): idle, their threads do not keep the process alive.
 */
import { createHash } from "node:crypto";
import { promises as fsp, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { compile, type CompiledCircuit } from "../../src/compiler/index.js";
import { circuitInput } from "../../src/compiler/input.js";
import { CompileError, RuntimeFault } from "../../src/errors.js";
import { P } from "../../src/field.js";
import { inputCells, type Inputs } from "../../src/inputs.js";
import { DEFAULT_WIDTH, run } from "../../src/interpreter.js";
import { loadProgram } from "../../src/load.js";
import {
  circomVersion,
  compileCircom,
  computeWitness,
  defaultIncludePaths,
  PipelineError,
  writeFileAtomic,
} from "../../src/pipeline/index.js";
import type { IoLayout } from "../../src/program.js";
import { validate, type ValidatedProgram } from "../../src/validator.js";
import { readR1cs, violatedConstraints, type R1cs } from "./r1cs.js";
import {
  directArtifacts,
  directExpansion,
  directWitness,
  WitnessError,
} from "../../src/direct/index.js";
import {
  fieldValue,
  validProgram,
  type GeneratedProgram,
  type GeneratorOptions,
} from "./programs.js";

export interface BuiltCircuit {
  /** sha256 of the toolchain fingerprint and the Circom text, hex: the cache key. */
  readonly key: string;
  readonly dir: string;
  readonly wasmPath: string;
  /** Whether this call ran circom2 (false: a cached build was reused). */
  readonly compiled: boolean;
}

export interface CircuitWitness {
  /** Public signals in snarkjs public.json order: outputs, then public inputs. */
  readonly publicSignals: readonly bigint[];
  /** Output values by name. */
  readonly outputs: Record<string, bigint>;
  /** Public input values by name, as the circuit echoes them. */
  readonly publicInputs: Record<string, bigint>;
  /** Every witness value (index 0 is the constant 1). */
  readonly values: readonly bigint[];
}

/** Where builds are cached; ZKVM_WITNESS_CACHE overrides it. */
export function witnessCacheDir(): string {
  return process.env.ZKVM_WITNESS_CACHE ?? path.join(os.tmpdir(), "zkvm-witness-cache");
}

const CIRCUIT = "main";
/** Builds started by this process, so concurrent callers share one circom2 run. */
const inProcess = new Map<string, Promise<BuiltCircuit>>();

async function exists(p: string): Promise<boolean> {
  return fsp.access(p).then(
    () => true,
    () => false,
  );
}

let toolchain: string | undefined;

/**
 * What a build depends on besides the generated text: the included templates
 * (zkvm.circom, circomlib) and the circom2 version. Part of the cache key, so
 * that editing a template never reuses a stale build.
 */
function toolchainFingerprint(): string {
  if (toolchain === undefined) {
    const hash = createHash("sha256").update(`circom2 ${circomVersion()}\n`);
    for (const dir of defaultIncludePaths()) {
      for (const name of readdirSync(dir)
        .filter((n) => n.endsWith(".circom"))
        .sort()) {
        hash.update(`${name}\n`).update(readFileSync(path.join(dir, name)));
      }
    }
    toolchain = hash.digest("hex");
  }
  return toolchain;
}

/** The circuit's witness generator, compiled once per distinct Circom text (and toolchain). */
export function buildCircuit(
  compiled: Pick<CompiledCircuit, "circom" | "estimatedConstraints">,
): Promise<BuiltCircuit> {
  const key = createHash("sha256")
    .update(toolchainFingerprint())
    .update(compiled.circom)
    .digest("hex");
  const pending = inProcess.get(key);
  if (pending !== undefined) return pending;
  const build = (async (): Promise<BuiltCircuit> => {
    const dir = path.join(witnessCacheDir(), key);
    const wasmPath = path.join(dir, `${CIRCUIT}_js`, `${CIRCUIT}.wasm`);
    // compileCircom moves the .r1cs in last, so its presence marks a complete build.
    if ((await exists(path.join(dir, `${CIRCUIT}.r1cs`))) && (await exists(wasmPath))) {
      return { key, dir, wasmPath, compiled: false };
    }
    // circom names its outputs after the file: main.circom in a directory of its own.
    const circomFile = path.join(witnessCacheDir(), `${key}.src`, `${CIRCUIT}.circom`);
    await fsp.mkdir(path.dirname(circomFile), { recursive: true });
    await writeFileAtomic(circomFile, compiled.circom);
    const result = await compileCircom({
      circomFile,
      outDir: dir,
      includePaths: defaultIncludePaths(),
      expectedConstraints: compiled.estimatedConstraints,
    });
    return { key, dir, wasmPath: result.wasmPath, compiled: true };
  })();
  inProcess.set(key, build);
  // A failed build is not cached: the next call tries again.
  build.catch(() => inProcess.delete(key));
  return build;
}

/** Where a circuit's witness comes from: circom2's generator or the direct backend (src/direct). */
export type WitnessBackend = "circom" | "direct";

const directByCircuit = new WeakMap<
  CompiledCircuit,
  Promise<{ r1cs: R1cs; labelOfWire: Int32Array }>
>();

/** The direct backend's R1CS of a compiled circuit (read back from its .r1cs bytes) and wire labels. */
function directCircuit(compiled: CompiledCircuit) {
  let pending = directByCircuit.get(compiled);
  if (pending === undefined) {
    pending = (async () => {
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-direct-"));
      try {
        const file = path.join(dir, "main.r1cs");
        await fsp.writeFile(file, Buffer.concat(directArtifacts(compiled).r1cs));
        return { r1cs: await readR1cs(file), labelOfWire: directExpansion(compiled).labelOfWire };
      } finally {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    })();
    directByCircuit.set(compiled, pending);
  }
  return pending;
}

const r1csByKey = new Map<string, Promise<R1cs>>();

/** The parsed .r1cs of a built circuit, read once per process. */
function circuitR1cs(built: BuiltCircuit): Promise<R1cs> {
  let r1cs = r1csByKey.get(built.key);
  if (r1cs === undefined) {
    r1cs = readR1cs(path.join(built.dir, `${CIRCUIT}.r1cs`));
    r1csByKey.set(built.key, r1cs);
  }
  return r1cs;
}

/**
 * The witness of `compiled` for named `inputs`, checked against the R1CS; its
 * public signals are the values right after index 0. Throws PipelineError
 * WITNESS_FAILED when no witness satisfies the circuit (and InputError for bad
 * inputs), and an Error when the generator's witness violates a constraint.
 */
export async function circuitWitness(
  compiled: CompiledCircuit,
  io: IoLayout,
  inputs: Inputs,
  backend: WitnessBackend = "circom",
): Promise<CircuitWitness> {
  const input = circuitInput(io, inputs);
  let values: readonly bigint[];
  let r1cs: R1cs;
  let where: string;
  if (backend === "circom") {
    const built = await buildCircuit(compiled);
    values = (await computeWitness(built.wasmPath, input)).values;
    r1cs = await circuitR1cs(built);
    where = `${built.dir}/${CIRCUIT}.r1cs`;
  } else {
    const direct = await directCircuit(compiled);
    try {
      values = directWitness(compiled, input, direct.labelOfWire).values;
    } catch (e) {
      if (e instanceof WitnessError) throw new PipelineError("WITNESS_FAILED", e.message);
      throw e;
    }
    r1cs = direct.r1cs;
    where = "the direct backend's R1CS";
  }
  // The witness generator checks only circom's asserts, not the constraints
  // (<== is not evaluated): an honest witness must satisfy the R1CS itself.
  const violated = violatedConstraints(r1cs, values);
  if (violated.length > 0) {
    throw new Error(
      `the honest witness violates constraint(s) ${violated.slice(0, 8).join(", ")} of ${where}`,
    );
  }
  const publicSignals = values.slice(1, 1 + compiled.publicSignals.length);
  const outputs: Record<string, bigint> = {};
  const publicInputs: Record<string, bigint> = {};
  compiled.publicSignals.forEach((s, i) => {
    // defineProperty keeps a signal named like an Object.prototype member (__proto__) as data.
    Object.defineProperty(s.kind === "output" ? outputs : publicInputs, s.name, {
      value: publicSignals[i]!,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return { publicSignals, outputs, publicInputs, values };
}

/**
 * Builds several circuits, `concurrency` circom2 processes at a time
 * (circom2 is single-threaded); one build's failure does not stop the others.
 */
export async function buildCircuitsSettled(
  circuits: ReadonlyArray<Pick<CompiledCircuit, "circom" | "estimatedConstraints">>,
  concurrency = os.availableParallelism(),
): Promise<Array<PromiseSettledResult<BuiltCircuit>>> {
  const results = new Array<PromiseSettledResult<BuiltCircuit>>(circuits.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < circuits.length) {
      const i = next++;
      results[i] = await buildCircuit(circuits[i]!).then(
        (value) => ({ status: "fulfilled", value }),
        (reason: unknown) => ({ status: "rejected", reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results;
}

/** Builds several circuits in parallel (buildCircuitsSettled); throws the first failure. */
export async function buildCircuits(
  circuits: ReadonlyArray<Pick<CompiledCircuit, "circom" | "estimatedConstraints">>,
  concurrency = os.availableParallelism(),
): Promise<BuiltCircuit[]> {
  const results = await buildCircuitsSettled(circuits, concurrency);
  return results.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
}

// ---- outcomes: what the interpreter and the circuit make of one input

/** A run that halts, with its public values, or a fault (no valid proof). */
export type Outcome =
  | {
      readonly kind: "halt";
      readonly outputs: Record<string, bigint>;
      readonly publicInputs: Record<string, bigint>;
      /** Instructions executed (interpreter only). */
      readonly steps?: number;
      /** The witness values right after index 0 (circuit only). */
      readonly publicSignals?: readonly bigint[];
    }
  | { readonly kind: "fault"; readonly code: string; readonly message: string };

/** Named values as a data object, even for names like __proto__. */
function record(entries: ReadonlyArray<readonly [string, bigint]>): Record<string, bigint> {
  return Object.fromEntries(entries);
}

/**
 * The interpreter's verdict at a step bound: outputs and public inputs, or
 * the RuntimeFault's code. Input errors are thrown, not outcomes.
 */
export function interpreterOutcome(
  program: ValidatedProgram,
  inputs: Inputs,
  options: { readonly steps: number; readonly width?: number },
): Outcome {
  const cells = inputCells(program.io, inputs);
  try {
    const result = run(program, cells, {
      steps: options.steps,
      width: options.width ?? DEFAULT_WIDTH,
    });
    return {
      kind: "halt",
      outputs: record(
        program.io.outputs.map((o) => [o.name, result.memory.get(o.cell) ?? 0n] as const),
      ),
      publicInputs: record(
        program.io.inputs
          .filter((i) => i.visibility === "public")
          .map((i) => [i.name, cells.get(i.cell)!] as const),
      ),
      steps: result.steps,
    };
  } catch (e) {
    if (e instanceof RuntimeFault) return { kind: "fault", code: e.code, message: e.message };
    throw e;
  }
}

/**
 * The circuit's verdict: the witness's outputs and public inputs, or a fault
 * WITNESS_FAILED when no witness satisfies it. Other errors are thrown.
 */
export async function circuitOutcome(
  compiled: CompiledCircuit,
  io: IoLayout,
  inputs: Inputs,
  backend: WitnessBackend = "circom",
): Promise<Outcome> {
  try {
    const w = await circuitWitness(compiled, io, inputs, backend);
    return {
      kind: "halt",
      outputs: w.outputs,
      publicInputs: w.publicInputs,
      publicSignals: w.publicSignals,
    };
  } catch (e) {
    if (e instanceof PipelineError && e.code === "WITNESS_FAILED") {
      return { kind: "fault", code: e.code, message: e.message };
    }
    throw e;
  }
}

function describeValues(values: Record<string, bigint>): string {
  const entries = Object.entries(values).map(([k, v]) => `${k}: ${v}`);
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

export function describeOutcome(o: Outcome): string {
  if (o.kind === "fault") return `fault ${o.code} (${o.message})`;
  const steps = o.steps !== undefined ? ` in ${o.steps} steps` : "";
  const pub =
    Object.keys(o.publicInputs).length > 0 ? ` public ${describeValues(o.publicInputs)}` : "";
  return `halt${steps}: outputs ${describeValues(o.outputs)}${pub}`;
}

function sameValues(a: Record<string, bigint>, b: Record<string, bigint>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k])
  );
}

/**
 * Why the two verdicts disagree, or undefined when they agree: a faulting
 * execution must have an unsatisfiable circuit, and a halting one a witness
 * with the interpreter's outputs, followed by the public inputs as given.
 */
export function disagreement(interpreter: Outcome, circuit: Outcome): string | undefined {
  if (interpreter.kind === "fault" && circuit.kind === "fault") return undefined;
  if (interpreter.kind === "fault") {
    return `the interpreter faults (${interpreter.code}) but the circuit has a witness (unsound)`;
  }
  if (circuit.kind === "fault") {
    return `the interpreter halts but the circuit has no witness (incomplete): ${circuit.message}`;
  }
  if (!sameValues(interpreter.outputs, circuit.outputs)) {
    return `outputs differ: interpreter ${describeValues(interpreter.outputs)}, circuit ${describeValues(circuit.outputs)}`;
  }
  if (!sameValues(interpreter.publicInputs, circuit.publicInputs)) {
    return `public inputs differ: given ${describeValues(interpreter.publicInputs)}, circuit ${describeValues(circuit.publicInputs)}`;
  }
  return undefined;
}

// ---- random programs, checked at their own bound and at a smaller one

const TWO_64 = 1n << 64n;

/**
 * An input value as a user writes it: a field element from the program
 * generator's distribution, a small negative (p - v), a value within 2 of 2^64,
 * or a 2^64-edge element written as its negative.
 */
export const inputValue: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 10, arbitrary: fieldValue },
  { weight: 1, arbitrary: fc.bigInt(-5n, -1n) },
  { weight: 1, arbitrary: fc.bigInt(TWO_64 - 2n, TWO_64 + 2n) },
  { weight: 1, arbitrary: fc.bigInt(TWO_64 - 2n, TWO_64 + 2n).map((v) => v - P) },
);

/** A value for every declared input. */
export function inputsFor(io: {
  readonly inputs: ReadonlyArray<{ readonly name: string }>;
}): fc.Arbitrary<Record<string, bigint>> {
  return fc.record(
    Object.fromEntries(io.inputs.map((i) => [i.name, inputValue])) as Record<
      string,
      fc.Arbitrary<bigint>
    >,
  );
}

export interface DifferentialCase {
  readonly program: GeneratedProgram;
  /** Comparison width W. */
  readonly width: number;
  readonly inputs: ReadonlyArray<Record<string, bigint>>;
  /** Picks the smaller step bound (see checkCase). */
  readonly cut: number;
}

export interface DifferentialCaseOptions extends GeneratorOptions {
  /** Inputs per program (default 4). */
  readonly inputsPerProgram?: number;
}

/** A random valid program, a width (usually 64) and several inputs. */
export function differentialCase(
  options: DifferentialCaseOptions = {},
): fc.Arbitrary<DifferentialCase> {
  const count = options.inputsPerProgram ?? 4;
  const width = fc.oneof(
    { weight: 6, arbitrary: fc.constant(DEFAULT_WIDTH) },
    { weight: 1, arbitrary: fc.constantFrom(1, 3, 252) },
  );
  return validProgram(options).chain((program) =>
    fc
      .record({
        width,
        inputs: fc.array(inputsFor(program.io), { minLength: count, maxLength: count }),
        cut: fc.nat(),
      })
      .map((rest) => ({ program, ...rest })),
  );
}

export interface Disagreement {
  readonly bound: number;
  readonly width: number;
  readonly inputs: Record<string, bigint>;
  readonly interpreter: Outcome;
  readonly circuit: Outcome;
  readonly reason: string;
}

export interface Check {
  readonly bound: number;
  /** Whether the bound is below the program's own (some inputs may run out of steps). */
  readonly smaller: boolean;
  /** "halt" or the interpreter's fault code. */
  readonly interpreter: string;
  /** Whether the witness generator found a witness, or the bound was rejected at compile time. */
  readonly circuit: "witness" | "no witness" | "bound rejected";
}

export interface CaseReport {
  /** The step bounds checked: the program's own, then a smaller one. */
  readonly bounds: readonly number[];
  /** Circuits compiled (a bound too small for any execution has none). */
  readonly circuits: number;
  /** Every input × bound pair compared, with both verdicts in brief. */
  readonly checks: readonly Check[];
  /** Bounds the compiler rejected as too small (STEP_BOUND_TOO_SMALL). */
  readonly rejected: number;
  readonly disagreements: readonly Disagreement[];
}

/**
 * A bound below the program's own, picked by `cut` among the step counts at
 * which sampled inputs halt (so that those halt exactly at the bound and
 * inputs that take longer exceed it) and one step fewer than the fastest
 * (so that none halts). Undefined when no such bound is below the program's.
 */
function smallerBound(c: DifferentialCase, atFullBound: readonly Outcome[]): number | undefined {
  const counts = [
    ...new Set(atFullBound.flatMap((o) => (o.kind === "halt" && o.steps ? [o.steps] : []))),
  ].sort((a, b) => a - b);
  const options = counts.filter((n) => n < c.program.stepBound);
  if (counts.length > 0 && counts[0]! > 1) options.push(counts[0]! - 1);
  return options.length > 0 ? options[c.cut % options.length] : undefined;
}

/** The step bounds a case is checked at, each with its circuit or the compiler's refusal. */
export interface CasePlan {
  readonly program: ValidatedProgram;
  /** Each bound with its circuit and the interpreter's verdict on each input. */
  readonly bounds: ReadonlyArray<{
    readonly bound: number;
    readonly compiled?: CompiledCircuit;
    /** STEP_BOUND_TOO_SMALL's message when the compiler rejected the bound. */
    readonly rejected?: string;
    readonly interpreter: readonly Outcome[];
  }>;
  /** The circuits to build. */
  readonly circuits: readonly CompiledCircuit[];
}

/**
 * Runs the interpreter and the compiler for a case, without circom2: the
 * program's own step bound and a smaller one (see smallerBound). Callers may
 * build `circuits` ahead of checkCase, e.g. several cases in parallel.
 */
export function planCase(c: DifferentialCase): CasePlan {
  const program = validate(loadProgram(c.program.source));
  const interpret = (bound: number) =>
    c.inputs.map((inputs) => interpreterOutcome(program, inputs, { steps: bound, width: c.width }));
  const full = c.program.stepBound;
  const atFull = interpret(full);
  const smaller = smallerBound(c, atFull);
  const bounds = (smaller === undefined ? [full] : [full, smaller]).map((bound) => {
    const interpreter = bound === full ? atFull : interpret(bound);
    try {
      // keepNodes: the direct backend (checkCase's "direct") writes from the compiler's nodes.
      const compiled = compile(program, { steps: bound, width: c.width, keepNodes: true });
      return { bound, compiled, interpreter };
    } catch (e) {
      if (e instanceof CompileError && e.code === "STEP_BOUND_TOO_SMALL") {
        return { bound, rejected: e.message, interpreter };
      }
      throw e;
    }
  });
  const circuits = bounds.flatMap((b) => (b.compiled !== undefined ? [b.compiled] : []));
  return { program, bounds, circuits };
}

/**
 * Checks a case: at the program's step bound and at a smaller one, each input
 * halts in the interpreter with the witness's outputs, or faults exactly when
 * the circuit has no witness. A bound the compiler rejects as too small
 * (STEP_BOUND_TOO_SMALL) stands for a circuit no input satisfies.
 */
export async function checkCase(
  c: DifferentialCase,
  plan: CasePlan = planCase(c),
  backend: WitnessBackend = "circom",
): Promise<CaseReport> {
  const { program, circuits } = plan;
  const full = c.program.stepBound;
  if (backend === "circom") await buildCircuits(circuits);
  const disagreements: Disagreement[] = [];
  const checks: Check[] = [];
  for (const at of plan.bounds) {
    for (const [i, inputs] of c.inputs.entries()) {
      const interpreter = at.interpreter[i]!;
      const circuit: Outcome =
        at.compiled === undefined
          ? { kind: "fault", code: "STEP_BOUND_TOO_SMALL", message: at.rejected ?? "" }
          : await circuitOutcome(at.compiled, program.io, inputs, backend);
      checks.push({
        bound: at.bound,
        smaller: at.bound < full,
        interpreter: interpreter.kind === "halt" ? "halt" : interpreter.code,
        circuit:
          at.compiled === undefined
            ? "bound rejected"
            : circuit.kind === "halt"
              ? "witness"
              : "no witness",
      });
      const reason = disagreement(interpreter, circuit);
      if (reason !== undefined) {
        disagreements.push({
          bound: at.bound,
          width: c.width,
          inputs,
          interpreter,
          circuit,
          reason,
        });
      }
    }
  }
  const rejected = plan.bounds.length - circuits.length;
  return {
    bounds: plan.bounds.map((b) => b.bound),
    circuits: circuits.length,
    checks,
    rejected,
    disagreements,
  };
}

/** A disagreement as text: bound, width, inputs, both verdicts and the reason. */
export function describeDisagreement(d: Disagreement): string {
  return [
    `N = ${d.bound}, W = ${d.width}, inputs ${describeValues(d.inputs)}`,
    `  interpreter: ${describeOutcome(d.interpreter)}`,
    `  circuit:     ${describeOutcome(d.circuit)}`,
    `  ${d.reason}`,
  ].join("\n");
}
