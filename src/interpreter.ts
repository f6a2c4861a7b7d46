/**
 * The reference interpreter: SPEC's semantics, one step per instruction,
 * under a step bound. It is the oracle the circuit is tested against.
 */
import { RuntimeFault, ZkvmError } from "./errors.js";
import { mod } from "./field.js";
import { Op } from "./opcodes.js";
import type { ValidatedProgram } from "./validator.js";

export interface TraceStep {
  readonly step: number;
  readonly pc: number;
  readonly op: string;
  /** The stack before the instruction, bottom first. */
  readonly stack: readonly bigint[];
  /** The cell a STORE wrote, and its value. */
  readonly write?: { readonly cell: number; readonly value: bigint };
}

export interface RunOptions {
  /** Step bound N: the run faults unless it halts within N steps. */
  readonly steps: number;
  /** Comparison width W (SPEC: LT/GT operands must be below 2^W). */
  readonly width?: number;
  readonly trace?: boolean;
}

export interface RunResult {
  /** Final memory: every cell that is an input or was written. */
  readonly memory: ReadonlyMap<number, bigint>;
  readonly steps: number;
  readonly trace?: readonly TraceStep[];
}

/** The comparison width W when none is given; the one home of it (library, compiler, CLI). */
export const DEFAULT_WIDTH = 64;
/** SPEC: W is a compile option up to 252. The one home of the limit. */
export const MAX_WIDTH = 252;

/** Rejects a width outside 1..252, which would make every comparison fault or throw: BAD_WIDTH. */
export function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new ZkvmError(
      "usage",
      "BAD_WIDTH",
      `width ${width} is not an integer in 1..${MAX_WIDTH}`,
    );
  }
}

/** The source line of the instruction at pc, for a fault (assembly programs only). */
function lineOf(program: ValidatedProgram, pc: number): { line?: number } {
  const line = program.lines?.get(pc);
  return line === undefined ? {} : { line };
}

export function run(
  program: ValidatedProgram,
  initial: ReadonlyMap<number, bigint>,
  options: RunOptions,
): RunResult {
  checkWidth(options.width ?? DEFAULT_WIDTH);
  // A NaN or infinite bound would let a looping program run forever.
  if (!Number.isSafeInteger(options.steps) || options.steps < 1) {
    throw new ZkvmError(
      "usage",
      "BAD_OPTION",
      `step bound ${options.steps} is not a positive integer`,
    );
  }
  const limit = 1n << BigInt(options.width ?? DEFAULT_WIDTH);
  const memory = new Map(initial);
  const stack: bigint[] = [];
  const trace: TraceStep[] | undefined = options.trace ? [] : undefined;
  let pc = 0;
  for (let step = 0; ; step++) {
    if (step >= options.steps) {
      throw new RuntimeFault(
        "STEP_LIMIT_EXCEEDED",
        `the program did not halt within ${options.steps} steps`,
        { step, pc, ...lineOf(program, pc) },
      );
    }
    // Validation guarantees pc is an instruction start and the stack never underflows.
    const ins = program.instructionAt.get(pc)!;
    const entry = trace ? { step, pc, op: Op[ins.op], stack: [...stack] } : undefined;
    let write: TraceStep["write"];
    const pop = () => stack.pop()!;
    let next = pc + ins.size;
    switch (ins.op) {
      case Op.PUSH:
        stack.push(ins.arg!);
        break;
      case Op.ADD: {
        const b = pop();
        stack.push(mod(pop() + b));
        break;
      }
      case Op.MUL: {
        const b = pop();
        stack.push(mod(pop() * b));
        break;
      }
      case Op.STORE: {
        const cell = Number(ins.arg);
        const value = pop();
        memory.set(cell, value);
        write = { cell, value };
        break;
      }
      case Op.LOAD:
        stack.push(memory.get(Number(ins.arg)) ?? 0n);
        break;
      case Op.JUMP:
        next = Number(ins.arg);
        break;
      case Op.JUMPI:
        if (pop() !== 0n) next = Number(ins.arg);
        break;
      case Op.EQ: {
        const b = pop();
        stack.push(pop() === b ? 1n : 0n);
        break;
      }
      case Op.LT:
      case Op.GT: {
        const b = pop();
        const a = pop();
        if (a >= limit || b >= limit) {
          throw new RuntimeFault(
            "COMPARISON_OUT_OF_RANGE",
            `${Op[ins.op]} operand ${a >= limit ? a : b} is not below 2^${options.width ?? DEFAULT_WIDTH}`,
            { step, pc, ...lineOf(program, pc) },
          );
        }
        stack.push((ins.op === Op.LT ? a < b : a > b) ? 1n : 0n);
        break;
      }
      case Op.STOP:
        if (trace && entry) trace.push(entry);
        return { memory, steps: step + 1, ...(trace ? { trace } : {}) };
      default:
        return ins.op satisfies never;
    }
    if (trace && entry) trace.push(write ? { ...entry, write } : entry);
    pc = next;
  }
}
