/**
 * Analyses lowering builds on, beside the schedule: dominators in the
 * unrolled graph of candidate blocks, and live memory cells per block.
 * Both are linear in the size of their graph, so they scale with the step
 * bound (no per-step set of everything before it).
 */
import { Op } from "../opcodes.js";
import type { ValidatedProgram } from "../validator.js";
import type { Schedule } from "./schedule.js";

/**
 * Dominators in the unrolled graph whose nodes are (block step t, candidate
 * block b): node u dominates v when every path from the entry to v passes
 * through u, so that v running implies u ran. The graph is layered by block
 * step, so each node's immediate dominator is the nearest common ancestor of
 * its predecessors in the tree built so far; a depth-first numbering of the
 * finished tree answers "u dominates v" in constant time.
 */
export class Dominators {
  /** Node id of (t, block id): the candidates of step t are ids first[t] .. first[t + 1] - 1. */
  private readonly first: number[] = [];
  private readonly index: Array<ReadonlyMap<number, number>> = [];
  private readonly pre: Int32Array;
  private readonly post: Int32Array;

  constructor(schedule: Schedule) {
    let count = 0;
    for (const layer of schedule.steps) {
      this.first.push(count);
      this.index.push(new Map(layer.map((c, i) => [c.block.id, count + i])));
      count += layer.length;
    }
    const idom = new Int32Array(count).fill(-1);
    const depth = new Int32Array(count);
    const common = (a: number, b: number): number => {
      while (a !== b) {
        if (depth[a]! >= depth[b]!) a = idom[a]!;
        else b = idom[b]!;
      }
      return a;
    };
    schedule.steps.forEach((layer, t) => {
      if (t === 0) return;
      const previous = schedule.steps[t - 1]!;
      for (const c of layer) {
        const node = this.node(t, c.block.id);
        let dom = -1;
        for (const p of previous) {
          if (!p.block.successors.includes(c.block.id)) continue;
          const pred = this.node(t - 1, p.block.id);
          dom = dom === -1 ? pred : common(dom, pred);
        }
        idom[node] = dom;
        depth[node] = dom === -1 ? 0 : depth[dom]! + 1;
      }
    });
    // Children lists (compressed), then an iterative depth-first numbering.
    const childCount = new Int32Array(count + 1);
    for (let v = 0; v < count; v++) if (idom[v]! >= 0) childCount[idom[v]! + 1]!++;
    for (let v = 0; v < count; v++) childCount[v + 1]! += childCount[v]!;
    const children = new Int32Array(count);
    const fill = childCount.slice(0, count);
    for (let v = 0; v < count; v++) if (idom[v]! >= 0) children[fill[idom[v]!]!++] = v;
    this.pre = new Int32Array(count);
    this.post = new Int32Array(count);
    const stack: number[] = [];
    const next = new Int32Array(count);
    let clock = 0;
    for (let root = 0; root < count; root++) {
      if (idom[root]! >= 0) continue;
      stack.push(root);
      this.pre[root] = clock++;
      next[root] = childCount[root]!;
      while (stack.length > 0) {
        const v = stack[stack.length - 1]!;
        if (next[v]! < childCount[v + 1]!) {
          const c = children[next[v]!++]!;
          this.pre[c] = clock++;
          next[c] = childCount[c]!;
          stack.push(c);
        } else {
          this.post[v] = clock++;
          stack.pop();
        }
      }
    }
  }

  /** The id of block `block` as a candidate of step t. */
  node(t: number, block: number): number {
    return this.index[t]!.get(block)!;
  }

  dominates(u: number, v: number): boolean {
    return this.pre[u]! <= this.pre[v]! && this.post[v]! <= this.post[u]!;
  }

  /** Depth-first entry number: nodes in disjoint subtrees sort by it. */
  order(u: number): number {
    return this.pre[u]!;
  }
}

/**
 * Nodes where something was done (e.g. a value range checked), none of which
 * dominates another, answering "which of them dominates v" by binary search
 * over their depth-first numbers (their subtrees are disjoint intervals).
 */
export class DominatingSet<T> {
  private readonly entries: Array<{ node: number; value: T }> = [];

  constructor(private readonly dom: Dominators) {}

  find(v: number): T | undefined {
    const order = this.dom.order(v);
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.dom.order(this.entries[mid]!.node) <= order) lo = mid + 1;
      else hi = mid;
    }
    const candidate = this.entries[lo - 1];
    return candidate !== undefined && this.dom.dominates(candidate.node, v)
      ? candidate.value
      : undefined;
  }

  /** Adds a node that no member dominates (and, being lowered later, dominates none of them). */
  add(node: number, value: T): void {
    const order = this.dom.order(node);
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.dom.order(this.entries[mid]!.node) < order) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, { node, value });
  }
}

/**
 * Live memory cells after each block (classic backward liveness over the
 * control-flow graph): a cell is live when some path reads it before writing
 * it, and outputs are live at every STOP.
 */
export function liveCells(program: ValidatedProgram, outputs: ReadonlySet<number>): Set<number>[] {
  return liveness(program, outputs).liveOut;
}

/** Live memory cells on entry to and after each block (see `liveCells`). */
export function liveness(
  program: ValidatedProgram,
  outputs: ReadonlySet<number>,
): { liveIn: Set<number>[]; liveOut: Set<number>[] } {
  const { blocks } = program;
  const uses = blocks.map(() => new Set<number>());
  const defs = blocks.map(() => new Set<number>());
  for (const b of blocks) {
    for (const ins of b.instructions) {
      const cell = Number(ins.arg);
      if (ins.op === Op.LOAD && !defs[b.id]!.has(cell)) uses[b.id]!.add(cell);
      if (ins.op === Op.STORE) defs[b.id]!.add(cell);
    }
  }
  const liveIn = blocks.map(() => new Set<number>());
  const liveOut = blocks.map((b) =>
    b.successors.length === 0 ? new Set(outputs) : new Set<number>(),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const b of [...blocks].reverse()) {
      const out = liveOut[b.id]!;
      for (const s of b.successors) for (const c of liveIn[s]!) out.add(c);
      const inn = new Set(uses[b.id]);
      for (const c of out) if (!defs[b.id]!.has(c)) inn.add(c);
      if (inn.size !== liveIn[b.id]!.size) {
        liveIn[b.id] = inn;
        changed = true;
      }
    }
  }
  return { liveIn, liveOut };
}
