/**
 * Which basic blocks can run at each block step (SPEC "Steps").
 *
 * The circuit steps over whole basic blocks. A block b is a candidate at
 * block step t when some path from the entry reaches b as its t-th block
 * with few enough instructions that it can still reach a STOP within the
 * step bound N: eMin(t, b) + toStop(b) <= N. Only candidates get
 * constraints, so the cost follows what can execute, not steps x program size.
 *
 * An edge from candidate c at step t to block s is kept when even the
 * shortest run through it can still halt in time: c.minBefore + |c| +
 * toStop(s) <= N. A pruned edge may lead into a block that is a candidate at
 * t + 1 through another, shorter edge; `maxBefore` and `maxHaltingSteps`
 * count kept edges only, so they bound a run only if no run takes a pruned
 * edge. The lowering makes that true: a flow along an edge that is not in
 * its candidate's `next` is constrained to 0 (Lowering.transition), exactly
 * like a flow to a block that is no candidate at all.
 */
import { CompileError } from "../errors.js";
import { Op } from "../opcodes.js";
import type { BasicBlock, ValidatedProgram } from "../validator.js";

export interface Candidate {
  readonly block: BasicBlock;
  /** Fewest instructions executed before this block starts, over all paths. */
  readonly minBefore: number;
  /** Most instructions executed before this block starts, over candidate paths. */
  readonly maxBefore: number;
  /**
   * The successors this candidate's flow may go to at the next block step
   * (the kept edges, ascending): every other successor is pruned, and the
   * lowering constrains the flow along it to 0.
   */
  readonly next: readonly number[];
}

export interface Schedule {
  /** Candidates per block step, in block-id order. */
  readonly steps: ReadonlyArray<ReadonlyArray<Candidate>>;
  /**
   * Most instructions any candidate path executes up to and including its
   * STOP. When this exceeds N the pruning alone does not bound the step
   * count, and the circuit adds an explicit instruction counter.
   */
  readonly maxHaltingSteps: number;
  /** Fewest instructions from each block's start through a STOP (Infinity if none). */
  readonly toStop: ReadonlyArray<number>;
}

function endsInStop(block: BasicBlock): boolean {
  return block.instructions[block.instructions.length - 1]!.op === Op.STOP;
}

/** Shortest instruction count from each block's start through a STOP. */
function shortestToStop(blocks: readonly BasicBlock[]): number[] {
  const dist = blocks.map((b) => (endsInStop(b) ? b.instructions.length : Infinity));
  for (let changed = true; changed;) {
    changed = false;
    for (const b of blocks) {
      for (const s of b.successors) {
        const d = b.instructions.length + dist[s]!;
        if (d < dist[b.id]!) {
          dist[b.id] = d;
          changed = true;
        }
      }
    }
  }
  return dist;
}

export function schedule(program: ValidatedProgram, bound: number): Schedule {
  const { blocks } = program;
  const toStop = shortestToStop(blocks);
  const entry = blocks[0]!;
  if (toStop[entry.id]! > bound) {
    throw new CompileError(
      "STEP_BOUND_TOO_SMALL",
      toStop[entry.id] === Infinity
        ? "no path from the entry reaches STOP"
        : `the shortest path to STOP takes ${toStop[entry.id]} steps, more than the bound ${bound}`,
    );
  }
  const steps: Candidate[][] = [];
  type Partial = Omit<Candidate, "next">;
  let layer = new Map<number, Partial>([[entry.id, { block: entry, minBefore: 0, maxBefore: 0 }]]);
  let maxHaltingSteps = 0;
  while (layer.size > 0) {
    const current = [...layer.values()]
      .sort((a, b) => a.block.id - b.block.id)
      .map((c) => ({ ...c, next: [] as number[] }));
    steps.push(current);
    const next = new Map<number, Partial>();
    for (const c of current) {
      const len = c.block.instructions.length;
      if (endsInStop(c.block)) maxHaltingSteps = Math.max(maxHaltingSteps, c.maxBefore + len);
      for (const s of c.block.successors) {
        const minBefore = c.minBefore + len;
        // Pruned: no run through this edge halts within N (see the module comment).
        if (minBefore + toStop[s]! > bound) continue;
        if (!c.next.includes(s)) c.next.push(s);
        const seen = next.get(s);
        next.set(s, {
          block: blocks[s]!,
          minBefore: Math.min(seen?.minBefore ?? Infinity, minBefore),
          maxBefore: Math.max(seen?.maxBefore ?? 0, c.maxBefore + len),
        });
      }
    }
    for (const c of current) c.next.sort((a, b) => a - b);
    layer = next;
  }
  return { steps, maxHaltingSteps, toStop };
}
