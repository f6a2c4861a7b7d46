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
import { mod, P } from "../field.js";
import { Op } from "../opcodes.js";
import type { ValidatedProgram, BasicBlock } from "../validator.js";
import { Dominators, DominatingSet, liveCells } from "./analysis.js";
import { intersect, max, min, productRange, sumRange, type Facts, type Range } from "./bounds.js";
import type { Node, Origin, Sink } from "./ir.js";
import { Lin } from "./linear.js";
import type { Schedule } from "./schedule.js";

export type { ProfileEntry } from "./ir.js";

/** A value in the circuit: its linear form and, when known, an upper bound valid for every satisfying assignment. */
export interface Val {
  readonly lin: Lin;
  readonly max?: bigint;
  /** The comparison this value is the result of (LT/GT as a < b, or EQ), for JUMPI's path facts. */
  readonly test?: { readonly kind: "lt" | "eq"; readonly a: Lin; readonly b: Lin };
  /** An equality this value decides exactly (NonZero): when it equals `value`, `lin` is 0. */
  readonly zeroWhen?: { readonly value: bigint; readonly lin: Lin };
}

/**
 * Values pinned to a constant on a path, by an equality a comparison
 * decided exactly (see Val.zeroWhen): the keys are the operands of open
 * range obligations (see Lowering.obligations).
 */
type Pins = Map<string, bigint>;

export interface LowerOptions {
  readonly steps: number;
  readonly width: number;
  /** Operands (Lin keys) not to assume below 2^W (see Lowering.obligations). */
  readonly checkNow?: ReadonlySet<string>;
}

export interface Lowered {
  /** Whether an explicit instruction counter enforces the bound. */
  readonly counter: boolean;
  /**
   * Obligation operands that later comparisons had to compare at full width
   * (without the bits a range check would have given them): lowering again
   * with these in `checkNow` is cheaper.
   */
  readonly wide: ReadonlySet<string>;
}

/** An edge out of a block: its selector and the path facts that hold when it is taken. */
type Flow = { to: number | "halt"; sel: Lin; facts: Facts; pins: Pins };

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
  /** Path facts of each candidate block at this step. */
  readonly facts: Map<number, Facts>;
  /** Pins of each candidate block at this step. */
  readonly pins: Map<number, Pins>;
}

const ZERO: Val = { lin: Lin.ZERO, max: 0n };

/** Path facts carried into a block beyond those about its memory cells and stack slots. */
const CARRIED_FACTS = 32;

/** Selectors of at most this many terms are kept as linear forms (see `transition`). */
const SELECTOR_TERMS = 4;
/** Disjoint closed intervals of values, ascending (Lowering.exclusions). */
type Intervals = ReadonlyArray<readonly [bigint, bigint]>;
/** Most intervals an exclusion keeps (a counting loop's values are one interval). */
const MAX_INTERVALS = 8;

/** The union of two sets of values, or undefined when they meet or it needs too many intervals. */
function unionOfDisjoint(a: Intervals, b: Intervals): Intervals | undefined {
  for (const [lo, hi] of a) for (const [l, h] of b) if (lo <= h && l <= hi) return undefined;
  const all = [...a, ...b].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const merged: Array<[bigint, bigint]> = [];
  for (const [lo, hi] of all) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[1] + 1n === lo) last[1] = hi;
    else merged.push([lo, hi]);
  }
  return merged.length <= MAX_INTERVALS ? merged : undefined;
}

/** Most signals a linear product of NonZero tests expands to (see Lowering.product). */
const MAX_SPAN = 16;

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
  /** Path facts of the block being lowered (see Facts). */
  private facts: Facts = new Map();
  /** Comparison results computed in the block being lowered. */
  private localTests = new WeakSet<Val>();
  /** Pins of the block being lowered. */
  private pins: Pins = new Map();
  /**
   * Range obligations: operands of a comparison that every run executes
   * (selector 1) that were not range checked there but assumed below 2^W,
   * so that the comparison is an equality (0 < x is x != 0). The assumption
   * holds on every accepted run when each path to STOP pins the operand to
   * a constant below 2^W (a loop that exits only when its counter reaches
   * the operand: exiting at iteration j says x == j); `failed` when some
   * halting path does not, and then x is range checked after all.
   */
  private readonly obligations: Array<{ lin: Lin; failed: boolean }> = [];
  /**
   * Forms known to equal Π_{v in values} [base != v] (NonZero gadgets and
   * their products, see `product`), by Lin key; base is a Lin key.
   */
  private readonly exclusions = new Map<
    string,
    { base: string; values: Intervals; span: number }
  >();
  /** Selector signals (`sel_<step>_b<block>`) → the forms they are defined as. */
  private readonly selectorDefs = new Map<string, Lin>();
  /** IsEqual signals → [base == value] (base a Lin key), for `product`. */
  private readonly equalities = new Map<string, { base: string; value: bigint }>();
  private readonly wide = new Set<string>();
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
    const signal = Lin.signal(name);
    const excluded = this.exclusions.get(lin.key());
    if (excluded !== undefined) this.exclusions.set(signal.key(), excluded);
    return signal;
  }

  private maxOf(v: Val): bigint | undefined {
    const proven = this.proven.get(v.lin.key())?.max;
    if (v.max === undefined) return proven;
    return proven === undefined || v.max < proven ? v.max : proven;
  }

  /**
   * The range v lies in when the current block runs: its constant, its
   * unconditional bound, and the block's path facts about it, intersected.
   */
  private rangeOf(v: Val): Range | undefined {
    if (v.lin.isConstant()) return { lo: v.lin.constant, hi: v.lin.constant };
    const max = this.maxOf(v);
    const fact = this.facts.get(v.lin.key());
    if (fact === undefined) return max === undefined ? undefined : { lo: 0n, hi: max };
    return max === undefined || fact.hi <= max ? fact : { lo: fact.lo, hi: max };
  }

  /** Records a path fact about v when it says more than v's unconditional bound. */
  private learn(v: Val, range: Range | undefined): void {
    if (range === undefined || v.lin.isConstant()) return;
    const max = this.maxOf(v);
    if (max !== undefined && range.lo === 0n && range.hi >= max) return;
    const known = this.facts.get(v.lin.key());
    this.facts.set(v.lin.key(), known === undefined ? range : intersect(known, range));
  }

  /**
   * The path facts of a JUMPI edge (SPEC JUMPI: taken when the condition is
   * not 0): the block's facts, refined by what the condition says on that
   * edge. After a < b both operands are below 2^W (the comparison ran), the
   * taken edge knows a < b and the other a >= b, including the difference:
   * b - a in [1, ...] or a - b in [0, ...], so that a later subtraction
   * (ADD of p - 1 times a value) stays bounded. After EQ, the taken edge
   * knows a == b; after a plain value c, c != 0 or c == 0.
   */
  private edgeFacts(cond: Val, taken: boolean): Facts {
    const facts: Facts = new Map(this.facts);
    const set = (lin: Lin, range: Range | undefined) => {
      if (range === undefined || lin.isConstant()) return;
      const known = facts.get(lin.key());
      facts.set(lin.key(), known === undefined ? range : intersect(known, range));
    };
    const rangeIn = (lin: Lin) => this.withFacts(facts, () => this.rangeOf({ lin }));
    // Only a comparison made in this block says something about this edge.
    const test = this.localTests.has(cond) ? cond.test : undefined;
    if (test === undefined) {
      const r = rangeIn(cond.lin);
      if (!taken) set(cond.lin, { lo: 0n, hi: 0n });
      else if (r !== undefined && r.lo === 0n && r.hi >= 1n) set(cond.lin, { lo: 1n, hi: r.hi });
      return facts;
    }
    const ra = rangeIn(test.a);
    const rb = rangeIn(test.b);
    if (test.kind === "eq") {
      if (taken && ra !== undefined) set(test.b, ra);
      if (taken && rb !== undefined) set(test.a, rb);
      return facts;
    }
    if (ra === undefined || rb === undefined) return facts;
    if (taken) {
      // a < b: a <= b.hi - 1, b >= a.lo + 1, and b - a in [1, b.hi - a.lo].
      if (rb.hi >= 1n) set(test.a, { lo: ra.lo, hi: min(ra.hi, rb.hi - 1n) });
      set(test.b, { lo: max(rb.lo, ra.lo + 1n), hi: rb.hi });
      if (rb.hi > ra.lo) set(test.b.sub(test.a), { lo: 1n, hi: rb.hi - ra.lo });
    } else {
      // a >= b: a >= b.lo, b <= a.hi, and a - b in [0, a.hi - b.lo].
      set(test.a, { lo: max(ra.lo, rb.lo), hi: ra.hi });
      set(test.b, { lo: rb.lo, hi: min(rb.hi, ra.hi) });
      if (ra.hi >= rb.lo) set(test.a.sub(test.b), { lo: 0n, hi: ra.hi - rb.lo });
    }
    return facts;
  }

  /**
   * The pins of a JUMPI edge: the block's, plus the obligation operands the
   * condition pins on this edge (a boolean condition is 1 on the taken edge
   * and 0 on the other; see Val.zeroWhen).
   */
  private edgePins(cond: Val, taken: boolean): Pins {
    const zero = this.localTests.has(cond) ? cond.zeroWhen : undefined;
    if (zero === undefined || zero.value !== (taken ? 1n : 0n)) return this.pins;
    const pins: Pins = new Map(this.pins);
    for (const { lin } of this.obligations) {
      // zero.lin = lin + d with d constant: zero.lin == 0 says lin == -d.
      const d = zero.lin.sub(lin);
      if (d.isConstant()) pins.set(lin.key(), (P - d.constant) % P);
    }
    return pins;
  }

  /** Runs f with the block's path facts replaced by `facts`. */
  private withFacts<T>(facts: Facts, f: () => T): T {
    const saved = this.facts;
    this.facts = facts;
    try {
      return f();
    } finally {
      this.facts = saved;
    }
  }

  /** a * b: free when either side is constant, otherwise one constraint. */
  private product(a: Lin, b: Lin, prefix = "v"): Lin {
    if (a.isConstant()) return b.scale(a.constant);
    if (b.isConstant()) return a.scale(b.constant);
    // Π_{v in A} [x != v] * Π_{v in B} [x != v] for disjoint A, B: at most
    // one [x == v] is 1, so each product is 1 - Σ [x == v] and theirs is
    // a + b - 1, linear (a counting loop's "still running" against a bound
    // that is data: no product per iteration).
    const ea = this.exclusions.get(a.key());
    const eb = this.exclusions.get(b.key());
    // Π_{u in A} [x != u] * [x == v] for v not in A is [x == v] (at most one
    // [x == u] holds): an EQ exit's "taken" is its IsEqual alone, and "still
    // running" after it is the exclusion of A and v.
    for (const [ex, eq] of [
      [ea, b],
      [eb, a],
    ] as const) {
      const equality =
        eq.terms.size === 1 && eq.constant === 0n && [...eq.terms.values()][0] === 1n
          ? this.equalities.get([...eq.terms.keys()][0]!)
          : undefined;
      if (ex === undefined || equality === undefined || ex.base !== equality.base) continue;
      if (ex.span + 1 > MAX_SPAN) continue;
      const values = unionOfDisjoint(ex.values, [[equality.value, equality.value]]);
      if (values === undefined) continue;
      const rest = (ex === ea ? a : b).sub(eq);
      this.exclusions.set(rest.key(), { base: ex.base, values, span: ex.span + 1 });
      return eq;
    }
    const values =
      ea !== undefined && eb !== undefined && ea.base === eb.base
        ? unionOfDisjoint(ea.values, eb.values)
        : undefined;
    const joint =
      values !== undefined ? { base: ea!.base, values, span: ea!.span + eb!.span } : undefined;
    // Past MAX_SPAN NonZero signals in its expansion, the form is a product
    // again (one constraint): circom --O2 and the direct backend substitute
    // linear signals, so an unbounded chain would make rows grow with N.
    if (joint !== undefined && joint.span <= MAX_SPAN) {
      const result = a.add(b).sub(Lin.ONE);
      this.exclusions.set(result.key(), joint);
      return result;
    }
    const name = this.fresh(prefix);
    this.emit({ kind: "product", signal: name, a, b, form: "plain", origin: this.origin() });
    const signal = Lin.signal(name);
    if (joint !== undefined) this.exclusions.set(signal.key(), { ...joint, span: 1 });
    return signal;
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
      facts: new Map(),
      pins: new Map(),
    };
    // The instructions executed, Σ selector * block length, summed once at the
    // end (adding step by step would copy a growing form at every step).
    const counted = schedule.maxHaltingSteps > this.options.steps;
    const stepCount: Lin[] = [];
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
        if (counted) stepCount.push(r.sel.scale(BigInt(r.block.instructions.length)));
      state = this.transition(t, results, state);
    }
    this.pc = undefined;
    this.checkObligations();
    if (counted) this.checkStepCount(Lin.sum(stepCount));
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
      wide: this.wide,
      counter: schedule.maxHaltingSteps > this.options.steps,
    };
  }

  /** Range checks of the obligations some halting path did not pin (see `obligations`). */
  private checkObligations(): void {
    const failed = this.obligations.filter((o) => o.failed);
    if (failed.length === 0) return;
    this.emit({ kind: "blank" });
    this.comment("---- comparison operands no loop exit pinned below 2^W (SPEC LT/GT)");
    for (const o of failed) {
      this.emit({
        kind: "gadget",
        signal: this.fresh("range"),
        gadget: { name: "Num2Bits", width: this.options.width, x: o.lin },
        origin: this.origin(),
      });
    }
  }

  /** The step counter, needed only when the schedule alone does not bound the instruction count. */
  private checkStepCount(count: Lin): void {
    const bound = BigInt(this.options.steps);
    const k = bitLength(BigInt(Math.max(this.schedule.maxHaltingSteps, this.options.steps + 1)));
    this.emit({ kind: "blank" });
    this.comment(`---- halts within N = ${this.options.steps} steps (SPEC "Steps")`);
    const total = this.materialize(count, "steps_executed");
    this.emit({
      kind: "assertLess",
      signal: "within_bound",
      k,
      a: total,
      b: Lin.constant(bound + 1n),
      origin: this.origin(),
    });
  }

  private block(block: BasicBlock, state: State, sel: Lin): BlockResult {
    const { program } = this;
    this.node = this.dominators.node(this.step, block.id);
    this.facts = new Map(state.facts.get(block.id));
    this.pins = new Map(state.pins.get(block.id));
    this.localTests = new WeakSet();
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
          const sum: Val = {
            lin: a.lin.add(b.lin),
            max: this.boundedSum(this.maxOf(a), this.maxOf(b), (x, y) => x + y),
          };
          this.learn(sum, sumRange(this.rangeOf(a), this.rangeOf(b)));
          stack.push(sum);
          break;
        }
        case Op.MUL: {
          const b = pop();
          const a = pop();
          const product: Val = {
            lin: this.product(a.lin, b.lin),
            max: this.boundedSum(this.maxOf(a), this.maxOf(b), (x, y) => x * y),
          };
          this.learn(product, productRange(this.rangeOf(a), this.rangeOf(b)));
          stack.push(product);
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
          return {
            block,
            sel,
            stack,
            writes,
            flows: [{ to: this.blockAt(Number(ins.arg)), sel, facts: this.facts, pins: this.pins }],
          };
        case Op.JUMPI: {
          const cond = pop();
          const taken = this.product(sel, this.nonZero(cond), "taken");
          const flows: Flow[] = [
            {
              to: this.blockAt(Number(ins.arg)),
              sel: taken,
              facts: this.edgeFacts(cond, true),
              pins: this.edgePins(cond, true),
            },
            {
              to: this.blockAt(ins.offset + ins.size),
              sel: sel.sub(taken),
              facts: this.edgeFacts(cond, false),
              pins: this.edgePins(cond, false),
            },
          ];
          return { block, sel, stack, writes, flows };
        }
        case Op.STOP:
          return {
            block,
            sel,
            stack,
            writes,
            flows: [{ to: "halt", sel, facts: this.facts, pins: this.pins }],
          };
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
      flows: [
        { to: this.blockAt(last.offset + last.size), sel, facts: this.facts, pins: this.pins },
      ],
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
    // [base == v] for base = diff without its constant: 1 - eq is the
    // exclusion of v (see `product`), and eq times an exclusion of other
    // values of base is eq.
    const base = diff.sub(Lin.constant(diff.constant));
    const v = mod(-diff.constant);
    this.equalities.set(name, { base: base.key(), value: v });
    this.exclusions.set(Lin.ONE.sub(Lin.signal(name)).key(), {
      base: base.key(),
      values: [[v, v]],
      span: 1,
    });
    const result: Val = {
      lin: Lin.signal(name),
      max: 1n,
      test: { kind: "eq", a: a.lin, b: b.lin },
    };
    this.localTests.add(result);
    return result;
  }

  /** JUMPI's condition as 0/1 (and x != 0 for comparisons): free when the value is already boolean. */
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
    const result = Lin.signal(name);
    // x = base + k is 0 exactly when base = -k: result = [base != -k].
    const base = c.lin.sub(Lin.constant(c.lin.constant));
    this.exclusions.set(result.key(), {
      base: base.key(),
      values: [[mod(-c.lin.constant), mod(-c.lin.constant)]],
      span: 1,
    });
    return result;
  }

  /**
   * SPEC LT: a < b as W-bit unsigned integers; an operand >= 2^W faults.
   * Operands already known to be below 2^W need no check. Others are range
   * checked, gated by the block's selector so that a block that does not run
   * cannot fault; an ungated check (selector 1) proves the bound for later steps.
   */
  private lessThan(a: Val, b: Val, sel: Lin): Val {
    this.assumeInRange(a, b, sel);
    const result = this.lessThanByFacts(a, b, sel) ?? this.lessThanChecked(a, b, sel);
    // When this block runs, the comparison ran: both operands are below 2^W.
    for (const v of [a, b]) {
      const r = this.rangeOf(v);
      this.learn(v, {
        lo: r?.lo ?? 0n,
        hi: r === undefined || r.hi > this.rangeLimit ? this.rangeLimit : r.hi,
      });
    }
    const tested: Val = { ...result, test: { kind: "lt", a: a.lin, b: b.lin } };
    this.localTests.add(tested);
    return tested;
  }

  /**
   * 0 < x (or x < 1) at a comparison every run executes, with x not known to
   * be below 2^W: instead of range checking x here, assume it (an obligation,
   * discharged at the end of lowering or range checked then), so that the
   * comparison is x != 0 (or x == 0). A loop counting down to 0, or counting
   * up to x, exits only at the iteration where its counter equals x, which
   * pins x below 2^W on every run that halts.
   */
  private assumeInRange(a: Val, b: Val, sel: Lin): void {
    if (!(sel.isConstant() && sel.constant === 1n)) return;
    const x =
      a.lin.isConstant() && a.lin.constant === 0n
        ? b
        : b.lin.isConstant() && b.lin.constant === 1n
          ? a
          : undefined;
    if (x === undefined || x.lin.isConstant() || this.options.checkNow?.has(x.lin.key())) return;
    const r = this.rangeOf(x);
    if (r !== undefined && (r.hi <= this.rangeLimit || r.lo > this.rangeLimit)) return;
    if (this.proven.has(x.lin.key()) || this.checks.get(x.lin.key())?.find(this.node)) return;
    this.obligations.push({ lin: x.lin, failed: false });
    this.learn(x, { lo: r?.lo ?? 0n, hi: this.rangeLimit });
  }

  /**
   * a < b from the ranges the operands lie in when this block runs (path
   * facts), when both are below 2^W there. With one operand a constant c
   * and the other known to be on one side of it, the comparison is an
   * equality: 0 < x with x >= 0 is x != 0 (the count-down loop's test);
   * c < x with x <= c + 1 is x == c + 1; x < c with x >= c - 1 is x == c - 1
   * (a counting loop's exit against a bound known to be at least the count).
   * NonZero is total, so it needs no gating. Otherwise the operands are gated
   * by the selector (0 when the block does not run, so LessThan stays
   * satisfiable) and compared at the width their ranges need. Undefined
   * when the ranges do not settle the comparison's operand range, or when
   * they hold for every assignment anyway (lessThanChecked handles that).
   */
  private lessThanByFacts(a: Val, b: Val, sel: Lin): Val | undefined {
    const limit = this.rangeLimit;
    const ra = this.rangeOf(a);
    const rb = this.rangeOf(b);
    if (ra === undefined || rb === undefined || ra.hi > limit || rb.hi > limit) return undefined;
    if (ra.hi < rb.lo) return constant(1n);
    if (ra.lo >= rb.hi) return constant(0n);
    const notEqual = (lin: Lin): Val => ({
      lin: this.nonZero({ lin }),
      max: 1n,
      zeroWhen: { value: 0n, lin },
    });
    const equal = (lin: Lin): Val => ({
      lin: Lin.ONE.sub(this.nonZero({ lin })),
      max: 1n,
      zeroWhen: { value: 1n, lin },
    });
    if (a.lin.isConstant()) {
      const c = a.lin.constant;
      if (rb.lo >= c) return notEqual(b.lin.sub(a.lin));
      if (rb.hi <= c + 1n) return equal(b.lin.sub(Lin.constant(c + 1n)));
    }
    if (b.lin.isConstant()) {
      const c = b.lin.constant;
      if (ra.hi <= c) return notEqual(b.lin.sub(a.lin));
      if (c >= 1n && ra.lo >= c - 1n) return equal(a.lin.sub(Lin.constant(c - 1n)));
    }
    const maxA = this.maxOf(a);
    const maxB = this.maxOf(b);
    const unconditional =
      (a.lin.isConstant() || (maxA !== undefined && maxA <= limit)) &&
      (b.lin.isConstant() || (maxB !== undefined && maxB <= limit));
    // A range check that dominates this block is cheaper to reuse (its bits) than a new comparison.
    const checked = (v: Val) =>
      this.proven.has(v.lin.key()) || this.checks.get(v.lin.key())?.find(this.node) !== undefined;
    if (unconditional || checked(a) || checked(b)) return undefined;
    for (const v of [a, b]) {
      if (this.obligations.some((o) => o.lin.equals(v.lin))) this.wide.add(v.lin.key());
    }
    const gate = (v: Val) => (v.lin.isConstant() ? v.lin : this.product(sel, v.lin, "gated"));
    const x = gate(a);
    const y = gate(b);
    const name = this.fresh("lt");
    this.lessThanGadget(name, bitLength(ra.hi > rb.hi ? ra.hi : rb.hi), x, y);
    return { lin: Lin.signal(name), max: 1n };
  }

  /**
   * a < b with operands known (for every assignment) or range checked to be
   * below 2^W.
   */
  private lessThanChecked(a: Val, b: Val, sel: Lin): Val {
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
    // An operand assumed below 2^W at a test every run executes (an
    // obligation) and range checked here anyway: cheaper checked once there.
    if (this.obligations.some((o) => o.lin.equals(v.lin))) this.wide.add(key);
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

  /** A long selector as a signal, remembering its definition (see `unfoldSelectors`). */
  private materializeSelector(sel: Lin, name: string): Lin {
    const signal = this.materialize(sel, name);
    if (!signal.equals(sel)) this.selectorDefs.set(name, sel);
    return signal;
  }

  /**
   * A selector with each selector signal replaced by its definition, when
   * that form is shorter or a known product of NonZero tests: where the arms of a branch join, sel_b3 + taken
   * with sel_b3 = s - taken is s again, a form whose NonZero exclusions are
   * known (a counting loop's "still running" stays linear, see `product`).
   * An identity: sel_b3 is constrained to equal its definition.
   */
  private unfoldSelectors(sel: Lin): Lin {
    const parts: Lin[] = [];
    let unfolded = false;
    for (const [name, k] of sel.terms) {
      const def = this.selectorDefs.get(name);
      if (def !== undefined) unfolded = true;
      parts.push(def !== undefined ? def.scale(k) : Lin.signal(name).scale(k));
    }
    if (!unfolded) return sel;
    const expanded = Lin.sum([...parts, Lin.constant(sel.constant)]);
    return expanded.terms.size < sel.terms.size || this.exclusions.has(expanded.key())
      ? expanded
      : sel;
  }

  /**
   * Block step t → t+1: split selectors along the taken edges, force edges
   * that cannot halt in time to carry nothing, and merge stack slots and
   * memory cells over the candidates.
   */
  private transition(t: number, results: BlockResult[], state: State): State {
    this.pc = undefined;
    const nextCandidates = new Set((this.schedule.steps[t + 1] ?? []).map((c) => c.block.id));
    // The edges the schedule kept out of each candidate of this step: a flow
    // along any other edge is constrained to 0, also when its target is a
    // candidate at t + 1 through another, shorter edge. The schedule's
    // maxBefore and maxHaltingSteps (hence whether a step counter is needed)
    // count kept edges only, so no run may take a pruned one.
    const kept = new Map(this.schedule.steps[t]!.map((c) => [c.block.id, c.next]));
    const incoming = new Map<number, Lin>();
    let halts = false;
    for (const r of results) {
      for (const flow of r.flows) {
        if (flow.to === "halt") {
          halts = true;
        } else if (kept.get(r.block.id)!.includes(flow.to)) {
          incoming.set(flow.to, (incoming.get(flow.to) ?? Lin.ZERO).add(flow.sel));
        } else if (!flow.sel.isConstant()) {
          // A pruned edge into a candidate still adds its flow to the
          // candidate's selector (so that the selectors stay one-hot as
          // written), and the line below makes that flow 0.
          if (nextCandidates.has(flow.to)) {
            incoming.set(flow.to, (incoming.get(flow.to) ?? Lin.ZERO).add(flow.sel));
          }
          this.emit({
            kind: "assert",
            left: flow.sel,
            right: Lin.ZERO,
            why: nextCandidates.has(flow.to)
              ? `no run through this edge into block ${flow.to} halts within N steps (pruned edge)`
              : `block ${flow.to} cannot reach STOP within N steps from here`,
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
      // A short selector stays a linear form, so that where two arms join,
      // taken + (sel - taken) is recognised as the parent selector sel (the
      // constant 1 after a branch in straight-line code); a long one becomes
      // a signal, so that forms do not grow along the unrolled steps.
      const sel = this.unfoldSelectors(incoming.get(id) ?? Lin.ZERO);
      selectors.set(
        id,
        sel.terms.size <= SELECTOR_TERMS
          ? sel
          : this.materializeSelector(sel, `sel_${t + 1}_b${id}`),
      );
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
    const facts = this.factsAcross(nextCandidates, results, state, memory, stack);
    return {
      stack,
      memory,
      selectors,
      mayHaveHalted: state.mayHaveHalted || halts,
      facts,
      pins: this.pinsAcross(nextCandidates, results),
    };
  }

  /**
   * The pins of each next candidate: those every edge into it has, with one
   * value. A halting edge without a pin (below 2^W) of an obligation's
   * operand fails that obligation.
   */
  private pinsAcross(
    next: ReadonlySet<number>,
    results: readonly BlockResult[],
  ): Map<number, Pins> {
    const pins = new Map<number, Pins>();
    const flows = results.flatMap((r) =>
      r.flows.filter((f) => !(f.sel.isConstant() && f.sel.constant === 0n)),
    );
    for (const f of flows) {
      if (f.to !== "halt") continue;
      for (const o of this.obligations) {
        const v = f.pins.get(o.lin.key());
        if (v === undefined || v > this.rangeLimit) o.failed = true;
      }
    }
    if (this.obligations.length === 0) return pins;
    for (const id of next) {
      const into = flows.filter((f) => f.to === id);
      if (into.length === 0) continue;
      const common: Pins = new Map();
      for (const [key, v] of into[0]!.pins) {
        if (into.every((f) => f.pins.get(key) === v)) common.set(key, v);
      }
      if (common.size > 0) pins.set(id, common);
    }
    return pins;
  }

  /**
   * The path facts of each next candidate B: if B runs, exactly one edge
   * into it was taken (selectors are one-hot), so each merged memory cell
   * or stack slot holds the value it had at the end of that edge's block,
   * and lies in the hull of its ranges over the edges into B.
   */
  private factsAcross(
    next: ReadonlySet<number>,
    results: readonly BlockResult[],
    state: State,
    memory: ReadonlyMap<number, Val>,
    stack: readonly Val[],
  ): Map<number, Facts> {
    const facts = new Map<number, Facts>();
    for (const id of next) {
      const edges = results.flatMap((r) =>
        r.flows
          .filter((f) => f.to === id && !(f.sel.isConstant() && f.sel.constant === 0n))
          .map((f) => ({ r, f })),
      );
      if (edges.length === 0) continue;
      const known: Facts = new Map();
      const hull = (merged: Val, valueAt: (r: BlockResult) => Val | undefined) => {
        if (merged.lin.isConstant()) return;
        let lo: bigint | undefined;
        let hi: bigint | undefined;
        for (const { r, f } of edges) {
          const v = valueAt(r);
          if (v === undefined) return;
          const range = this.withFacts(f.facts, () => this.rangeOf(v));
          if (range === undefined) return;
          lo = lo === undefined || range.lo < lo ? range.lo : lo;
          hi = hi === undefined || range.hi > hi ? range.hi : hi;
        }
        if (lo === undefined || hi === undefined) return;
        const max = this.maxOf(merged);
        if (max !== undefined && lo === 0n && hi >= max) return;
        const key = merged.lin.key();
        const seen = known.get(key);
        known.set(key, seen === undefined ? { lo, hi } : intersect(seen, { lo, hi }));
      };
      for (const [cell, merged] of memory) {
        hull(merged, (r) =>
          this.liveOut[r.block.id]!.has(cell)
            ? (r.writes.get(cell) ?? state.memory.get(cell) ?? ZERO)
            : undefined,
        );
      }
      const height = this.program.blocks[id]!.heightIn;
      for (let i = 0; i < height; i++) hull(stack[i]!, (r) => r.stack[i]);
      // Facts about other forms (a difference a - b from a comparison) hold on
      // as long as every edge in has them; a few are kept, so that the facts
      // carried from step to step stay bounded.
      // Newest first: the facts of the last comparisons are the ones still useful.
      for (const [key, range] of [...edges[0]!.f.facts].reverse()) {
        if (known.size >= CARRIED_FACTS) break;
        if (known.has(key)) continue;
        let lo = range.lo;
        let hi = range.hi;
        for (const { f } of edges.slice(1)) {
          const other = f.facts.get(key);
          if (other === undefined) {
            hi = -1n;
            break;
          }
          lo = min(lo, other.lo);
          hi = max(hi, other.hi);
        }
        if (hi >= lo) known.set(key, { lo, hi });
      }
      if (known.size > 0) facts.set(id, known);
    }
    return facts;
  }

  /** One value out of several, by one-hot selectors (see `selectOne`), with the bound of them all. */
  private merge(options: Array<{ sel: Lin; val: Val }>, name: string): Val {
    const { distinct, value } = selectOne(
      options,
      (v) => v.lin,
      (a, b) => this.product(a, b, "mix"),
    );
    if (distinct.length === 1) return distinct[0]!.val;
    const maxes = distinct.map((g) => this.maxOf(g.val));
    const max = maxes.every((m) => m !== undefined)
      ? (maxes as bigint[]).reduce((a, b) => (a > b ? a : b), 0n)
      : undefined;
    return { lin: this.materialize(value, name), ...(max !== undefined ? { max } : {}) };
  }
}

/**
 * One value out of several, by one-hot selectors: base + Σ sel_g * (val_g - base)
 * over the distinct values g (options with equal values have their selectors
 * added), with the base chosen so that as many differences as possible are
 * constants (and so free). `product` makes each remaining difference's
 * constraint. Shared by the block-step and the by-path lowerings.
 */
export function selectOne<V>(
  options: ReadonlyArray<{ sel: Lin; val: V }>,
  lin: (v: V) => Lin,
  product: (a: Lin, b: Lin) => Lin,
): { distinct: Array<{ sel: Lin; val: V }>; value: Lin } {
  const groups = new Map<string, { sel: Lin; val: V }>();
  for (const o of options) {
    const key = lin(o.val).key();
    const g = groups.get(key);
    groups.set(key, { sel: (g?.sel ?? Lin.ZERO).add(o.sel), val: o.val });
  }
  const distinct = [...groups.values()];
  if (distinct.length === 1) return { distinct, value: lin(distinct[0]!.val) };
  let base = distinct[0]!;
  let bestCost = Infinity;
  for (const candidate of distinct) {
    const c = distinct.filter(
      (g) => g !== candidate && !lin(g.val).sub(lin(candidate.val)).isConstant(),
    ).length;
    if (c < bestCost) {
      bestCost = c;
      base = candidate;
    }
  }
  let value = lin(base.val);
  for (const g of distinct) {
    if (g === base) continue;
    value = value.add(product(g.sel, lin(g.val).sub(lin(base.val))));
  }
  return { distinct, value };
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
