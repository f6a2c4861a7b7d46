/**
 * Lowering: the schedule of candidate blocks → intermediate-form nodes
 * (ir.ts), handed to a sink in order (the emitter and the cost meter).
 *
 * State between block steps is plain wires: SPEC makes every stack height and
 * memory address static, so stack slot i and cell k are each one signal (or
 * linear combination) per step, with no multiplexer. Each candidate block at
 * a step has a selector; selectors are one-hot among the step's candidates
 * (plus the mass that has already halted), which holds by construction:
 * the entry's selector is the constant 1, and a block's selector is split
 * between its successors by a boolean condition.
 */
import { CompileError } from "../errors.js";
import { P } from "../field.js";
import { Op } from "../opcodes.js";
import type { ValidatedProgram, BasicBlock } from "../validator.js";
import { Dominators, DominatingSet, liveCells } from "./analysis.js";
import type { Node, Origin, Sink } from "./ir.js";
import { Lin } from "./linear.js";
import type { Schedule } from "./schedule.js";

export type { ProfileEntry } from "./ir.js";

/** A value in the circuit: its linear form and, when known, an upper bound valid for every satisfying assignment. */
export interface Val {
  readonly lin: Lin;
  readonly max?: bigint;
}

export interface LowerOptions {
  readonly steps: number;
  readonly width: number;
}

export interface Lowered {
  /** Whether an explicit instruction counter enforces the bound. */
  readonly counter: boolean;
}

type Flow = { to: number | "halt"; sel: Lin };

interface BlockResult {
  readonly block: BasicBlock;
  readonly sel: Lin;
  readonly stack: Val[];
  readonly writes: Map<number, Val>;
  readonly flows: Flow[];
}

interface State {
  readonly stack: Val[];
  readonly memory: Map<number, Val>;
  /** Selector of each candidate block at this step. */
  readonly selectors: Map<number, Lin>;
  /** Whether some execution may already have halted before this step. */
  readonly mayHaveHalted: boolean;
}

const ZERO: Val = { lin: Lin.ZERO, max: 0n };

function constant(v: bigint): Val {
  return { lin: Lin.constant(v), max: v };
}

function bitLength(v: bigint): number {
  return v === 0n ? 1 : v.toString(2).length;
}

export class Lowering {
  private counter = 0;
  /** Linear forms proven (unconditionally) to be below 2^W by an earlier range check. */
  private readonly proven = new Map<string, { max: bigint; bits: string }>();
  /**
   * Range checks made under a selector, by the linear form checked: they may
   * be reused at any block step they dominate (see `dominators`).
   */
  private readonly checks = new Map<string, DominatingSet<{ gated: Lin; bits: string }>>();
  /** Shared pieces of narrow comparisons, by range check and width. */
  private readonly narrowParts = new Map<string, { highZero: Lin; low: Lin }>();
  /** The block step being lowered: its node in the dominator tree. */
  private node = 0;
  private readonly dominators: Dominators;
  /** Memory cells whose value after each block can still be read (by a later block or as an output). */
  private readonly liveOut: ReadonlyArray<ReadonlySet<number>>;
  private readonly outputCells: ReadonlySet<number>;
  private pc: number | undefined;
  private step = 0;
  private readonly rangeLimit: bigint;

  constructor(
    private readonly program: ValidatedProgram,
    private readonly schedule: Schedule,
    private readonly options: LowerOptions,
    private readonly sink: Sink,
  ) {
    this.rangeLimit = (1n << BigInt(options.width)) - 1n;
    this.dominators = new Dominators(schedule);
    this.outputCells = new Set(program.io.outputs.map((o) => o.cell));
    this.liveOut = liveCells(program, this.outputCells);
  }

  /** Where the constraints being lowered come from. */
  private origin(): Origin {
    return this.pc === undefined ? { step: this.step } : { step: this.step, pc: this.pc };
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  private emit(node: Node): void {
    this.sink(node);
  }

  private comment(text: string): void {
    this.sink({ kind: "comment", text });
  }

  /** Defines a signal equal to a linear combination (free after circom's --O2). */
  private materialize(lin: Lin, name: string): Lin {
    if (
      lin.isConstant() ||
      (lin.terms.size === 1 && [...lin.terms.values()][0] === 1n && lin.constant === 0n)
    ) {
      return lin;
    }
    this.emit({ kind: "define", signal: name, value: lin });
    return Lin.signal(name);
  }

  private maxOf(v: Val): bigint | undefined {
    const proven = this.proven.get(v.lin.key())?.max;
    if (v.max === undefined) return proven;
    return proven === undefined || v.max < proven ? v.max : proven;
  }

  /** a * b: free when either side is constant, otherwise one constraint. */
  private product(a: Lin, b: Lin, prefix = "v"): Lin {
    if (a.isConstant()) return b.scale(a.constant);
    if (b.isConstant()) return a.scale(b.constant);
    const name = this.fresh(prefix);
    this.emit({ kind: "product", signal: name, a, b, form: "plain", origin: this.origin() });
    return Lin.signal(name);
  }

  private boundedSum(
    a: bigint | undefined,
    b: bigint | undefined,
    op: (x: bigint, y: bigint) => bigint,
  ) {
    if (a === undefined || b === undefined) return undefined;
    const r = op(a, b);
    return r < P ? r : undefined;
  }

  lower(): Lowered {
    const { program, schedule } = this;
    const memory = new Map<number, Val>();
    for (const input of program.io.inputs)
      memory.set(input.cell, { lin: Lin.signal(inputSignal(input.name)) });
    let state: State = {
      stack: [],
      memory,
      selectors: new Map([[schedule.steps[0]![0]!.block.id, Lin.ONE]]),
      mayHaveHalted: false,
    };
    let stepCount = Lin.ZERO;
    for (let t = 0; t < schedule.steps.length; t++) {
      this.step = t;
      const candidates = schedule.steps[t]!;
      this.emit({ kind: "blank" });
      this.comment(
        `---- block step ${t}: ${candidates.map((c) => describeBlock(program, c.block)).join(" | ")}`,
      );
      // A candidate whose selector folded to the constant 0 never runs: it gets no constraints.
      const live = candidates.filter((c) => {
        const sel = state.selectors.get(c.block.id)!;
        return !(sel.isConstant() && sel.constant === 0n);
      });
      const results = live.map((c) => this.block(c.block, state, state.selectors.get(c.block.id)!));
      for (const r of results)
        stepCount = stepCount.add(r.sel.scale(BigInt(r.block.instructions.length)));
      state = this.transition(t, results, state);
    }
    this.pc = undefined;
    if (schedule.maxHaltingSteps > this.options.steps) this.checkStepCount(stepCount);
    const outputs = program.io.outputs;
    if (outputs.length > 0) {
      this.emit({ kind: "blank" });
      this.comment("---- outputs: final memory cells");
    }
    for (const out of outputs) {
      const v = state.memory.get(out.cell) ?? ZERO;
      this.emit({ kind: "output", signal: outputSignal(out.name), value: v.lin });
    }
    return {
      counter: schedule.maxHaltingSteps > this.options.steps,
    };
  }

  /** The step counter, needed only when the schedule alone does not bound the instruction count. */
  private checkStepCount(count: Lin): void {
    const bound = BigInt(this.options.steps);
    const k = bitLength(BigInt(Math.max(this.schedule.maxHaltingSteps, this.options.steps + 1)));
    this.emit({ kind: "blank" });
    this.comment(`---- halts within N = ${this.options.steps} steps (SPEC "Steps")`);
    const total = this.materialize(count, "steps_executed");
    this.emit({
      kind: "gadget",
      signal: "within_bound",
      gadget: { name: "LessThan", k, a: total, b: Lin.constant(bound + 1n) },
      origin: this.origin(),
    });
    this.emit({ kind: "assert", left: Lin.signal("within_bound"), right: Lin.ONE });
  }

  private block(block: BasicBlock, state: State, sel: Lin): BlockResult {
    const { program } = this;
    this.node = this.dominators.node(this.step, block.id);
    const stack = state.stack.slice(0, block.heightIn);
    const writes = new Map<number, Val>();
    const read = (cell: number): Val => writes.get(cell) ?? state.memory.get(cell) ?? ZERO;
    const pop = (): Val => stack.pop()!;
    this.comment(`block ${block.id} (selector ${sel.toCircom()})`);
    for (const ins of block.instructions) {
      this.pc = ins.offset;
      const line = program.lines?.get(ins.offset);
      this.emit({
        kind: "instruction",
        pc: ins.offset,
        ...(line !== undefined ? { line } : {}),
        op: describeInstruction(ins.op, ins.arg),
        step: this.step,
      });
      switch (ins.op) {
        case Op.PUSH:
          stack.push(constant(ins.arg!));
          break;
        case Op.ADD: {
          const b = pop();
          const a = pop();
          stack.push({
            lin: a.lin.add(b.lin),
            max: this.boundedSum(this.maxOf(a), this.maxOf(b), (x, y) => x + y),
          });
          break;
        }
        case Op.MUL: {
          const b = pop();
          const a = pop();
          stack.push({
            lin: this.product(a.lin, b.lin),
            max: this.boundedSum(this.maxOf(a), this.maxOf(b), (x, y) => x * y),
          });
          break;
        }
        case Op.STORE:
          writes.set(Number(ins.arg), pop());
          break;
        case Op.LOAD:
          stack.push(read(Number(ins.arg)));
          break;
        case Op.EQ: {
          const b = pop();
          const a = pop();
          stack.push(this.equal(a, b));
          break;
        }
        case Op.LT:
        case Op.GT: {
          const b = pop();
          const a = pop();
          stack.push(ins.op === Op.LT ? this.lessThan(a, b, sel) : this.lessThan(b, a, sel));
          break;
        }
        case Op.JUMP:
          return { block, sel, stack, writes, flows: [{ to: this.blockAt(Number(ins.arg)), sel }] };
        case Op.JUMPI: {
          const cond = pop();
          const taken = this.product(sel, this.nonZero(cond), "taken");
          const flows: Flow[] = [
            { to: this.blockAt(Number(ins.arg)), sel: taken },
            { to: this.blockAt(ins.offset + ins.size), sel: sel.sub(taken) },
          ];
          return { block, sel, stack, writes, flows };
        }
        case Op.STOP:
          return { block, sel, stack, writes, flows: [{ to: "halt", sel }] };
        default:
          return ins.op satisfies never;
      }
    }
    const last = block.instructions[block.instructions.length - 1]!;
    return {
      block,
      sel,
      stack,
      writes,
      flows: [{ to: this.blockAt(last.offset + last.size), sel }],
    };
  }

  private blockAt(offset: number): number {
    return this.program.blockAt.get(offset)!;
  }

  /** SPEC EQ: 1 if a == b else 0 (circomlib IsEqual: 2 constraints). */
  private equal(a: Val, b: Val): Val {
    const diff = a.lin.sub(b.lin);
    if (diff.isConstant()) return constant(diff.constant === 0n ? 1n : 0n);
    const name = this.fresh("eq");
    this.emit({
      kind: "gadget",
      signal: name,
      gadget: { name: "IsEqual", a: a.lin, b: b.lin },
      origin: this.origin(),
    });
    return { lin: Lin.signal(name), max: 1n };
  }

  /** JUMPI's condition as 0/1: free when the value is already boolean. */
  private nonZero(c: Val): Lin {
    const max = this.maxOf(c);
    if (c.lin.isConstant()) return Lin.constant(c.lin.constant === 0n ? 0n : 1n);
    if (max !== undefined && max <= 1n) return c.lin;
    const name = this.fresh("nz");
    this.emit({
      kind: "gadget",
      signal: name,
      gadget: { name: "NonZero", x: c.lin },
      origin: this.origin(),
    });
    return Lin.signal(name);
  }

  /**
   * SPEC LT: a < b as W-bit unsigned integers; an operand >= 2^W faults.
   * Operands already known to be below 2^W need no check. Others are range
   * checked, gated by the block's selector so that a block that does not run
   * cannot fault; an ungated check (selector 1) proves the bound for later steps.
   */
  private lessThan(a: Val, b: Val, sel: Lin): Val {
    const limit = this.rangeLimit;
    const width = this.options.width;
    if (
      a.lin.isConstant() &&
      b.lin.isConstant() &&
      a.lin.constant <= limit &&
      b.lin.constant <= limit
    ) {
      return constant(a.lin.constant < b.lin.constant ? 1n : 0n);
    }
    const x = this.comparisonOperand(a, sel);
    const y = this.comparisonOperand(b, sel);
    const name = this.fresh("lt");
    // One operand range-checked, the other narrow: compare with the check's bits.
    const narrow = (checked: typeof x, other: typeof y) =>
      checked.bits !== undefined && other.bits === undefined && bitLength(other.max) + 4 < width;
    if (narrow(x, y)) {
      // x < y, y < 2^k: x's high bits are zero and its low k bits are below y.
      const k = bitLength(y.max);
      const { highZero, low } = this.narrowPartsOf(x.bits!, k);
      const lowLess = this.fresh("ltlow");
      this.lessThanGadget(lowLess, k, low, y.lin);
      this.emit({
        kind: "product",
        signal: name,
        a: highZero,
        b: Lin.signal(lowLess),
        form: "and",
        origin: this.origin(),
      });
    } else if (narrow(y, x)) {
      // x < y, x < 2^k: a high bit of y is set, or its low k bits are above x.
      const k = bitLength(x.max);
      const { highZero, low } = this.narrowPartsOf(y.bits!, k);
      const lowGreater = this.fresh("gtlow");
      this.lessThanGadget(lowGreater, k, x.lin, low);
      this.emit({
        kind: "product",
        signal: name,
        a: highZero,
        b: Lin.signal(lowGreater),
        form: "orNot",
        origin: this.origin(),
      });
    } else {
      const k = bitLength(x.max > y.max ? x.max : y.max);
      this.lessThanGadget(name, k, x.lin, y.lin);
    }
    return { lin: Lin.signal(name), max: 1n };
  }

  /** signal <== LessThan(k)([a, b]). */
  private lessThanGadget(signal: string, k: number, a: Lin, b: Lin): void {
    this.emit({
      kind: "gadget",
      signal,
      gadget: { name: "LessThan", k, a, b },
      origin: this.origin(),
    });
  }

  /**
   * An LT/GT operand below 2^W: as is when that is known, otherwise range
   * checked (Num2Bits(W), whose bits the comparison may reuse), gated by the
   * selector so that a block that does not run cannot fault.
   */
  private comparisonOperand(v: Val, sel: Lin): { lin: Lin; max: bigint; bits?: string } {
    const key = v.lin.key();
    const proven = this.proven.get(key);
    const max = this.maxOf(v);
    if (max !== undefined && max <= this.rangeLimit) {
      // Reuse the bits of an earlier unconditional range check when that is the best bound known.
      return proven !== undefined && max === proven.max
        ? { lin: v.lin, max: proven.max, bits: proven.bits }
        : { lin: v.lin, max };
    }
    // A check made at a block step that every path to this one passes through:
    // if this block runs, that one ran and checked v itself; if not, its gated
    // value is still a checked value, so this comparison stays satisfiable.
    const earlier = this.checks.get(key)?.find(this.node);
    if (earlier !== undefined)
      return { lin: earlier.gated, max: this.rangeLimit, bits: earlier.bits };
    const gated = this.product(sel, v.lin, "gated");
    const name = this.fresh("range");
    this.emit({
      kind: "gadget",
      signal: name,
      gadget: { name: "Num2Bits", width: this.options.width, x: gated },
      origin: this.origin(),
    });
    // Only a check that always runs (selector the constant 1) proves the bound
    // everywhere: under the constant 0 it checks 0, not v.
    if (sel.isConstant() && sel.constant === 1n) {
      this.proven.set(key, { max: this.rangeLimit, bits: name });
    }
    let checks = this.checks.get(key);
    if (checks === undefined) {
      checks = new DominatingSet(this.dominators);
      this.checks.set(key, checks);
    }
    checks.add(this.node, { gated, bits: name });
    return { lin: gated, max: this.rangeLimit, bits: name };
  }

  /** IsZero of a range check's bits above k, and the value of its low k bits: shared by every comparison at width k. */
  private narrowPartsOf(bits: string, k: number): { highZero: Lin; low: Lin } {
    const key = `${bits}/${k}`;
    let parts = this.narrowParts.get(key);
    if (parts === undefined) {
      const w = this.options.width;
      const high = `${bits}_hz${k}`;
      const low = `${bits}_lo${k}`;
      const origin = this.origin();
      this.emit({
        kind: "gadget",
        signal: high,
        gadget: { name: "HighBitsZero", width: w, k, bits },
        origin,
      });
      this.emit({
        kind: "gadget",
        signal: low,
        gadget: { name: "LowBits", width: w, k, bits },
        origin,
      });
      parts = { highZero: Lin.signal(high), low: Lin.signal(low) };
      this.narrowParts.set(key, parts);
    }
    return parts;
  }

  /**
   * Block step t → t+1: split selectors along the taken edges, force edges
   * that cannot halt in time to carry nothing, and merge stack slots and
   * memory cells over the candidates.
   */
  private transition(t: number, results: BlockResult[], state: State): State {
    this.pc = undefined;
    const nextCandidates = new Set((this.schedule.steps[t + 1] ?? []).map((c) => c.block.id));
    const incoming = new Map<number, Lin>();
    let halts = false;
    for (const r of results) {
      for (const flow of r.flows) {
        if (flow.to === "halt") {
          halts = true;
        } else if (nextCandidates.has(flow.to)) {
          incoming.set(flow.to, (incoming.get(flow.to) ?? Lin.ZERO).add(flow.sel));
        } else if (!flow.sel.isConstant()) {
          this.emit({
            kind: "assert",
            left: flow.sel,
            right: Lin.ZERO,
            why: `block ${flow.to} cannot reach STOP within N steps from here`,
          });
        } else if (flow.sel.constant !== 0n) {
          throw new CompileError(
            "STEP_BOUND_TOO_SMALL",
            `every execution is still running at pc ${r.block.start} after block step ${t} and cannot halt within ${this.options.steps} steps`,
            { offset: r.block.start },
          );
        }
      }
    }
    const selectors = new Map<number, Lin>();
    for (const id of [...nextCandidates].sort((a, b) => a - b)) {
      selectors.set(id, this.materialize(incoming.get(id) ?? Lin.ZERO, `sel_${t + 1}_b${id}`));
    }

    // The mass that halted before this step keeps its memory.
    const selectorSum = results.reduce((sum, r) => sum.add(r.sel), Lin.ZERO);
    const halted = state.mayHaveHalted ? Lin.ONE.sub(selectorSum) : undefined;

    const cells = new Set<number>();
    for (const r of results) for (const cell of r.writes.keys()) cells.add(cell);
    const memory = new Map(state.memory);
    for (const cell of [...cells].sort((a, b) => a - b)) {
      const current = state.memory.get(cell) ?? ZERO;
      // Executions for which the cell is dead (never read again) do not care what it holds.
      const options = results
        .filter((r) => this.liveOut[r.block.id]!.has(cell))
        .map((r) => ({ sel: r.sel, val: r.writes.get(cell) ?? current }));
      if (halted !== undefined && this.outputCells.has(cell)) {
        options.push({ sel: halted, val: current });
      }
      if (options.length > 0) memory.set(cell, this.merge(options, `mem_${t + 1}_c${cell}`));
    }

    const height = Math.max(
      0,
      ...[...nextCandidates].map((id) => this.program.blocks[id]!.heightIn),
    );
    const stack: Val[] = [];
    for (let i = 0; i < height; i++) {
      const options = results
        .filter((r) => r.stack.length > i)
        .map((r) => ({ sel: r.sel, val: r.stack[i]! }));
      stack.push(options.length === 0 ? ZERO : this.merge(options, `stk_${t + 1}_${i}`));
    }
    return { stack, memory, selectors, mayHaveHalted: state.mayHaveHalted || halts };
  }

  /**
   * One value out of several, by one-hot selectors: base + Σ sel_g * (val_g - base)
   * over the distinct values g, with the base chosen so that as many
   * differences as possible are constants (and so free).
   */
  private merge(options: Array<{ sel: Lin; val: Val }>, name: string): Val {
    const groups = new Map<string, { sel: Lin; val: Val }>();
    for (const o of options) {
      const key = o.val.lin.key();
      const g = groups.get(key);
      groups.set(key, { sel: (g?.sel ?? Lin.ZERO).add(o.sel), val: o.val });
    }
    const distinct = [...groups.values()];
    const maxes = distinct.map((g) => this.maxOf(g.val));
    const max = maxes.every((m) => m !== undefined)
      ? (maxes as bigint[]).reduce((a, b) => (a > b ? a : b), 0n)
      : undefined;
    if (distinct.length === 1) return distinct[0]!.val;
    let base = distinct[0]!;
    let bestCost = Infinity;
    for (const candidate of distinct) {
      const c = distinct.filter(
        (g) => g !== candidate && !g.val.lin.sub(candidate.val.lin).isConstant(),
      ).length;
      if (c < bestCost) {
        bestCost = c;
        base = candidate;
      }
    }
    let result = base.val.lin;
    for (const g of distinct) {
      if (g === base) continue;
      result = result.add(this.product(g.sel, g.val.lin.sub(base.val.lin), "mix"));
    }
    return { lin: this.materialize(result, name), ...(max !== undefined ? { max } : {}) };
  }
}

/** `PUSH -1` rather than `PUSH 218882...616`: values above p/2 read as negatives. */
function describeInstruction(op: Op, arg: bigint | undefined): string {
  if (arg === undefined) return Op[op];
  return `${Op[op]} ${op === Op.PUSH && arg > P / 2n ? `-${P - arg}` : arg}`;
}

export function inputSignal(name: string): string {
  return `in_${name}`;
}

export function outputSignal(name: string): string {
  return `out_${name}`;
}

function describeBlock(program: ValidatedProgram, block: BasicBlock): string {
  const line = program.lines?.get(block.start);
  return `block ${block.id} @ pc ${block.start}${line !== undefined ? ` (line ${line})` : ""}`;
}
