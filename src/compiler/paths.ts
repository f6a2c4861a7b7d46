/**
 * Lowering by control paths: the alternative to the block-step schedule for
 * programs whose control flow depends on one input alone (SPEC "Steps").
 *
 * When every JUMPI condition is a constant or a comparison of one input n
 * with constants (loop counters that start at constants and are stepped by
 * constants, compared against n), the path an execution takes is a function
 * of n only. Then:
 *
 * - Running the control flow once with n "larger than every constant it is
 *   compared with" gives the path of every large n; when that path does not
 *   halt within N, the accepted n are among 0..M (M the largest constant
 *   compared), and running each of those gives the set D of n that halt.
 * - The circuit checks n ∈ D by one-hot equality (hit[m] = IsEqual(n, m),
 *   Σ hit = 1), as a hand-written circuit would: this also rules out every
 *   n that faults or does not halt, so no comparison needs a range check.
 * - The paths are merged into a graph whose nodes are (block, constant
 *   cells and stack slots live there, how often this path has been there):
 *   for a loop nest over counters, a node is one iteration, shared by every
 *   n that runs it. A node's selector, and each edge's, is Σ hit[m] over the
 *   m whose path passes there: linear, no constraint. Data values flow along
 *   the edges and are merged where edges meet (one product per distinct
 *   incoming value), and the outputs are merged over the STOP nodes.
 *
 * When the analysis does not apply (control on a second input or on data,
 * a cycle in the graph, too many paths to enumerate), `planPaths` returns
 * undefined and the block-step lowering is used.
 */
import { mod, P } from "../field.js";
import { Op } from "../opcodes.js";
import type { ValidatedProgram } from "../validator.js";
import { liveness } from "./analysis.js";
import type { Node, Sink } from "./ir.js";
import { Lin } from "./linear.js";
import { inputSignal, outputSignal, selectOne } from "./lower.js";

/** Instructions simulated over all paths before the analysis gives up. */
const MAX_SIMULATED = 4_000_000;
/** Most values of the control input enumerated. */
const MAX_DOMAIN = 4096;
/** Most nodes of the path graph. */
const MAX_NODES = 100_000;
/** Instructions simulated over all class tuples of several control inputs. */
const MAX_SIMULATED_MANY = 20_000_000;
/** Most class tuples of several control inputs. */
const MAX_TUPLES = 20_000;

/** A value during the control simulation: a constant, a control input, a comparison result, or data. */
type Abs =
  | { readonly k: "const"; readonly v: bigint; readonly from?: readonly number[] }
  | { readonly k: "ctl"; readonly i: number }
  | { readonly k: "cmp"; readonly v: bigint }
  | { readonly k: "data" };

interface PathNode {
  readonly block: number;
  /** The halting class tuples whose path passes through this node (ids into PathPlan.tuples). */
  readonly through: number[];
  /** Per comparison instruction (pc) involving a control input: the tuples for which it gives 1. */
  readonly ones: Map<number, number[]>;
  /** Successor node index → the tuples whose path takes that edge. */
  readonly edges: Map<number, number[]>;
  /** Whether the node ends in STOP. */
  halts: boolean;
}

/**
 * A control input and its classes: each value of `values` is a class of its
 * own (IsEqual in the circuit); every other value of the field is the class
 * `rest` (class index values.length), whose runs take one path.
 */
export interface ControlInput {
  readonly name: string;
  readonly cell: number;
  /** The values that are classes of their own, ascending. */
  readonly values: readonly bigint[];
  /** Whether some run of the class "every other value" halts (otherwise the circuit rules it out). */
  readonly rest: boolean;
}

export interface PathPlan {
  /** The first control input (the only one when the control flow depends on one input). */
  readonly control: { readonly name: string; readonly cell: number };
  /** The first control input's values that are classes of their own (one input: exactly those that halt within N). */
  readonly domain: readonly bigint[];
  /** The inputs the control flow depends on. */
  readonly controls: readonly ControlInput[];
  /** The class tuples whose run halts within N: tuples[t][d] is a class index of controls[d]. */
  readonly tuples: ReadonlyArray<readonly number[]>;
  /** The steps of each halting tuple's run. */
  readonly tupleSteps: readonly number[];
  /** The step bound N. */
  readonly steps: number;
  /** Nodes in topological order; node 0 is the entry. */
  readonly nodes: readonly PathNode[];
  /** Memory cells live on entry to each block, ascending (the only ones merged where paths meet). */
  readonly live: ReadonlyArray<readonly number[]>;
  /** The comparison width W (SPEC LT/GT: operands below 2^W). */
  readonly width: number;
  /**
   * Controls whose "every other value" class an LT/GT compares on a halting
   * path: the halting tuples (ids into `tuples`) whose run compares it. Such a
   * value must be below 2^W there (above, the run faults): one range check
   * each (see `lowerPaths`).
   */
  readonly ranged: ReadonlyArray<{ readonly control: number; readonly tuples: readonly number[] }>;
}

class NotApplicable extends Error {}

function tag(v: Abs | undefined): string {
  if (v === undefined) return "0";
  switch (v.k) {
    case "const":
      return `c${v.v}`;
    case "ctl":
      return `n${v.i}`;
    case "data":
      return "d";
    case "cmp":
      // A comparison result carried across blocks would need its value per path.
      throw new NotApplicable();
    default:
      return v satisfies never;
  }
}

/** A control input's value in a simulation: a value, or "large" (above every constant it is compared with). */
type ClassValue = bigint | "large";

interface Visit {
  readonly key: string;
  readonly block: number;
  readonly ones: Map<number, boolean>;
}

/**
 * The control simulation of one tuple of control input values. Returns the
 * blocks visited with their node keys and comparison results (when
 * `record`), whether it halted within `bound` steps without a fault, the
 * largest constant each large input was compared with, and which large
 * inputs an LT/GT compared on the way (SPEC LT: a large value of 2^W or more
 * faults there, so such a run's class is not one path).
 */
function simulate(
  program: ValidatedProgram,
  live: ReadonlyArray<readonly number[]>,
  controlCells: readonly number[],
  tuple: readonly ClassValue[],
  bound: number,
  width: number,
  budget: { left: number },
  record: boolean,
  keyed?: ReadonlySet<number>,
) {
  const limit = 1n << BigInt(width);
  // Cells whose constant values reached a comparison or a JUMPI (see `keyed`).
  const used = new Set<number>();
  const use = (...vs: Abs[]) => {
    for (const v of vs)
      if (v.k === "const" && v.from !== undefined) for (const c of v.from) used.add(c);
  };
  const from = (a: Abs, b: Abs): readonly number[] | undefined => {
    const cells = [
      ...(a.k === "const" ? (a.from ?? []) : []),
      ...(b.k === "const" ? (b.from ?? []) : []),
    ];
    return cells.length === 0 ? undefined : [...new Set(cells)];
  };
  const memory = new Map<number, Abs>();
  for (const input of program.io.inputs) {
    const i = controlCells.indexOf(input.cell);
    memory.set(input.cell, i >= 0 ? { k: "ctl", i } : { k: "data" });
  }
  let stack: Abs[] = [];
  const visits: Visit[] = [];
  const seen = new Map<string, number>();
  let steps = 0;
  const largest = tuple.map(() => -1n);
  const comparedLarge = tuple.map(() => false);
  // The largest constant compared with a large input: past MAX_DOMAIN, too many values to enumerate.
  const note = (i: number, c: bigint) => {
    if (c > largest[i]!) largest[i] = c;
    if (c >= BigInt(MAX_DOMAIN)) throw new NotApplicable();
  };
  const valueOf = (v: Abs): bigint | undefined => {
    if (v.k === "const") return v.v;
    if (v.k === "ctl") {
      const c = tuple[v.i]!;
      return c === "large" ? undefined : c;
    }
    throw new NotApplicable();
  };
  // Two sides of a comparison, one at least a control input. Undefined: a
  // large input against something known (`large` says which side), or the
  // same large input on both sides; two different large inputs cannot be decided.
  const sides = (a: Abs, b: Abs) => {
    const x = valueOf(a);
    const y = valueOf(b);
    if (x === undefined && y === undefined) {
      if (a.k === "ctl" && b.k === "ctl" && a.i === b.i) return { same: true as const };
      throw new NotApplicable();
    }
    if (x === undefined) note((a as { i: number }).i, y!);
    if (y === undefined) note((b as { i: number }).i, x!);
    return { x, y };
  };
  // a < b (SPEC LT: operands below 2^W).
  const less = (a: Abs, b: Abs): bigint | "fault" => {
    if (a.k === "data" || b.k === "data" || a.k === "cmp" || b.k === "cmp")
      throw new NotApplicable();
    for (const v of [a, b]) if (v.k === "ctl" && tuple[v.i] === "large") comparedLarge[v.i] = true;
    const s = sides(a, b);
    if ("same" in s) return 0n;
    const { x, y } = s;
    if ((x !== undefined && x >= limit) || (y !== undefined && y >= limit)) return "fault";
    if (x !== undefined && y !== undefined) return x < y ? 1n : 0n;
    // large < c is false, c < large is true, for every constant c it was compared with.
    return x === undefined ? 0n : 1n;
  };
  let block = program.blocks[0]!;
  for (;;) {
    let visit: Visit | undefined;
    if (record) {
      const keyParts = [`${block.id}`, ...stack.map(tag)];
      // A cell whose constant never decides a branch (keyed says which do) is keyed as data.
      for (const c of live[block.id]!) {
        const v = memory.get(c);
        const asData = keyed !== undefined && !keyed.has(c) && (v === undefined || v.k === "const");
        keyParts.push(`${c}:${asData ? "d" : tag(v)}`);
      }
      const base = keyParts.join("|");
      const occurrence = seen.get(base) ?? 0;
      seen.set(base, occurrence + 1);
      visit = { key: `${base}#${occurrence}`, block: block.id, ones: new Map() };
      visits.push(visit);
    } else {
      // Still rule out comparison results carried across blocks.
      for (const v of stack) tag(v);
    }
    let next: number | undefined;
    for (const ins of block.instructions) {
      steps++;
      if (--budget.left < 0) throw new NotApplicable();
      if (steps > bound) return { visits, halted: false, largest, comparedLarge, steps, used };
      switch (ins.op) {
        case Op.PUSH:
          stack.push({ k: "const", v: ins.arg! });
          break;
        case Op.ADD:
        case Op.MUL: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          if (a.k === "const" && b.k === "const") {
            const v = ins.op === Op.ADD ? mod(a.v + b.v) : mod(a.v * b.v);
            const cells = from(a, b);
            stack.push(cells === undefined ? { k: "const", v } : { k: "const", v, from: cells });
          } else stack.push({ k: "data" });
          break;
        }
        case Op.STORE:
          memory.set(Number(ins.arg), stack.pop()!);
          break;
        case Op.LOAD:
          {
            const cell = Number(ins.arg);
            const v = memory.get(cell) ?? { k: "const", v: 0n };
            stack.push(
              v.k === "const"
                ? { k: "const", v: v.v, from: [...new Set([...(v.from ?? []), cell])] }
                : v,
            );
          }
          break;
        case Op.EQ: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          use(a, b);
          if (a.k === "data" || b.k === "data" || a.k === "cmp" || b.k === "cmp")
            throw new NotApplicable();
          if (a.k === "const" && b.k === "const") {
            stack.push({ k: "const", v: a.v === b.v ? 1n : 0n });
            break;
          }
          const s = sides(a, b);
          // large == c is false; large == large (the same input) is true.
          const r = "same" in s ? 1n : s.x !== undefined && s.x === s.y ? 1n : 0n;
          visit?.ones.set(ins.offset, r === 1n);
          stack.push({ k: "cmp", v: r });
          break;
        }
        case Op.LT:
        case Op.GT: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          use(a, b);
          const r = ins.op === Op.LT ? less(a, b) : less(b, a);
          if (r === "fault") return { visits, halted: false, largest, comparedLarge, steps, used };
          if (a.k === "const" && b.k === "const") stack.push({ k: "const", v: r });
          else {
            visit?.ones.set(ins.offset, r === 1n);
            stack.push({ k: "cmp", v: r });
          }
          break;
        }
        case Op.JUMP:
          next = program.blockAt.get(Number(ins.arg))!;
          break;
        case Op.JUMPI: {
          const c = stack.pop()!;
          use(c);
          let taken: boolean;
          if (c.k === "const" || c.k === "cmp") taken = c.v !== 0n;
          else if (c.k === "ctl") {
            // A control input itself as a condition: n != 0 (large: true).
            const v = tuple[c.i]!;
            if (v === "large") note(c.i, 0n);
            taken = v === "large" || v !== 0n;
            visit?.ones.set(ins.offset, taken);
          } else throw new NotApplicable();
          next = program.blockAt.get(taken ? Number(ins.arg) : ins.offset + ins.size)!;
          break;
        }
        case Op.STOP:
          return { visits, halted: true, largest, comparedLarge, steps, used };
        default:
          return ins.op satisfies never;
      }
    }
    if (next === undefined) {
      const last = block.instructions[block.instructions.length - 1]!;
      next = program.blockAt.get(last.offset + last.size)!;
    }
    stack = stack.slice(0, program.blocks[next]!.heightIn);
    block = program.blocks[next]!;
  }
}

/** Adds a halting run's visits to the path graph, for tuple id `t`. */
function addRun(
  visits: readonly Visit[],
  t: number,
  nodes: PathNode[],
  index: Map<string, number>,
): void {
  let previous: PathNode | undefined;
  for (const visit of visits) {
    let id = index.get(visit.key);
    if (id === undefined) {
      id = nodes.length;
      if (id >= MAX_NODES) throw new NotApplicable();
      index.set(visit.key, id);
      nodes.push({
        block: visit.block,
        through: [],
        ones: new Map(),
        edges: new Map(),
        halts: false,
      });
    }
    const node = nodes[id]!;
    node.through.push(t);
    for (const [pc, one] of visit.ones) {
      if (!node.ones.has(pc)) node.ones.set(pc, []);
      if (one) node.ones.get(pc)!.push(t);
    }
    if (previous !== undefined) {
      if (!previous.edges.has(id)) previous.edges.set(id, []);
      previous.edges.get(id)!.push(t);
    }
    previous = node;
  }
  previous!.halts = true;
}

/**
 * The path plan of a program, or undefined when its control flow does not
 * depend on its inputs' values alone through comparisons with constants
 * (one input: `planOne`; several: `planMany`).
 */
export function planPaths(
  program: ValidatedProgram,
  bound: number,
  width: number,
): PathPlan | undefined {
  const outputs = new Set(program.io.outputs.map((o) => o.cell));
  // Sorted once: the simulation keys every block visit by them.
  const live = liveness(program, outputs).liveIn.map((cells) => [...cells].sort((a, b) => a - b));
  return planOne(program, live, bound, width) ?? planMany(program, live, bound, width);
}

/** The control flow depends on one input alone: its values that halt are enumerated. */
function planOne(
  program: ValidatedProgram,
  live: ReadonlyArray<readonly number[]>,
  bound: number,
  width: number,
): PathPlan | undefined {
  // One budget over every candidate input, so that the analysis stays bounded however many inputs there are.
  const budget = { left: MAX_SIMULATED };
  for (const control of program.io.inputs) {
    try {
      const cells = [control.cell];
      const large = simulate(program, live, cells, ["large"], bound, width, budget, false);
      // Every large value halts: the input is not bounded by halting (the block-step lowering handles it).
      if (large.halted) continue;
      const index = new Map<string, number>();
      const nodes: PathNode[] = [];
      const domain: bigint[] = [];
      const tupleSteps: number[] = [];
      for (let m = 0n; m <= large.largest[0]! || m === 0n; m++) {
        const run = simulate(program, live, cells, [m], bound, width, budget, true);
        if (!run.halted) continue;
        tupleSteps.push(run.steps);
        addRun(run.visits, domain.length, nodes, index);
        domain.push(m);
      }
      if (domain.length < 2) continue;
      const order = topological(nodes);
      if (order === undefined) continue;
      const ctl = { name: control.name, cell: control.cell };
      return {
        control: ctl,
        domain,
        controls: [{ ...ctl, values: domain, rest: false }],
        tuples: domain.map((_, i) => [i]),
        tupleSteps,
        steps: bound,
        nodes: order,
        live,
        width,
        ranged: [],
      };
    } catch (e) {
      if (e instanceof NotApplicable) continue;
      throw e;
    }
  }
  return undefined;
}

/**
 * The control flow depends on several inputs (a loop nest with one bound per
 * loop, loops in sequence on different counts, a decision tree): every input
 * compared with constants gets the classes 0..M (M the largest constant a
 * large value of it is compared with) and "large", and every tuple of
 * classes is simulated. Large values must take one path: a halting run may
 * not compare a large input by LT/GT (some of its values fault there).
 */
function planMany(
  program: ValidatedProgram,
  live: ReadonlyArray<readonly number[]>,
  bound: number,
  width: number,
): PathPlan | undefined {
  const inputs = program.io.inputs;
  if (inputs.length < 2) return undefined;
  const cells = inputs.map((i) => i.cell);
  const budget = { left: MAX_SIMULATED_MANY };
  try {
    const most = inputs.map(() => -1n);
    /** Cells whose constants decide a branch in some run: the only ones path nodes are keyed by. */
    const relevant = new Set<number>();
    let tuples: ClassValue[][];
    let halting: ClassValue[][];
    /** Per halting tuple: which inputs of class "every other value" an LT/GT compared. */
    let comparedLarge: boolean[][];
    for (;;) {
      tuples = [[]];
      for (const m of most) {
        const next: ClassValue[][] = [];
        for (const t of tuples) {
          for (let v = 0n; v <= m; v++) next.push([...t, v]);
          next.push([...t, "large"]);
        }
        tuples = next;
        if (tuples.length > MAX_TUPLES) return undefined;
      }
      halting = [];
      comparedLarge = [];
      let grown = false;
      for (const t of tuples) {
        const run = simulate(program, live, cells, t, bound, width, budget, false);
        for (const c of run.used) relevant.add(c);
        run.largest.forEach((c, d) => {
          if (c > most[d]!) {
            most[d] = c;
            grown = true;
          }
        });
        if (run.halted) {
          // A large value compared by LT/GT takes this path only below 2^W:
          // the circuit range checks it on these tuples (PathPlan.ranged).
          comparedLarge.push(run.comparedLarge);
          halting.push(t);
        }
      }
      if (!grown) break;
      // Control on one input alone is planOne's (or the block lowering's):
      // stop before enumerating its values against the others'.
      if (most.filter((m) => m >= 0n).length < 2 && tuples.length > 1) return undefined;
    }
    const dims = inputs.map((_, d) => d).filter((d) => most[d]! >= 0n);
    if (dims.length < 2 || halting.length < 2) return undefined;
    const controls: ControlInput[] = dims.map((d) => {
      const rest = halting.some((t) => t[d] === "large");
      const values: bigint[] = [];
      for (let v = 0n; v <= most[d]!; v++) {
        if (rest || halting.some((t) => t[d] === v)) values.push(v);
      }
      return { name: inputs[d]!.name, cell: inputs[d]!.cell, values, rest };
    });
    const index = new Map<string, number>();
    const nodes: PathNode[] = [];
    const classTuples: number[][] = [];
    const tupleSteps: number[] = [];
    let looped = false;
    for (const t of halting) {
      const run = simulate(program, live, cells, t, bound, width, budget, true, relevant);
      if (new Set(run.visits.map((v) => v.block)).size < run.visits.length) looped = true;
      tupleSteps.push(run.steps);
      addRun(run.visits, classTuples.length, nodes, index);
      classTuples.push(
        dims.map((d, j) => {
          const v = t[d]!;
          return v === "large" ? controls[j]!.values.length : controls[j]!.values.indexOf(v);
        }),
      );
    }
    const order = topological(nodes);
    if (order === undefined) return undefined;
    // An input that is not a control (compared only with itself) has no
    // class of its own to gate a range check by: such a plan is not used.
    if (comparedLarge.some((c) => c.some((x, d) => x && !dims.includes(d)))) return undefined;
    const ranged = dims
      .map((d, j) => ({
        control: j,
        tuples: halting.flatMap((_, t) => (comparedLarge[t]![d] === true ? [t] : [])),
      }))
      .filter((r) => r.tuples.length > 0);
    // Range checked "other values" pay off against a loop's comparisons per
    // iteration; without a loop the block lowering compares each once.
    if (ranged.length > 0 && !looped) return undefined;
    return {
      control: { name: controls[0]!.name, cell: controls[0]!.cell },
      domain: controls[0]!.values,
      controls,
      tuples: classTuples,
      tupleSteps,
      steps: bound,
      nodes: order,
      live,
      width,
      ranged,
    };
  } catch (e) {
    if (e instanceof NotApplicable) return undefined;
    throw e;
  }
}

/** The nodes in an order where every edge goes forward (entry first), or undefined on a cycle. */
function topological(nodes: readonly PathNode[]): PathNode[] | undefined {
  const indegree = nodes.map(() => 0);
  for (const n of nodes) for (const s of n.edges.keys()) indegree[s]!++;
  const ready = [0];
  const order: number[] = [];
  while (ready.length > 0) {
    const v = ready.pop()!;
    order.push(v);
    for (const s of nodes[v]!.edges.keys()) if (--indegree[s]! === 0) ready.push(s);
  }
  if (order.length !== nodes.length) return undefined;
  const position = new Map(order.map((v, i) => [v, i]));
  return order.map((v) => {
    const n = nodes[v]!;
    return { ...n, edges: new Map([...n.edges].map(([s, ms]) => [position.get(s)!, ms])) };
  });
}

/** Most boxes one selector is split into (see `lowerPaths`) before the lowering by path gives up. */
const MAX_BOXES = 1024;

/**
 * Lowers a path plan to intermediate-form nodes (see the module comment).
 * False when a selector would need more than MAX_BOXES products (the nodes
 * emitted so far are then to be discarded).
 */
export function lowerPaths(
  program: ValidatedProgram,
  plan: PathPlan,
  sink: Sink,
  useStepBound = false,
): boolean {
  try {
    lowerPathsOrThrow(program, plan, sink, useStepBound);
    return true;
  } catch (e) {
    if (e instanceof NotApplicable) return false;
    throw e;
  }
}

function lowerPathsOrThrow(
  program: ValidatedProgram,
  plan: PathPlan,
  sink: Sink,
  useStepBound: boolean,
): void {
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}${counter++}`;
  const emit = (node: Node) => sink(node);
  const { controls, tuples } = plan;
  const single = controls.length === 1;
  /** hits[d][c]: 1 if control d is its c-th value. */
  const hits: Lin[][] = [];
  const hitSignals = new Set<string>();
  for (const control of controls) {
    const x = Lin.signal(inputSignal(control.name));
    emit({ kind: "blank" });
    emit({
      kind: "comment",
      text: control.rest
        ? `---- ${control.name}: one-hot over ${describeValues(control.values)} and every other value`
        : `---- ${control.name} is one of the ${control.values.length} values whose run halts within N (one-hot)`,
    });
    const row: Lin[] = [];
    for (const m of control.values) {
      const signal = fresh("hit");
      hitSignals.add(signal);
      emit({
        kind: "gadget",
        signal,
        gadget: { name: "IsEqual", a: x, b: Lin.constant(m) },
        origin: { step: 0 },
      });
      row.push(Lin.signal(signal));
    }
    if (!control.rest) {
      emit({
        kind: "assert",
        left: Lin.sum(row),
        right: Lin.ONE,
        why: `${control.name} halts within N: one of ${describeValues(control.values)}`,
      });
    }
    hits.push(row);
  }
  /** The indicator of class c of control d. */
  const classIndicator = (d: number, c: number): Lin =>
    c < controls[d]!.values.length ? hits[d]![c]! : Lin.ONE.sub(Lin.sum(hits[d]!));
  /**
   * The classes each control can have in an accepted run: those of halting
   * runs when the one-hot above rules out the rest, otherwise all.
   */
  const universe = controls.map((control, d) =>
    control.rest
      ? Array.from({ length: control.values.length + 1 }, (_, c) => c)
      : [...new Set(tuples.map((t) => t[d]!))].sort((a, b) => a - b),
  );
  const universeSize = universe.reduce((p, u) => p * u.length, 1);
  /**
   * Σ of the indicators of a set of classes of control d; 1 - Σ over the
   * other classes of its universe when that is shorter (every accepted run's
   * class is in the universe, and exactly one class indicator is 1).
   */
  const classesIndicator = (d: number, classes: ReadonlySet<number>): Lin => {
    const others = universe[d]!.filter((c) => !classes.has(c));
    if (others.length === 0) return Lin.ONE;
    const direct = Lin.sum([...classes].map((c) => classIndicator(d, c)));
    const complement = Lin.ONE.sub(Lin.sum(others.map((c) => classIndicator(d, c))));
    return complement.terms.size < direct.terms.size ? complement : direct;
  };

  let step = 0;
  let pc: number | undefined;
  /** Products of two non-constant forms, each scaled to a leading coefficient 1, by key (several controls). */
  const productCache = new Map<string, Lin>();
  const product = (a: Lin, b: Lin, prefix: string): Lin => {
    if (a.isConstant()) return b.scale(a.constant);
    if (b.isConstant()) return a.scale(b.constant);
    if (!single) {
      // (ka·a' + ca)(kb·b' + cb) = ka·kb·(a'·b') + cb·(a - ca) + ca·(b - cb) + ca·cb:
      // one constraint a'·b', shared by every product of the same two forms.
      const ca = a.constant;
      const cb = b.constant;
      const a0 = a.sub(Lin.constant(ca));
      const b0 = b.sub(Lin.constant(cb));
      const lead = (l: Lin) => l.terms.get([...l.terms.keys()].sort()[0]!)!;
      const ka = lead(a0);
      const kb = lead(b0);
      const an = a0.scale(inverse(ka));
      const bn = b0.scale(inverse(kb));
      const [x, y] = an.key() <= bn.key() ? [an, bn] : [bn, an];
      const key = `${x.key()}*${y.key()}`;
      let p = productCache.get(key);
      if (p === undefined) {
        const signal = fresh(prefix);
        emit({
          kind: "product",
          signal,
          a: x,
          b: y,
          form: "plain",
          origin: pc === undefined ? { step } : { step, pc },
        });
        p = Lin.signal(signal);
        productCache.set(key, p);
      }
      return Lin.sum([p.scale(ka * kb), a0.scale(cb), b0.scale(ca), Lin.constant(ca * cb)]);
    }
    const signal = fresh(prefix);
    emit({
      kind: "product",
      signal,
      a,
      b,
      form: "plain",
      origin: pc === undefined ? { step } : { step, pc },
    });
    return Lin.signal(signal);
  };
  /** Products of class indicators, shared by every selector that needs one. */
  const products = new Map<string, Lin>();
  const sharedProduct = (a: Lin, b: Lin): Lin => {
    const key = `${a.key()}*${b.key()}`;
    let p = products.get(key);
    if (p === undefined) {
      p = product(a, b, "sel");
      products.set(key, p);
    }
    return p;
  };
  /**
   * The indicator of a set of halting tuples (ids), exact on every accepted
   * run: 1 exactly when the run's class tuple is in the set. Split into
   * boxes (products of one class set per control) B with B ∩ H = the set's
   * part in B, H the halting tuples (every accepted run is in H), or, when
   * `exact`, with B holding no tuple outside the set at all (the STOP
   * nodes' selectors, whose sum is what says the run is in H).
   */
  const boxes = (ids: readonly number[], exact: boolean, budget: { left: number }): Lin[][] => {
    if (ids.length === 0) return [];
    const projections = controls.map((_, d) => new Set(ids.map((t) => tuples[t]![d]!)));
    const inBox = (t: readonly number[]) => t.every((c, d) => projections[d]!.has(c));
    const size = projections.reduce((p, s) => p * s.size, 1);
    const fits = exact ? size === ids.length : tuples.filter(inBox).length === ids.length;
    if (fits) {
      if (--budget.left < 0) throw new NotApplicable();
      const factors = projections.map((s) => s as ReadonlySet<number>);
      if (!exact) {
        // Each control's classes widened as far as H allows: a class no
        // halting tuple outside the set has (with the other controls in the
        // box) may be added. A control the others already imply needs no
        // factor (the second of two loops in sequence: m > j implies
        // n <= K - m), and rows of a loop nest share their row's factor.
        const inSet = new Set(ids);
        controls.forEach((_, d) => {
          const excluded = new Set<number>();
          tuples.forEach((t, id) => {
            if (!inSet.has(id) && t.every((c, e) => e === d || factors[e]!.has(c)))
              excluded.add(t[d]!);
          });
          factors[d] = new Set(universe[d]!.filter((c) => !excluded.has(c)));
        });
      }
      const box: Lin[] = [];
      controls.forEach((_, d) => {
        const f = classesIndicator(d, factors[d]!);
        if (!(f.isConstant() && f.constant === 1n)) box.push(f);
      });
      return [box];
    }
    // Split along the control with the most classes in the set.
    let split = 0;
    projections.forEach((s, d) => {
      if (s.size > projections[split]!.size) split = d;
    });
    if (projections[split]!.size < 2) throw new NotApplicable();
    const parts = new Map<number, number[]>();
    for (const t of ids) {
      const c = tuples[t]![split]!;
      if (!parts.has(c)) parts.set(c, []);
      parts.get(c)!.push(t);
    }
    return [...parts.values()].flatMap((part) => boxes(part, exact, budget));
  };
  /** A box's indicator: the product of its factors. */
  const boxValue = (box: readonly Lin[]): Lin =>
    box.reduce((value, f) => sharedProduct(value, f), Lin.ONE);
  /** One control: Σ hit[m] over the values `ms`, a subset of `among` whose indicator is `all` (all - Σ over the rest when shorter). */
  const within = (ms: readonly number[], among: readonly number[], all: Lin): Lin => {
    if (ms.length * 2 <= among.length) return Lin.sum(ms.map((t) => hits[0]![t]!));
    const set = new Set(ms);
    return all.sub(Lin.sum(among.filter((t) => !set.has(t)).map((t) => hits[0]![t]!)));
  };
  const all = tuples.map((_, t) => t);
  /** The indicator of a set of halting tuples (see `boxes`). */
  const indicator = (ids: readonly number[], exact = false): Lin =>
    single
      ? within(ids, all, Lin.ONE)
      : Lin.sum(boxes(ids, exact, { left: MAX_BOXES }).map(boxValue));

  /**
   * The step bound: for each control whose "every other value" halts only
   * with the other controls in a box, rest * (1 - box) === 0; then
   * E(values) <= N by one LessThan(k), E the step count fitted to the
   * halting runs (see `stepBound`), with each control's value the linear
   * Σ value * hit (0 for the rest class).
   */
  const emitStepBound = (bound: StepBound): void => {
    emit({
      kind: "comment",
      text: `---- the inputs ${controls.map((c) => c.name).join(", ")} halt within N: the step count, bounded once`,
    });
    for (const { d, box } of bound.restBoxes) {
      let inBox = Lin.ONE;
      box.forEach((set, e) => {
        if (e !== d) inBox = sharedProduct(inBox, classesIndicator(e, set));
      });
      const rest = classIndicator(d, controls[d]!.values.length);
      const both = product(rest, inBox, "rest");
      emit({
        kind: "assert",
        left: rest,
        right: both,
        why: `${controls[d]!.name} is another value only where that run halts`,
      });
    }
    const value = controls.map((c, d) => Lin.sum(c.values.map((v, i) => hits[d]![i]!.scale(v))));
    let e = Lin.ZERO;
    bound.linear.forEach((a, d) => {
      e = e.add(value[d]!.scale(a));
    });
    for (const { d, e: other, b } of bound.pairs) {
      e = e.add(product(value[d]!, value[other]!, "steps").scale(b));
    }
    emit({
      kind: "assertLess",
      signal: fresh("within"),
      k: bound.k,
      a: e,
      b: Lin.constant(bound.limit + 1n),
      origin: { step: 0 },
    });
  };

  if (!single && universeSize !== tuples.length) {
    // Not every class tuple the one-hots allow halts.
    const names = controls.map((c) => c.name).join(", ");
    const bound = useStepBound ? stepBound(plan, universe) : undefined;
    const stops = plan.nodes.filter((node) => node.halts);
    emit({ kind: "blank" });
    if (bound !== undefined) {
      emitStepBound(bound);
    } else {
      // The STOP nodes' selectors, exact on every class tuple, sum to 1 exactly on those that halt.
      emit({
        kind: "comment",
        text: `---- the inputs ${names} halt within N: one STOP node runs`,
      });
      emit({
        kind: "assert",
        left: Lin.sum(stops.map((node) => indicator(node.through, true))),
        right: Lin.ONE,
        why: `(${names}) is one of the ${tuples.length} class tuples whose run halts within N`,
      });
    }
  }

  // An "other value" that an LT/GT compares on a halting path is below 2^W
  // there (SPEC LT: above, the run faults): one range check of the input
  // gated by the indicator of the tuples whose run compares it. Without it, a
  // value of 2^W or more would be taken down the path of the values below.
  for (const { control: d, tuples: ids } of plan.ranged) {
    const control = controls[d]!;
    emit({ kind: "blank" });
    emit({
      kind: "comment",
      text: `---- ${control.name}: an "other value" is compared by LT/GT on ${ids.length} class tuples: below 2^${plan.width} there`,
    });
    // The gate may also be 1 where the input is one of its own values below
    // 2^W (they pass the check anyway), with the other controls as in `ids`:
    // a wider set, whose indicator may need fewer factors.
    const limit = 1n << BigInt(plan.width);
    const others = controls.map((_, e) => new Set(ids.map((t) => tuples[t]![e]!)));
    const small = (c: number) => c < control.values.length && control.values[c]! < limit;
    const set = new Set(ids);
    const wide = tuples.flatMap((t, id) =>
      set.has(id) || (small(t[d]!) && t.every((c, e) => e === d || others[e]!.has(c))) ? [id] : [],
    );
    const gate = indicator(wide);
    const gated = product(gate, Lin.signal(inputSignal(control.name)), "compared");
    emit({
      kind: "gadget",
      signal: fresh("rangeRest"),
      gadget: { name: "Num2Bits", width: plan.width, x: gated },
      origin: { step: 0 },
    });
  }

  /**
   * One value out of several by one-hot selectors: base + Σ sel_g * (val_g - base).
   * One control, every value linear in its hits alone (a comparison result,
   * a constant): the merge is linear. Where the option for the values `ms` is
   * taken, n = m for one m in ms, and there val = c + k_m (its constant plus
   * its coefficient of hit[m]), so the merged value is Σ_m (c + k_m) * hit[m].
   */
  /**
   * Merged signals (several controls) and what they equal on halting tuples:
   * `val` of the group whose tuples hold the run's tuple, `base` on every
   * halting tuple in no group (the selectors are exact on halting tuples).
   */
  const merged = new Map<string, { base: Lin; groups: Array<{ ms: Set<number>; val: Lin }> }>();
  /** A form equal to `v` on every halting tuple in `ms`, found by following merges back. */
  const reduce = (v: Lin, ms: readonly number[]): Lin => {
    for (;;) {
      if (v.terms.size !== 1 || v.constant !== 0n) return v;
      const [name, k] = [...v.terms][0]!;
      const info = k === 1n ? merged.get(name) : undefined;
      if (info === undefined) return v;
      const inside = info.groups.find((g) => ms.every((t) => g.ms.has(t)));
      if (inside !== undefined) v = inside.val;
      else if (info.groups.every((g) => ms.every((t) => !g.ms.has(t)))) v = info.base;
      else return v;
    }
  };
  const merge = (
    options: Array<{ sel: () => Lin; ms: readonly number[]; val: Lin }>,
    name: string,
  ): Lin => {
    const first = options[0]!.val;
    if (options.every((o) => o.val.equals(first))) return first;
    // One option's value that equals every other option's value on that
    // option's (halting) tuples: a cell written under a loop's later
    // iterations, gated by selectors that are 0 where an earlier exit ran
    // (branchy's b at its STOP nodes is the last b). No merge is needed.
    if (!single) {
      for (const candidate of [...options].reverse()) {
        if (options.every((o) => reduce(candidate.val, o.ms).equals(reduce(o.val, o.ms))))
          return candidate.val;
      }
    }
    if (single && options.every((o) => [...o.val.terms.keys()].every((t) => hitSignals.has(t)))) {
      const terms: Lin[] = [];
      for (const o of options) {
        for (const t of o.ms) {
          const h = hits[0]![t]!;
          const at = o.val.constant + (o.val.terms.get([...h.terms.keys()][0]!) ?? 0n);
          terms.push(h.scale(at));
        }
      }
      return Lin.sum(terms);
    }
    let result: Lin;
    if (single) {
      result = selectOne(
        options.map((o) => ({ sel: o.sel(), val: o.val })),
        (v) => v,
        (a, b) => product(a, b, "mix"),
      ).value;
    } else {
      // Options with equal values are one group, whose selector is that of
      // the union of their tuples; the base is chosen as selectOne does.
      const groups = new Map<string, { ms: number[]; val: Lin }>();
      for (const o of options) {
        const g = groups.get(o.val.key());
        if (g === undefined) groups.set(o.val.key(), { ms: [...o.ms], val: o.val });
        else g.ms.push(...o.ms);
      }
      const distinct = [...groups.values()];
      let base = distinct[0]!;
      let bestCost = Infinity;
      for (const candidate of distinct) {
        const c = distinct.filter(
          (g) => g !== candidate && !g.val.sub(candidate.val).isConstant(),
        ).length;
        if (c < bestCost) {
          bestCost = c;
          base = candidate;
        }
      }
      const others = distinct
        .filter((g) => g !== base)
        .map((g) => ({
          boxes: boxes(g.ms, false, { left: MAX_BOXES }),
          diff: g.val.sub(base.val),
        }));
      // Σ sel_g * diff_g: when every selector is one box and they share a
      // factor A (the row of a loop nest), A * Σ (rest of the box)_g * diff_g,
      // whose inner products are shared between rows.
      const single1 = others.every((o) => o.boxes.length === 1 && o.boxes[0]!.length >= 2);
      const common = single1
        ? others[0]!.boxes[0]!.find((f) =>
            others.every((o) => o.boxes[0]!.some((g) => g.equals(f))),
          )
        : undefined;
      if (common !== undefined && others.length > 1) {
        const inner = Lin.sum(
          others.map((o) => {
            const rest = o.boxes[0]!.filter((f) => !f.equals(common));
            return product(boxValue(rest), o.diff, "mix");
          }),
        );
        result = base.val.add(product(common, inner, "mix"));
      } else {
        // Differences that are multiples c_g * D of one form D share one
        // product (Σ c_g * sel_g) * D: a count times a value, b = m * a.
        const directions = new Map<string, { d: Lin; sel: Lin[] }>();
        for (const o of others) {
          const lead = [...o.diff.terms.keys()].sort()[0];
          const k = lead === undefined ? o.diff.constant : o.diff.terms.get(lead)!;
          const d = o.diff.scale(inverse(k));
          const group = directions.get(d.key()) ?? { d, sel: [] };
          group.sel.push(Lin.sum(o.boxes.map(boxValue)).scale(k));
          directions.set(d.key(), group);
        }
        result = Lin.sum([
          base.val,
          ...[...directions.values()].map((g) => product(Lin.sum(g.sel), g.d, "mix")),
        ]);
      }
      if (result.isConstant()) return result;
      emit({ kind: "define", signal: name, value: result });
      merged.set(name, {
        base: base.val,
        groups: distinct.filter((g) => g !== base).map((g) => ({ ms: new Set(g.ms), val: g.val })),
      });
      return Lin.signal(name);
    }
    if (result.isConstant()) return result;
    emit({ kind: "define", signal: name, value: result });
    return Lin.signal(name);
  };

  const initial = new Map<number, Lin>();
  for (const input of program.io.inputs)
    initial.set(input.cell, Lin.signal(inputSignal(input.name)));
  interface Out {
    memory: Map<number, Lin>;
    stack: Lin[];
  }
  const outs = new Map<number, Out>();
  const incoming = plan.nodes.map(() => [] as Array<{ from: number; ms: number[] }>);
  plan.nodes.forEach((node, i) => {
    for (const [s, ms] of node.edges) incoming[s]!.push({ from: i, ms });
  });
  const pending = plan.nodes.map((node) => node.edges.size);
  const halting: Array<{ sel: () => Lin; ms: readonly number[]; memory: Map<number, Lin> }> = [];
  const describeRun = (ids: readonly number[]): string => {
    if (single) {
      const vs = ids.map((t) => controls[0]!.values[t]!);
      return vs.length === 1
        ? `${plan.control.name} = ${vs[0]}`
        : `${vs.length} values of ${plan.control.name}, ${vs[0]}..${vs[vs.length - 1]}`;
    }
    return `${ids.length} class tuples of (${controls.map((c) => c.name).join(", ")})`;
  };

  plan.nodes.forEach((node, i) => {
    step = i;
    pc = undefined;
    const block = program.blocks[node.block]!;
    let selValue: Lin | undefined;
    const sel = (): Lin => (selValue ??= indicator(node.through));
    emit({ kind: "blank" });
    emit({
      kind: "comment",
      text: `---- node ${i}: block ${block.id} @ pc ${block.start}, run for ${describeRun(node.through)}`,
    });
    let memory: Map<number, Lin>;
    let stack: Lin[];
    if (i === 0) {
      memory = new Map(initial);
      stack = [];
    } else {
      const ins = incoming[i]!.map((e) => ({
        sel: () => indicator(e.ms),
        ms: e.ms,
        out: outs.get(e.from)!,
      }));
      memory = new Map();
      // Only cells this block or a later one can read are merged (SPEC: dead values do not matter).
      for (const c of plan.live[block.id]!) {
        memory.set(
          c,
          merge(
            ins.map((e) => ({ sel: e.sel, ms: e.ms, val: e.out.memory.get(c) ?? Lin.ZERO })),
            `mem_${i}_c${c}`,
          ),
        );
      }
      stack = [];
      for (let s = 0; s < block.heightIn; s++) {
        stack.push(
          merge(
            ins.map((e) => ({ sel: e.sel, ms: e.ms, val: e.out.stack[s]! })),
            `stk_${i}_${s}`,
          ),
        );
      }
      for (const e of incoming[i]!) {
        if (--pending[e.from]! === 0) outs.delete(e.from);
      }
    }
    block.instructions.forEach((ins, k) => {
      pc = ins.offset;
      const line = program.lines?.get(ins.offset);
      emit({
        kind: "instruction",
        pc: ins.offset,
        ...(line !== undefined ? { line } : {}),
        op: Op[ins.op] + (ins.arg !== undefined ? ` ${ins.arg}` : ""),
        step,
      });
      switch (ins.op) {
        case Op.PUSH:
          stack.push(Lin.constant(ins.arg!));
          break;
        case Op.ADD: {
          const b = stack.pop()!;
          stack.push(stack.pop()!.add(b));
          break;
        }
        case Op.MUL: {
          const b = stack.pop()!;
          stack.push(product(stack.pop()!, b, "v"));
          break;
        }
        case Op.STORE:
          memory.set(Number(ins.arg), stack.pop()!);
          break;
        case Op.LOAD:
          stack.push(memory.get(Number(ins.arg)) ?? Lin.ZERO);
          break;
        case Op.EQ:
        case Op.LT:
        case Op.GT: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          if (a.isConstant() && b.isConstant()) {
            const x = a.constant;
            const y = b.constant;
            const r = ins.op === Op.EQ ? x === y : ins.op === Op.LT ? x < y : x > y;
            stack.push(Lin.constant(r ? 1n : 0n));
          } else if (single) {
            // The comparison's result on the paths through this node, per value of the control input.
            stack.push(within(node.ones.get(ins.offset) ?? [], node.through, sel()));
          } else if (block.instructions[k + 1]?.op === Op.JUMPI) {
            // Only the JUMPI right after reads it, and the path graph already took the branch.
            stack.push(Lin.ZERO);
          } else {
            stack.push(indicator(node.ones.get(ins.offset) ?? []));
          }
          break;
        }
        case Op.JUMPI:
          stack.pop();
          break;
        case Op.JUMP:
        case Op.STOP:
          break;
        default:
          return ins.op satisfies never;
      }
    });
    if (node.halts) halting.push({ sel, ms: node.through, memory });
    if (node.edges.size > 0) outs.set(i, { memory, stack });
  });

  pc = undefined;
  emit({ kind: "blank" });
  emit({ kind: "comment", text: "---- outputs: final memory cells, by the STOP node that ran" });
  for (const out of program.io.outputs) {
    const value = merge(
      halting.map((h) => ({ sel: h.sel, ms: h.ms, val: h.memory.get(out.cell) ?? Lin.ZERO })),
      `final_c${out.cell}`,
    );
    emit({ kind: "output", signal: outputSignal(out.name), value });
  }
}

interface StepBound {
  /** Coefficient of each control's value in E' = (E - c0) / g. */
  readonly linear: readonly bigint[];
  /** Coefficients of products of two controls' values in E'. */
  readonly pairs: ReadonlyArray<{ d: number; e: number; b: bigint }>;
  /** E <= N exactly when E' <= limit = (N - c0) / g, rounded down. */
  readonly limit: bigint;
  /** Controls whose rest class halts only with the others' classes in `box`. */
  readonly restBoxes: ReadonlyArray<{ d: number; box: ReadonlyArray<ReadonlySet<number>> }>;
  /** LessThan's width. */
  readonly k: number;
}

/**
 * A step bound that decides exactly which class tuples halt, or undefined.
 * E = c0 + Σ a_d v_d + Σ b_de v_d v_e (v_d a control's value, 0 for its
 * rest class) is fitted on the runs at values 0 and 1, then checked on
 * every class tuple the one-hots allow: a tuple passes the rest boxes and
 * has 0 <= E <= N exactly when its run halts, and E < 2^k everywhere it is
 * compared, so that LessThan(k) is exact. The fit is only a guess; the
 * check over every tuple is what the circuit relies on.
 */
function stepBound(
  plan: PathPlan,
  universe: ReadonlyArray<readonly number[]>,
): StepBound | undefined {
  const { controls, tuples, tupleSteps } = plan;
  const D = controls.length;
  const steps = new Map(tuples.map((t, i) => [t.join(","), BigInt(tupleSteps[i]!)]));
  const valueOf = (d: number, c: number): bigint =>
    c < controls[d]!.values.length ? controls[d]!.values[c]! : 0n;
  const at = (ones: readonly number[]): bigint | undefined => {
    const t = controls.map((c, d) => c.values.indexOf(ones.includes(d) ? 1n : 0n));
    if (t.some((c) => c < 0)) return undefined;
    return steps.get(t.join(","));
  };
  const c0 = at([]);
  if (c0 === undefined) return undefined;
  const linear: bigint[] = [];
  for (let d = 0; d < D; d++) {
    const s = at([d]);
    if (s === undefined) return undefined;
    linear.push(s - c0);
  }
  const pairs: Array<{ d: number; e: number; b: bigint }> = [];
  for (let d = 0; d < D; d++) {
    for (let e = d + 1; e < D; e++) {
      const s = at([d, e]);
      if (s === undefined) return undefined;
      const b = s - c0 - linear[d]! - linear[e]!;
      if (b !== 0n) pairs.push({ d, e, b });
    }
  }
  // E <= N with every coefficient a multiple of g is E' = (E - c0) / g <=
  // (N - c0) / g rounded down: the narrower comparison.
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const abs = (a: bigint) => (a < 0n ? -a : a);
  const g = [...linear, ...pairs.map((q) => q.b)].reduce((x, y) => gcd(x, abs(y)), 0n);
  if (g === 0n || BigInt(plan.steps) < c0) return undefined;
  const limit = (BigInt(plan.steps) - c0) / g;
  for (let d = 0; d < D; d++) linear[d] = linear[d]! / g;
  for (const q of pairs) q.b /= g;
  const restBoxes: Array<{ d: number; box: Array<Set<number>> }> = [];
  for (let d = 0; d < D; d++) {
    const rest = controls[d]!.values.length;
    if (!controls[d]!.rest) continue;
    const R = tuples.filter((t) => t[d] === rest);
    const box = controls.map((_, e) => new Set(R.map((t) => t[e]!)));
    if (box.reduce((p, set) => p * set.size, 1) !== R.length) return undefined;
    if (box.every((set, e) => e === d || set.size === universe[e]!.length)) continue;
    restBoxes.push({ d, box });
  }
  const inH = new Set(tuples.map((t) => t.join(",")));
  let most = limit + 1n;
  let ok = true;
  const visit = (t: number[]): void => {
    if (!ok) return;
    if (t.length < D) {
      for (const c of universe[t.length]!) visit([...t, c]);
      return;
    }
    const passesRest = restBoxes.every(
      ({ d, box }) => t[d] !== controls[d]!.values.length || t.every((c, e) => box[e]!.has(c)),
    );
    let E = 0n;
    for (let d = 0; d < D; d++) E += linear[d]! * valueOf(d, t[d]!);
    for (const { d, e, b } of pairs) E += b * valueOf(d, t[d]!) * valueOf(e, t[e]!);
    if (passesRest && E < 0n) ok = false;
    if (passesRest && E > most) most = E;
    const accepted = passesRest && E <= limit;
    if (accepted !== inH.has(t.join(","))) ok = false;
  };
  visit([]);
  if (!ok) return undefined;
  const k = most.toString(2).length;
  if (k > 252) return undefined;
  return { linear, pairs, restBoxes, limit, k };
}

/** x^-1 mod p (Fermat). */
function inverse(x: bigint): bigint {
  let result = 1n;
  let base = mod(x);
  for (let e = P - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % P;
    base = (base * base) % P;
  }
  return result;
}

/** Ascending values as runs: "0..3, 5, 7..9". */
function describeValues(values: readonly bigint[]): string {
  const runs: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1n) j++;
    runs.push(j === i ? `${values[i]}` : `${values[i]}..${values[j]}`);
    i = j + 1;
  }
  return runs.join(", ");
}
