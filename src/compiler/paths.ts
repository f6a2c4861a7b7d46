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
import { mod } from "../field.js";
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

/** A value during the control simulation: a constant, the control input, a comparison result, or data. */
type Abs =
  | { readonly k: "const"; readonly v: bigint }
  | { readonly k: "ctl" }
  | { readonly k: "cmp"; readonly v: bigint }
  | { readonly k: "data" };

interface PathNode {
  readonly block: number;
  /** Control input values whose path passes through this node. */
  readonly through: bigint[];
  /** Per comparison instruction (pc) involving the control input: the values for which it gives 1. */
  readonly ones: Map<number, bigint[]>;
  /** Successor node index → the values whose path takes that edge. */
  readonly edges: Map<number, bigint[]>;
  /** Whether the node ends in STOP. */
  halts: boolean;
}

export interface PathPlan {
  /** The input the control flow depends on. */
  readonly control: { readonly name: string; readonly cell: number };
  /** The values of the control input whose run halts within N (ascending). */
  readonly domain: readonly bigint[];
  /** Nodes in topological order; node 0 is the entry. */
  readonly nodes: readonly PathNode[];
  /** Memory cells live on entry to each block, ascending (the only ones merged where paths meet). */
  readonly live: ReadonlyArray<readonly number[]>;
}

class NotApplicable extends Error {}

function tag(v: Abs | undefined): string {
  if (v === undefined) return "0";
  switch (v.k) {
    case "const":
      return `c${v.v}`;
    case "ctl":
      return "n";
    case "data":
      return "d";
    case "cmp":
      // A comparison result carried across blocks would need its value per path.
      throw new NotApplicable();
    default:
      return v satisfies never;
  }
}

/**
 * The control simulation of one value of the control input (`large`: every
 * value above all the constants it is compared with). Returns the blocks
 * visited with their node keys and comparison results, whether it halted
 * within `bound` steps, and the largest constant compared with the input.
 */
function simulate(
  program: ValidatedProgram,
  live: ReadonlyArray<readonly number[]>,
  controlCell: number,
  m: bigint | "large",
  bound: number,
  width: number,
  budget: { left: number },
) {
  const limit = 1n << BigInt(width);
  const memory = new Map<number, Abs>();
  for (const input of program.io.inputs)
    memory.set(input.cell, input.cell === controlCell ? { k: "ctl" } : { k: "data" });
  let stack: Abs[] = [];
  const visits: Array<{ key: string; block: number; ones: Map<number, boolean> }> = [];
  const seen = new Map<string, number>();
  let steps = 0;
  let largest = 0n;
  // The largest constant compared with a large input: past MAX_DOMAIN, too many values to enumerate.
  const note = (c: bigint) => {
    if (c > largest) largest = c;
    if (largest >= BigInt(MAX_DOMAIN)) throw new NotApplicable();
  };
  const ctlValue = (v: Abs): bigint | undefined =>
    v.k === "const" ? v.v : v.k === "ctl" && m !== "large" ? m : undefined;
  // a < b with at least one side the control input (SPEC LT: operands below 2^W).
  const less = (a: Abs, b: Abs): bigint | "fault" => {
    if (a.k === "data" || b.k === "data" || a.k === "cmp" || b.k === "cmp")
      throw new NotApplicable();
    const x = ctlValue(a);
    const y = ctlValue(b);
    if ((x !== undefined && x >= limit) || (y !== undefined && y >= limit)) return "fault";
    if (x !== undefined && y !== undefined) return x < y ? 1n : 0n;
    if (x === undefined && y === undefined) return 0n;
    // large < c is false, c < large is true, for every constant c it was compared with.
    note((x ?? y)!);
    return x === undefined ? 0n : 1n;
  };
  let block = program.blocks[0]!;
  for (;;) {
    const keyParts = [`${block.id}`, ...stack.map(tag)];
    for (const c of live[block.id]!) keyParts.push(`${c}:${tag(memory.get(c))}`);
    const base = keyParts.join("|");
    // The large run is only followed, not recorded (it never becomes part of the graph).
    const occurrence = m === "large" ? 0 : (seen.get(base) ?? 0);
    if (m !== "large") seen.set(base, occurrence + 1);
    const visit = { key: `${base}#${occurrence}`, block: block.id, ones: new Map() };
    if (m !== "large") visits.push(visit);
    let next: number | undefined;
    for (const ins of block.instructions) {
      steps++;
      if (--budget.left < 0) throw new NotApplicable();
      if (steps > bound) return { visits, halted: false, largest };
      switch (ins.op) {
        case Op.PUSH:
          stack.push({ k: "const", v: ins.arg! });
          break;
        case Op.ADD:
        case Op.MUL: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          if (a.k === "const" && b.k === "const") {
            stack.push({ k: "const", v: ins.op === Op.ADD ? mod(a.v + b.v) : mod(a.v * b.v) });
          } else stack.push({ k: "data" });
          break;
        }
        case Op.STORE:
          memory.set(Number(ins.arg), stack.pop()!);
          break;
        case Op.LOAD:
          stack.push(memory.get(Number(ins.arg)) ?? { k: "const", v: 0n });
          break;
        case Op.EQ: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          if (a.k === "data" || b.k === "data" || a.k === "cmp" || b.k === "cmp")
            throw new NotApplicable();
          const x = ctlValue(a);
          const y = ctlValue(b);
          if (x !== undefined && y !== undefined) {
            const r = x === y ? 1n : 0n;
            if (a.k === "const" && b.k === "const") stack.push({ k: "const", v: r });
            else {
              visit.ones.set(ins.offset, r === 1n);
              stack.push({ k: "cmp", v: r });
            }
          } else {
            // large == c is false; large == large is true.
            const r = x === undefined && y === undefined ? 1n : 0n;
            if (x !== undefined || y !== undefined) note((x ?? y)!);
            visit.ones.set(ins.offset, r === 1n);
            stack.push({ k: "cmp", v: r });
          }
          break;
        }
        case Op.LT:
        case Op.GT: {
          const b = stack.pop()!;
          const a = stack.pop()!;
          const r = ins.op === Op.LT ? less(a, b) : less(b, a);
          if (r === "fault") return { visits, halted: false, largest };
          if (a.k === "const" && b.k === "const") stack.push({ k: "const", v: r });
          else {
            visit.ones.set(ins.offset, r === 1n);
            stack.push({ k: "cmp", v: r });
          }
          break;
        }
        case Op.JUMP:
          next = program.blockAt.get(Number(ins.arg))!;
          break;
        case Op.JUMPI: {
          const c = stack.pop()!;
          let taken: boolean;
          if (c.k === "const" || c.k === "cmp") taken = c.v !== 0n;
          else if (c.k === "ctl") {
            // The control input itself as a condition: n != 0 (large: true).
            taken = m === "large" || m !== 0n;
            visit.ones.set(ins.offset, taken);
          } else throw new NotApplicable();
          next = program.blockAt.get(taken ? Number(ins.arg) : ins.offset + ins.size)!;
          break;
        }
        case Op.STOP:
          return { visits, halted: true, largest };
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

/** The path plan of a program, or undefined when its control flow does not depend on one input alone. */
export function planPaths(
  program: ValidatedProgram,
  bound: number,
  width: number,
): PathPlan | undefined {
  const outputs = new Set(program.io.outputs.map((o) => o.cell));
  // Sorted once: the simulation keys every block visit by them.
  const live = liveness(program, outputs).liveIn.map((cells) => [...cells].sort((a, b) => a - b));
  // One budget over every candidate input, so that the analysis stays bounded however many inputs there are.
  const budget = { left: MAX_SIMULATED };
  for (const control of program.io.inputs) {
    try {
      const large = simulate(program, live, control.cell, "large", bound, width, budget);
      // Every large value halts: the input is not bounded by halting (the block-step lowering handles it).
      if (large.halted) continue;
      const index = new Map<string, number>();
      const nodes: PathNode[] = [];
      const domain: bigint[] = [];
      for (let m = 0n; m <= large.largest; m++) {
        const run = simulate(program, live, control.cell, m, bound, width, budget);
        if (!run.halted) continue;
        domain.push(m);
        let previous: PathNode | undefined;
        for (const visit of run.visits) {
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
          node.through.push(m);
          for (const [pc, one] of visit.ones) {
            if (!node.ones.has(pc)) node.ones.set(pc, []);
            if (one) node.ones.get(pc)!.push(m);
          }
          if (previous !== undefined) {
            if (!previous.edges.has(id)) previous.edges.set(id, []);
            previous.edges.get(id)!.push(m);
          }
          previous = node;
        }
        previous!.halts = true;
      }
      if (domain.length < 2) continue;
      const order = topological(nodes);
      if (order === undefined) continue;
      return { control: { name: control.name, cell: control.cell }, domain, nodes: order, live };
    } catch (e) {
      if (e instanceof NotApplicable) continue;
      throw e;
    }
  }
  return undefined;
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

/** Lowers a path plan to intermediate-form nodes (see the module comment). */
export function lowerPaths(program: ValidatedProgram, plan: PathPlan, sink: Sink): void {
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}${counter++}`;
  const emit = (node: Node) => sink(node);
  const n = Lin.signal(inputSignal(plan.control.name));
  emit({ kind: "blank" });
  emit({
    kind: "comment",
    text: `---- ${plan.control.name} is one of the ${plan.domain.length} values whose run halts within N (one-hot)`,
  });
  const hit = new Map<bigint, Lin>();
  /** The name of each value's hit signal. */
  const hitSignal = new Map<bigint, string>();
  for (const m of plan.domain) {
    const signal = fresh("hit");
    hitSignal.set(m, signal);
    emit({
      kind: "gadget",
      signal,
      gadget: { name: "IsEqual", a: n, b: Lin.constant(m) },
      origin: { step: 0 },
    });
    hit.set(m, Lin.signal(signal));
  }
  emit({
    kind: "assert",
    left: Lin.sum([...hit.values()]),
    right: Lin.ONE,
    why: `${plan.control.name} halts within N: one of ${describeValues(plan.domain)}`,
  });
  /**
   * Σ hit[m] over the values `ms`, a subset of `among` whose indicator is
   * `all`: `all` - Σ over the rest of `among` when that is shorter.
   */
  const within = (ms: readonly bigint[], among: readonly bigint[], all: Lin): Lin => {
    if (ms.length * 2 <= among.length) return Lin.sum(ms.map((m) => hit.get(m)!));
    const set = new Set(ms);
    return all.sub(Lin.sum(among.filter((m) => !set.has(m)).map((m) => hit.get(m)!)));
  };
  /** Σ hit[m] over a set of values (1 - Σ over the rest when that is shorter). */
  const indicator = (ms: readonly bigint[]): Lin => within(ms, plan.domain, Lin.ONE);

  let step = 0;
  let pc: number | undefined;
  const product = (a: Lin, b: Lin, prefix: string): Lin => {
    if (a.isConstant()) return b.scale(a.constant);
    if (b.isConstant()) return a.scale(b.constant);
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
  const hitSignals = new Set(hitSignal.values());
  /**
   * One value out of several by one-hot selectors: base + Σ sel_g * (val_g - base).
   * When every value is linear in the hits alone (a comparison result, a
   * constant), the merge is linear: where the option for the values `ms` is
   * taken, n = m for one m in ms, and there val = c + k_m (its constant plus
   * its coefficient of hit[m]), so the merged value is Σ_m (c + k_m) * hit[m].
   */
  const merge = (
    options: Array<{ sel: Lin; ms: readonly bigint[]; val: Lin }>,
    name: string,
  ): Lin => {
    if (options.every((o) => [...o.val.terms.keys()].every((t) => hitSignals.has(t)))) {
      const first = options[0]!.val;
      if (options.every((o) => o.val.equals(first))) return first;
      const terms: Lin[] = [];
      for (const o of options) {
        for (const m of o.ms) {
          const at = o.val.constant + (o.val.terms.get(hitSignal.get(m)!) ?? 0n);
          terms.push(hit.get(m)!.scale(at));
        }
      }
      return Lin.sum(terms);
    }
    const { distinct, value: result } = selectOne(
      options,
      (v) => v,
      (a, b) => product(a, b, "mix"),
    );
    if (distinct.length === 1) return result;
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
  const incoming = plan.nodes.map(() => [] as Array<{ from: number; ms: bigint[] }>);
  plan.nodes.forEach((node, i) => {
    for (const [s, ms] of node.edges) incoming[s]!.push({ from: i, ms });
  });
  const pending = plan.nodes.map((node) => node.edges.size);
  const halting: Array<{ sel: Lin; ms: readonly bigint[]; memory: Map<number, Lin> }> = [];

  plan.nodes.forEach((node, i) => {
    step = i;
    pc = undefined;
    const block = program.blocks[node.block]!;
    const sel = indicator(node.through);
    emit({ kind: "blank" });
    emit({
      kind: "comment",
      text: `---- node ${i}: block ${block.id} @ pc ${block.start}, run for ${node.through.length === 1 ? `${plan.control.name} = ${node.through[0]}` : `${node.through.length} values of ${plan.control.name}, ${node.through[0]}..${node.through[node.through.length - 1]}`}`,
    });
    let memory: Map<number, Lin>;
    let stack: Lin[];
    if (i === 0) {
      memory = new Map(initial);
      stack = [];
    } else {
      const ins = incoming[i]!.map((e) => ({
        sel: indicator(e.ms),
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
    for (const ins of block.instructions) {
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
          } else {
            // The comparison's result on the paths through this node, per value of the control input.
            stack.push(within(node.ones.get(ins.offset) ?? [], node.through, sel));
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
    }
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
