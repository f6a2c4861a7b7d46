/**
 * Static validation (SPEC "Static validation") and the facts the compiler
 * builds on: instruction boundaries, the stack height before every reachable
 * instruction, basic blocks with their control-flow graph, and the memory
 * cells read and written.
 */
import { decode, type Instruction } from "./bytecode.js";
import { ValidationError } from "./errors.js";
import { MAX_STACK, Op, opcodeInfo } from "./opcodes.js";
import { locate, type IoLayout, type Program } from "./program.js";

export interface BasicBlock {
  readonly id: number;
  /** Offset of the first instruction. */
  readonly start: number;
  readonly instructions: readonly Instruction[];
  /** Stack height on entry. */
  readonly heightIn: number;
  /** Stack height after the last instruction (JUMPI's pop included): the successors' heightIn. */
  readonly heightOut: number;
  /** Ids of the blocks control can go to next; empty when the block ends in STOP. */
  readonly successors: readonly number[];
}

export interface ValidatedProgram extends Program {
  readonly instructions: readonly Instruction[];
  readonly instructionAt: ReadonlyMap<number, Instruction>;
  /** Stack height before each reachable instruction (SPEC: a constant per instruction). */
  readonly heightBefore: ReadonlyMap<number, number>;
  readonly maxHeight: number;
  readonly blocks: readonly BasicBlock[];
  /** Block id of each block's start offset. */
  readonly blockAt: ReadonlyMap<number, number>;
  /** Cells read by reachable LOADs, ascending. */
  readonly cellsRead: readonly number[];
  /** Cells written by reachable STOREs, ascending. */
  readonly cellsWritten: readonly number[];
}

function successorsOf(ins: Instruction): number[] {
  const next = ins.offset + ins.size;
  switch (ins.op) {
    case Op.STOP:
      return [];
    case Op.JUMP:
      return [Number(ins.arg)];
    case Op.JUMPI:
      return [Number(ins.arg), next];
    case Op.PUSH:
    case Op.ADD:
    case Op.MUL:
    case Op.STORE:
    case Op.LOAD:
    case Op.EQ:
    case Op.LT:
    case Op.GT:
      return [next];
    default:
      return ins.op satisfies never;
  }
}

/**
 * Names are unique among the inputs and among the outputs. An input and an
 * output may share a name only when they are the same cell: raw bytecode names
 * cells by address, and `--private 0 --output 0` is a legitimate layout.
 */
function checkIo(io: IoLayout): void {
  const duplicate = (name: string) =>
    new ValidationError("DUPLICATE_NAME", `I/O name '${name}' is declared twice`);
  const inputCellOf = new Map<string, number>();
  for (const input of io.inputs) {
    if (inputCellOf.has(input.name)) throw duplicate(input.name);
    inputCellOf.set(input.name, input.cell);
  }
  const outputNames = new Set<string>();
  for (const output of io.outputs) {
    const inputCell = inputCellOf.get(output.name);
    if (outputNames.has(output.name) || (inputCell !== undefined && inputCell !== output.cell)) {
      throw duplicate(output.name);
    }
    outputNames.add(output.name);
  }
  const inputCells = new Map<number, string>();
  for (const decl of [...io.inputs, ...io.outputs]) {
    if (!Number.isInteger(decl.cell) || decl.cell < 0 || decl.cell >= 2 ** 32) {
      throw new ValidationError(
        "ADDRESS_OUT_OF_RANGE",
        `cell ${decl.cell} of '${decl.name}' is not an address below 2^32`,
      );
    }
  }
  for (const input of io.inputs) {
    const other = inputCells.get(input.cell);
    if (other !== undefined) {
      throw new ValidationError(
        "DUPLICATE_INPUT_CELL",
        `inputs '${other}' and '${input.name}' both start in cell ${input.cell}`,
      );
    }
    inputCells.set(input.cell, input.name);
  }
}

/** Validates a program against every rule of SPEC's validation section. */
export function validate(program: Program): ValidatedProgram {
  try {
    return validateUnlocated(program);
  } catch (e) {
    if (e instanceof ValidationError) throw locate(e, program);
    throw e;
  }
}

function validateUnlocated(program: Program): ValidatedProgram {
  const { code } = program;
  checkIo(program.io);
  const instructions = decode(code);
  // Offset-indexed arrays for the passes below (a program can be megabytes);
  // the Maps of the result are built once, in the same order as before.
  const indexAt = new Int32Array(code.length).fill(-1);
  const instructionAt = new Map<number, Instruction>();
  instructions.forEach((ins, i) => {
    indexAt[ins.offset] = i;
    instructionAt.set(ins.offset, ins);
  });
  const startsInstruction = (offset: number) =>
    offset >= 0 && offset < code.length && indexAt[offset] !== -1;

  for (const ins of instructions) {
    if ((ins.op === Op.JUMP || ins.op === Op.JUMPI) && !startsInstruction(Number(ins.arg))) {
      throw new ValidationError(
        "BAD_JUMP_TARGET",
        `${Op[ins.op]} at offset ${ins.offset} targets ${ins.arg}, which is not the start of an instruction`,
        { offset: ins.offset },
      );
    }
  }

  if (instructions.length === 0) {
    throw new ValidationError(
      "FALLS_OFF_END",
      "the program is empty: execution would start past the end",
      {
        offset: 0,
      },
    );
  }

  // Abstract interpretation of the stack height over every path from offset 0.
  // heightAt[offset] is -1 until the offset is reached; `reached` lists the
  // offsets in the order they were first reached.
  const heightAt = new Int32Array(code.length).fill(-1);
  const reachedFrom = new Int32Array(code.length);
  const reached = [0];
  heightAt[0] = 0;
  const work = [0];
  let maxHeight = 0;
  while (work.length > 0) {
    const offset = work.pop()!;
    const ins = instructions[indexAt[offset]!]!;
    const info = opcodeInfo(ins.op);
    const height = heightAt[offset]!;
    if (height < info.pops) {
      throw new ValidationError(
        "STACK_UNDERFLOW",
        `${info.mnemonic} at offset ${offset} pops ${info.pops} value(s) but the stack holds ${height}`,
        { offset },
      );
    }
    const after = height - info.pops + info.pushes;
    if (after > MAX_STACK) {
      throw new ValidationError(
        "STACK_OVERFLOW",
        `${info.mnemonic} at offset ${offset} would grow the stack past ${MAX_STACK} values`,
        { offset },
      );
    }
    maxHeight = Math.max(maxHeight, after);
    for (const next of successorsOf(ins)) {
      if (next >= code.length) {
        throw new ValidationError(
          "FALLS_OFF_END",
          `${info.mnemonic} at offset ${offset} falls through past the end of the code`,
          { offset },
        );
      }
      const known = heightAt[next]!;
      if (known === -1) {
        heightAt[next] = after;
        reachedFrom[next] = offset;
        reached.push(next);
        work.push(next);
      } else if (known !== after) {
        throw new ValidationError(
          "STACK_HEIGHT_MISMATCH",
          `offset ${next} is reached with stack height ${known} (from offset ${reachedFrom[next]}) and ${after} (from offset ${offset})`,
          { offset: next },
        );
      }
    }
  }

  const heightBefore = new Map<number, number>();
  for (const offset of reached) heightBefore.set(offset, heightAt[offset]!);
  const reachable = instructions.filter((i) => heightAt[i.offset] !== -1);
  const blocks = basicBlocks(reachable, heightBefore);
  const blockAt = new Map(blocks.map((b) => [b.start, b.id]));
  const cells = (op: Op) =>
    [...new Set(reachable.filter((i) => i.op === op).map((i) => Number(i.arg)))].sort(
      (a, b) => a - b,
    );

  return {
    ...program,
    instructions,
    instructionAt,
    heightBefore,
    maxHeight,
    blocks,
    blockAt,
    cellsRead: cells(Op.LOAD),
    cellsWritten: cells(Op.STORE),
  };
}

/** Leaders: the entry, every jump target, and every instruction after a jump or STOP. */
function basicBlocks(
  reachable: readonly Instruction[],
  heightBefore: ReadonlyMap<number, number>,
): BasicBlock[] {
  const leaders = new Set<number>([0]);
  for (const ins of reachable) {
    if (ins.op === Op.JUMP || ins.op === Op.JUMPI) {
      leaders.add(Number(ins.arg));
      leaders.add(ins.offset + ins.size);
    } else if (ins.op === Op.STOP) {
      leaders.add(ins.offset + ins.size);
    }
  }
  const groups: Instruction[][] = [];
  let previousEnd = -1;
  for (const ins of reachable) {
    const startsBlock = leaders.has(ins.offset) || ins.offset !== previousEnd;
    if (startsBlock) groups.push([]);
    groups[groups.length - 1]!.push(ins);
    previousEnd = ins.offset + ins.size;
  }
  const idAt = new Map(groups.map((g, id) => [g[0]!.offset, id]));
  return groups.map((group, id) => {
    const last = group[group.length - 1]!;
    const heightIn = heightBefore.get(group[0]!.offset)!;
    const lastInfo = opcodeInfo(last.op);
    const heightAfterLast = heightBefore.get(last.offset)! - lastInfo.pops + lastInfo.pushes;
    return {
      id,
      start: group[0]!.offset,
      instructions: group,
      heightIn,
      heightOut: heightAfterLast,
      successors: successorsOf(last).map((offset) => idAt.get(offset)!),
    };
  });
}
