/**
 * The bound analysis lowering uses beside its unconditional bounds (Val.max):
 * integer ranges of values, path facts (ranges that hold when a block runs),
 * and the range arithmetic of ADD and MUL modulo p.
 */
import { P } from "../field.js";

/** Integers lo..hi (0 <= lo <= hi < p) a value lies in. */
export interface Range {
  readonly lo: bigint;
  readonly hi: bigint;
}

/**
 * Path facts: ranges of linear forms that hold whenever a given block runs
 * at a given block step (unlike Val.max, which holds for every satisfying
 * assignment). They come from the JUMPI conditions on the paths into the
 * block and from the comparisons in it, and are used only where the
 * constraints stay satisfiable when the block does not run: by total
 * gadgets (NonZero) or on operands gated by the block's selector.
 */
export type Facts = Map<string, Range>;

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function intersect(a: Range, b: Range): Range {
  // Two facts about one value that both hold: an empty intersection means the block cannot run.
  const lo = max(a.lo, b.lo);
  const hi = min(a.hi, b.hi);
  return lo <= hi ? { lo, hi } : { lo: hi, hi };
}

/** The range of a + b mod p, when it is an interval: no wrap, or a wrap of the whole range. */
export function sumRange(a: Range | undefined, b: Range | undefined): Range | undefined {
  if (a === undefined || b === undefined) return undefined;
  const lo = a.lo + b.lo;
  const hi = a.hi + b.hi;
  if (hi < P) return { lo, hi };
  if (lo >= P) return { lo: lo - P, hi: hi - P };
  return undefined;
}

/** The range of a * b when no product wraps around p. */
export function productRange(a: Range | undefined, b: Range | undefined): Range | undefined {
  if (a === undefined || b === undefined || a.hi * b.hi >= P) return undefined;
  return { lo: a.lo * b.lo, hi: a.hi * b.hi };
}
