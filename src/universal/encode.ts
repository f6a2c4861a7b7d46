/**
 * The canonical encoding of a validated program and its I/O declaration, as
 * the universal circuit takes it (SPEC "Universal circuits (v2)"), and the
 * bounds a universal circuit is compiled for.
 *
 * - Instructions are numbered 0, 1, ... in program order; each is a row
 *   (opcode byte, argument): PUSH's value, LOAD/STORE's renumbered cell,
 *   JUMP/JUMPI's target as an instruction index, 0 for the others.
 * - Cells are renumbered: the public inputs in declaration order, then the
 *   private inputs in declaration order, then every other cell the program or
 *   its outputs name, by ascending address. So the inputs are cells
 *   0..inputs-1 and the public ones come first.
 * - `cellAddresses[j]` is the original address of cell j and `outputCells` the
 *   renumbered cell of each output in declaration order; with the rows they
 *   give back the bytecode and the declaration exactly, so the hash binds both.
 * - `maxHeight` is validation's largest stack height.
 */
import { ZkvmError } from "../errors.js";
import { DEFAULT_WIDTH, MAX_WIDTH } from "../interpreter.js";
import { Op } from "../opcodes.js";
import type { ValidatedProgram } from "../validator.js";

export interface UniversalBounds {
  /** N: the circuit accepts executions that halt within N steps. */
  readonly steps: number;
  readonly maxInstructions: number;
  readonly maxCells: number;
  readonly maxStack: number;
  readonly maxInputs: number;
  readonly maxOutputs: number;
  /** W, the comparison width. */
  readonly width: number;
}

export const DEFAULT_BOUNDS: UniversalBounds = {
  steps: 256,
  maxInstructions: 64,
  maxCells: 16,
  maxStack: 16,
  maxInputs: 4,
  maxOutputs: 4,
  width: DEFAULT_WIDTH,
};

/** Bound names as the CLI spells them, for error messages. */
export const BOUND_OPTIONS: Record<keyof UniversalBounds, string> = {
  steps: "--steps",
  maxInstructions: "--max-instructions",
  maxCells: "--max-cells",
  maxStack: "--max-stack",
  maxInputs: "--max-inputs",
  maxOutputs: "--max-outputs",
  width: "--width",
};

export interface Row {
  readonly op: number;
  readonly arg: bigint;
}

export interface CanonicalProgram {
  readonly rows: readonly Row[];
  /** Original address of each renumbered cell. */
  readonly cellAddresses: readonly number[];
  readonly publicInputs: number;
  /** Inputs in all (cells 0..inputs-1, public first). */
  readonly inputs: number;
  /** Renumbered cell of each output, in declaration order. */
  readonly outputCells: readonly number[];
  readonly maxHeight: number;
  /** Renumbered cell of each original address. */
  readonly cellOf: ReadonlyMap<number, number>;
}

export function canonicalize(program: ValidatedProgram): CanonicalProgram {
  const { inputs, outputs } = program.io;
  const publicInputs = inputs.filter((i) => i.visibility === "public");
  const privateInputs = inputs.filter((i) => i.visibility === "private");
  const cellAddresses: number[] = [...publicInputs, ...privateInputs].map((i) => i.cell);
  const named = new Set(cellAddresses);
  const others = new Set<number>(outputs.map((o) => o.cell));
  for (const ins of program.instructions) {
    if (ins.op === Op.LOAD || ins.op === Op.STORE) others.add(Number(ins.arg));
  }
  for (const address of [...others].sort((a, b) => a - b)) {
    if (!named.has(address)) cellAddresses.push(address);
  }
  const cellOf = new Map(cellAddresses.map((address, j) => [address, j]));
  const indexAt = new Map(program.instructions.map((ins, i) => [ins.offset, i]));
  const rows = program.instructions.map((ins): Row => {
    switch (ins.op) {
      case Op.PUSH:
        return { op: ins.op, arg: ins.arg! };
      case Op.LOAD:
      case Op.STORE:
        return { op: ins.op, arg: BigInt(cellOf.get(Number(ins.arg))!) };
      case Op.JUMP:
      case Op.JUMPI:
        return { op: ins.op, arg: BigInt(indexAt.get(Number(ins.arg))!) };
      case Op.ADD:
      case Op.MUL:
      case Op.EQ:
      case Op.LT:
      case Op.GT:
      case Op.STOP:
        return { op: ins.op, arg: 0n };
      default:
        return ins.op satisfies never;
    }
  });
  return {
    rows,
    cellAddresses,
    publicInputs: publicInputs.length,
    inputs: inputs.length,
    outputCells: outputs.map((o) => cellOf.get(o.cell)!),
    maxHeight: program.maxHeight,
    cellOf,
  };
}

/** A program does not fit a universal circuit's bounds (code BOUND_EXCEEDED). */
export class BoundError extends ZkvmError {
  readonly bound: keyof UniversalBounds;
  constructor(bound: keyof UniversalBounds, message: string) {
    super("compile", "BOUND_EXCEEDED", message);
    this.name = "BoundError";
    this.bound = bound;
  }
}

/** Throws BOUND_EXCEEDED naming the first bound the program exceeds. */
export function checkBounds(canonical: CanonicalProgram, bounds: UniversalBounds): void {
  const over = (bound: keyof UniversalBounds, what: string, has: number): BoundError =>
    new BoundError(
      bound,
      `program has ${has} ${what}; this universal circuit allows ${bounds[bound]} (${BOUND_OPTIONS[bound]})`,
    );
  if (canonical.rows.length > bounds.maxInstructions) {
    throw over("maxInstructions", "instructions", canonical.rows.length);
  }
  if (canonical.cellAddresses.length > bounds.maxCells) {
    throw over("maxCells", "memory cells", canonical.cellAddresses.length);
  }
  if (canonical.maxHeight > bounds.maxStack) {
    throw over("maxStack", "stack values at its highest", canonical.maxHeight);
  }
  if (canonical.inputs > bounds.maxInputs) {
    throw over("maxInputs", "inputs", canonical.inputs);
  }
  if (canonical.outputCells.length > bounds.maxOutputs) {
    throw over("maxOutputs", "outputs", canonical.outputCells.length);
  }
}

/** Rejects bounds the circuit template cannot be instantiated with (usage error BAD_OPTION). */
export function checkBoundValues(bounds: UniversalBounds): void {
  const bad = (message: string) => new ZkvmError("usage", "BAD_OPTION", message);
  const minimum: Record<keyof UniversalBounds, number> = {
    steps: 1,
    maxInstructions: 2,
    maxCells: 1,
    maxStack: 2,
    maxInputs: 1,
    maxOutputs: 1,
    width: 1,
  };
  for (const key of Object.keys(minimum) as Array<keyof UniversalBounds>) {
    const v = bounds[key];
    if (!Number.isSafeInteger(v) || v < minimum[key]) {
      throw bad(`${BOUND_OPTIONS[key]} must be an integer of at least ${minimum[key]}, got ${v}`);
    }
  }
  if (bounds.width > MAX_WIDTH) throw bad(`--width must be at most ${MAX_WIDTH}`);
  if (bounds.maxInputs > bounds.maxCells) {
    throw bad(`--max-inputs (${bounds.maxInputs}) cannot exceed --max-cells (${bounds.maxCells})`);
  }
}
