/**
 * What the Node ZKVM (src/zkvm.ts) and the page's (src/browser/zkvm.ts)
 * share: loading and validating a program with its comparison width, and
 * running it on named inputs with the reference interpreter. No Node
 * imports, so the browser bundle can hold it.
 */
import { inputCells, type Inputs } from "./inputs.js";
import { checkWidth, DEFAULT_WIDTH, run, type TraceStep } from "./interpreter.js";
import { loadProgram, type ProgramSource } from "./load.js";
import type { Progress } from "./pipeline/progress.js";
import type { Groth16Proof } from "./proofshape.js";
import type { RawIoOptions } from "./program.js";
import { validate, type ValidatedProgram } from "./validator.js";

export interface MachineOptions {
  /** I/O cells of raw bytecode (ignored for assembly, which declares its own). */
  readonly io?: RawIoOptions;
  /** Comparison width W, 1..252 (default 64). */
  readonly width?: number;
}

export interface ExecuteOptions {
  /** Step bound (default 1,000,000). */
  readonly steps?: number;
  readonly trace?: boolean;
}

export interface Execution {
  /** Output values by name (raw bytecode: the cell address as a decimal string). */
  readonly outputs: Record<string, bigint>;
  readonly steps: number;
  readonly trace?: readonly TraceStep[];
}

/**
 * A proved execution, as every prover returns it (per-program, universal,
 * in the page): the proof, what it makes public, and the run behind it.
 */
export interface ProofResult {
  readonly proof: Groth16Proof;
  /** snarkjs's public.json, as decimal strings (each prover documents its order). */
  readonly publicSignals: string[];
  /** Output values by name, from the reference interpreter. */
  readonly outputs: Record<string, bigint>;
  /** Steps the execution took (not part of the proof). */
  readonly steps: number;
  readonly timings: { witnessMs: number; proveMs: number };
}

/** Proving with the program's own circuit for a step bound. */
export interface ProveOptions {
  /** Step bound N of the circuit: it proves executions that halt within N steps. */
  readonly steps: number;
  readonly onProgress?: Progress;
}

/** The circuit a ZKVM proof says it is for. */
export interface ProofCircuit {
  /** sha256 of the bytecode (hex). */
  readonly programHash: string;
  readonly steps: number;
  readonly width: number;
}

export const DEFAULT_RUN_STEPS = 1_000_000;

/** Whether `steps` is a usable step bound N: a positive safe integer. */
export function isStepBound(steps: unknown): steps is number {
  return typeof steps === "number" && Number.isSafeInteger(steps) && steps > 0;
}

/**
 * The circuit a proof from `generateProof` says it is for, with a usable
 * step bound; undefined when the value is no such proof (verification says
 * so rather than throwing on whatever a caller passes in).
 */
export function claimedCircuit<C extends { readonly steps: number }>(proof: {
  readonly circuit: C;
}): (Partial<C> & { readonly steps: number }) | undefined {
  const circuit: Partial<C> | undefined =
    typeof proof === "object" && proof !== null ? proof.circuit : undefined;
  if (typeof circuit !== "object" || circuit === null || !isStepBound(circuit.steps)) {
    return undefined;
  }
  return circuit as Partial<C> & { readonly steps: number };
}

/** Why verification rejects a value `claimedCircuit` finds no circuit in. */
export const NOT_A_PROOF = "not a proof from generateProof (no circuit with a step bound)";

/**
 * Runs a validated program on named inputs within `steps` steps; throws
 * InputError or RuntimeFault. Outputs are read by name from the final memory.
 */
export function executeProgram(
  program: ValidatedProgram,
  inputs: Inputs,
  options: { readonly steps: number; readonly width: number; readonly trace?: boolean },
): Execution {
  const result = run(program, inputCells(program.io, inputs), {
    steps: options.steps,
    width: options.width,
    trace: options.trace ?? false,
  });
  // fromEntries defines own properties, so an output named __proto__ is kept.
  const outputs: Record<string, bigint> = Object.fromEntries(
    program.io.outputs.map((out) => [out.name, result.memory.get(out.cell) ?? 0n]),
  );
  return {
    outputs,
    steps: result.steps,
    ...(result.trace ? { trace: result.trace } : {}),
  };
}

/** A validated program and its width: the part of a ZKVM that runs without proving. */
export class Machine {
  readonly program: ValidatedProgram;
  readonly width: number;

  /**
   * Validates the program; throws the ValidationError or AssemblyError, or
   * BAD_WIDTH for a width outside 1..252.
   */
  constructor(program: ProgramSource, options: MachineOptions = {}) {
    this.width = options.width ?? DEFAULT_WIDTH;
    checkWidth(this.width);
    this.program = validate(loadProgram(program, options.io));
  }

  /** Runs the program on named inputs; throws InputError or RuntimeFault. */
  execute(inputs: Inputs = {}, options: ExecuteOptions = {}): Execution {
    return executeProgram(this.program, inputs, {
      steps: options.steps ?? DEFAULT_RUN_STEPS,
      width: this.width,
      trace: options.trace ?? false,
    });
  }
}
