/**
 * The library's front door, as the original design has it:
 * `new ZKVM(program)` validates, `execute()` runs.
 */
import { inputCells, type Inputs } from "./inputs.js";
import { checkWidth, DEFAULT_WIDTH, run, type TraceStep } from "./interpreter.js";
import { loadProgram, type ProgramSource } from "./load.js";
import type { RawIoOptions } from "./program.js";
import { validate, type ValidatedProgram } from "./validator.js";

export interface ZKVMOptions {
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

export const DEFAULT_RUN_STEPS = 1_000_000;

export class ZKVM {
  readonly program: ValidatedProgram;
  readonly width: number;

  /**
   * Validates the program; throws the ValidationError or AssemblyError, or
   * BAD_OPTION for a width outside 1..252.
   */
  constructor(program: ProgramSource, options: ZKVMOptions = {}) {
    this.width = options.width ?? DEFAULT_WIDTH;
    checkWidth(this.width);
    this.program = validate(loadProgram(program, options.io));
  }

  /** Runs the program on named inputs; throws InputError or RuntimeFault. */
  execute(inputs: Inputs = {}, options: ExecuteOptions = {}): Execution {
    const result = run(this.program, inputCells(this.program.io, inputs), {
      steps: options.steps ?? DEFAULT_RUN_STEPS,
      width: this.width,
      trace: options.trace ?? false,
    });
    // fromEntries defines own properties, so an output named __proto__ is kept.
    const outputs: Record<string, bigint> = Object.fromEntries(
      this.program.io.outputs.map((out) => [out.name, result.memory.get(out.cell) ?? 0n]),
    );
    return {
      outputs,
      steps: result.steps,
      ...(result.trace ? { trace: result.trace } : {}),
    };
  }
}
