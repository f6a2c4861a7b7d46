/**
 * circom --O2's simplification, for the direct backend (see circuit.ts): the
 * linear constraints eliminate signals (highest rank first: see
 * eliminationRanks), the quadratic ones are written with the eliminated
 * signals substituted, as the constraint section of an .r1cs over wires.
 */
import { mod, P } from "../field.js";
import type { Node } from "../compiler/ir.js";
import { nodeConstraints, type Layout, type Row } from "./circuit.js";

/** x^-1 mod p. */
export function inverse(x: bigint): bigint {
  let result = 1n;
  let base = mod(x);
  for (let e = P - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % P;
    base = (base * base) % P;
  }
  return result;
}

function addTo(r: Row, label: number, k: bigint): void {
  const v = ((r.get(label) ?? 0n) + k) % P;
  if (v === 0n) r.delete(label);
  else r.set(label, v);
}

/**
 * Eliminated signals and their expressions in the others. An expression is
 * kept as its constraint gave it (lazily: it may name signals eliminated
 * since), which is enough to know each new constraint's pivot: every
 * eliminable signal in the expression of x has a lower rank than x, so a
 * constraint's highest-ranked non-eliminated signal above all its eliminated
 * ones is its pivot as it stands, and otherwise only the eliminated signals
 * above the pivot are substituted. Full substitution is done only where the R1CS needs
 * it, once per signal: a chain of definitions (an accumulator) that only
 * linear constraints use is never expanded.
 */
class Eliminator {
  /** label → expression: signal = Σ k·signal + constant (label 0), lazily substituted. */
  private readonly sub: Array<Row | undefined>;
  /** Fully substituted expressions, valid until the next elimination. */
  private readonly resolved = new Map<number, Row>();
  private count = 0;
  /** Linear constraints between non-eliminable signals only: kept as constraints. */
  readonly kept: Row[] = [];

  constructor(
    size: number,
    private readonly forbidden: (label: number) => boolean,
    /** Label → its priority: the signal of highest rank in a constraint is the one eliminated. */
    private readonly rank: Int32Array,
  ) {
    this.sub = new Array<Row | undefined>(size);
  }

  isEliminated(label: number): boolean {
    return this.sub[label] !== undefined;
  }

  get eliminated(): number {
    return this.count;
  }

  /** The expression of an eliminated signal in surviving signals only. */
  full(label: number): Row {
    const done = this.resolved.get(label);
    if (done !== undefined) return done;
    // Depth first without recursion: chains of definitions can be long.
    const stack = [label];
    while (stack.length > 0) {
      const x = stack[stack.length - 1]!;
      if (this.resolved.has(x)) {
        stack.pop();
        continue;
      }
      const e = this.sub[x]!;
      let ready = true;
      for (const y of e.keys()) {
        if (y !== 0 && this.sub[y] !== undefined && !this.resolved.has(y)) {
          stack.push(y);
          ready = false;
        }
      }
      if (!ready) continue;
      let r: Row = e;
      let copied = false;
      for (const [y, c] of e) {
        if (y === 0 || this.sub[y] === undefined) continue;
        if (!copied) {
          r = new Map(e);
          copied = true;
        }
        r.delete(y);
        for (const [m, d] of this.resolved.get(y)!) addTo(r, m, (c * d) % P);
      }
      this.resolved.set(x, r);
      stack.pop();
    }
    return this.resolved.get(label)!;
  }

  /** A row with every eliminated signal substituted. */
  reduce(row: Row): Row {
    let needs = false;
    for (const l of row.keys()) {
      if (l !== 0 && this.sub[l] !== undefined) {
        needs = true;
        break;
      }
    }
    if (!needs) return row;
    const r: Row = new Map();
    for (const [l, k] of row) {
      if (l === 0 || this.sub[l] === undefined) addTo(r, l, k);
      else for (const [m, c] of this.full(l)) addTo(r, m, (k * c) % P);
    }
    return r;
  }

  /** A linear constraint row = 0: eliminates its highest-ranked eliminable signal, or is kept. */
  linear(row: Row): void {
    let r = row;
    const rank = this.rank;
    for (;;) {
      let eliminatedMax = -1;
      let pivot = -1;
      for (const l of r.keys()) {
        if (l === 0 || this.forbidden(l)) continue;
        if (this.sub[l] !== undefined) {
          if (eliminatedMax < 0 || rank[l]! > rank[eliminatedMax]!) eliminatedMax = l;
        } else if (pivot < 0 || rank[l]! > rank[pivot]!) pivot = l;
      }
      if (pivot >= 0 && (eliminatedMax < 0 || rank[pivot]! > rank[eliminatedMax]!)) {
        const k = r.get(pivot)!;
        const f = k === 1n ? P - 1n : k === P - 1n ? 1n : mod(-inverse(k));
        const e: Row = new Map();
        for (const [l, c] of r) if (l !== pivot) e.set(l, (c * f) % P);
        this.sub[pivot] = e;
        this.count++;
        if (this.resolved.size > 0) this.resolved.clear();
        return;
      }
      if (eliminatedMax < 0) {
        const rest = this.reduce(r);
        if (rest.size > 0) this.kept.push(rest);
        return;
      }
      // Substitute the highest eliminated signal (its expression is below it).
      if (r === row) r = new Map(row);
      const k = r.get(eliminatedMax)!;
      r.delete(eliminatedMax);
      for (const [m, c] of this.sub[eliminatedMax]!) addTo(r, m, (k * c) % P);
    }
  }
}

/**
 * Whether `row` = 0 follows from the rows of `basis` (pivot label → row with
 * coefficient 1 there, every other label below it); when not, its reduced
 * form joins the basis.
 */
function impliedBy(basis: Map<number, Row>, row: Row): boolean {
  const r: Row = new Map(row);
  for (;;) {
    let pivot = -1;
    for (const l of r.keys()) if (l !== 0 && l > pivot) pivot = l;
    // Only a constant left: 0 = 0 is implied; a non-zero one (unsatisfiable) is kept.
    if (pivot < 0) return r.size === 0;
    const b = basis.get(pivot);
    if (b === undefined) {
      const f = inverse(r.get(pivot)!);
      const n: Row = new Map();
      for (const [l, k] of r) n.set(l, (k * f) % P);
      basis.set(pivot, n);
      return false;
    }
    const k = r.get(pivot)!;
    for (const [l, c] of b) addTo(r, l, P - ((k * c) % P));
  }
}

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(1 << 20);
  view = new DataView(this.buf.buffer);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** A field element as 32 little-endian bytes. */
  fr(v: bigint): void {
    this.reserve(32);
    const at = this.length;
    if (v < 0x100000000n) {
      // Most coefficients are small: one word, the rest zero.
      this.buf.fill(0, at, at + 32);
      this.view.setUint32(at, Number(v), true);
    } else {
      let x = v;
      for (let i = 0; i < 4; i++) {
        this.view.setBigUint64(at + 8 * i, BigInt.asUintN(64, x), true);
        x >>= 64n;
      }
    }
    this.length += 32;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export interface SimplifiedR1cs {
  readonly nWires: number;
  readonly nConstraints: number;
  /** Non-zero coefficients over A, B and C. */
  readonly nonZeros: number;
  /** The .r1cs constraint section (wires numbered). */
  readonly constraints: Uint8Array;
  /** Label → wire, -1 when eliminated or unused. */
  readonly wireOfLabel: Int32Array;
  /** Wire → label. */
  readonly labelOfWire: Int32Array;
  /**
   * Every signal's value from the wires' (`wires`, wire order): an eliminated
   * signal's is its expression in the surviving ones, a signal with no wire
   * and no expression (used by no constraint) keeps its value in `rest`
   * (by label). For tests: what a forged witness of these wires means for
   * every signal.
   */
  readonly expand: (wires: readonly bigint[], rest: readonly bigint[]) => bigint[];
}

/**
 * Each label's rank (the highest-ranked eliminable signal of a linear
 * constraint is the one it eliminates): the fewer constraints a signal occurs
 * in (linear and quadratic, as generated, before any elimination), the higher
 * its rank; among equals, the higher label. Eliminating a signal that few
 * constraints use keeps the substituted rows short: a selector defined as the
 * previous one minus the branches taken (`sel_66 <== sel_58 - taken58 - ... -
 * taken64`) eliminates `taken64`, used by its product alone, rather than
 * `sel_66`, whose expansion would grow with every step (docs/BACKEND.md).
 */
function eliminationRanks(layout: Layout, nodes: readonly Node[]): Int32Array {
  const count = new Int32Array(layout.size);
  const counting = {
    linear: (row: Row) => {
      for (const l of row.keys()) count[l]!++;
    },
    quadratic: (a: Row, b: Row, c: Row) => {
      for (const l of a.keys()) count[l]!++;
      for (const l of b.keys()) count[l]!++;
      for (const l of c.keys()) count[l]!++;
    },
  };
  for (let i = 0; i < nodes.length; i++) nodeConstraints(layout, i, nodes[i]!, counting);
  const order = new Int32Array(layout.size);
  for (let l = 0; l < order.length; l++) order[l] = l;
  order.sort((a, b) => count[b]! - count[a]! || a - b);
  const rank = new Int32Array(layout.size);
  for (let i = 0; i < order.length; i++) rank[order[i]!] = i;
  return rank;
}

/**
 * Up to this many signals, simplify also eliminates by label alone (what
 * circom2 --O2 chooses on small circuits: the same .sym on every example and
 * bench program) and keeps that R1CS unless the occurrence order's is no
 * larger in constraints and wires and has fewer non-zero coefficients. Above
 * it, the occurrence order alone: a second pass would cost time, and the
 * label order's rows can grow with N.
 */
export const BOTH_ORDERS_MAX_LABELS = 4096;

/** The R1CS circom --O2 would write for these nodes, or a sparser one with the same counts. */
export function simplify(layout: Layout, nodes: readonly Node[]): SimplifiedR1cs {
  const byCount = simplifyWith(layout, nodes, eliminationRanks(layout, nodes));
  if (layout.size > BOTH_ORDERS_MAX_LABELS) return byCount;
  const byLabel = simplifyWith(
    layout,
    nodes,
    Int32Array.from({ length: layout.size }, (_, l) => l),
  );
  return byCount.nonZeros < byLabel.nonZeros &&
    byCount.nConstraints <= byLabel.nConstraints &&
    byCount.nWires <= byLabel.nWires
    ? byCount
    : byLabel;
}

function simplifyWith(layout: Layout, nodes: readonly Node[], rank: Int32Array): SimplifiedR1cs {
  const elim = new Eliminator(layout.size, (l) => layout.isForbidden(l), rank);
  // Pass 1: every linear constraint eliminates a signal.
  const linearOnly = { linear: (row: Row) => elim.linear(row) };
  for (let i = 0; i < nodes.length; i++) nodeConstraints(layout, i, nodes[i]!, linearOnly);
  // Pass 2: the quadratic ones, substituted. One that became linear eliminates in
  // turn; then the pass is redone, since earlier constraints may use that signal.
  let out: Bytes;
  let count: number;
  const used = new Uint8Array(layout.size);
  let nonZeros = 0;
  for (;;) {
    out = new Bytes();
    count = 0;
    nonZeros = 0;
    const before = elim.eliminated;
    const becameLinear: Row[] = [];
    const writeRow = (row: Row) => {
      nonZeros += row.size;
      out.u32(row.size);
      for (const [l, k] of row) {
        out.u32(l);
        out.fr(k);
        used[l] = 1;
      }
    };
    const quadratic = (a0: Row, b0: Row, c0: Row) => {
      const a = elim.reduce(a0);
      const b = elim.reduce(b0);
      const c = elim.reduce(c0);
      const constA = a.size === 0 || (a.size === 1 && a.has(0));
      const constB = b.size === 0 || (b.size === 1 && b.has(0));
      if (constA || constB) {
        // k * B = C (or A * k = C): linear.
        const k = constA ? (a.get(0) ?? 0n) : (b.get(0) ?? 0n);
        const other = constA ? b : a;
        const row: Row = new Map();
        for (const [l, v] of other) addTo(row, l, (v * k) % P);
        for (const [l, v] of c) addTo(row, l, P - v);
        if (row.size > 0) becameLinear.push(row);
        return;
      }
      writeRow(a);
      writeRow(b);
      writeRow(c);
      count++;
    };
    const quadraticOnly = { quadratic };
    for (let i = 0; i < nodes.length; i++) nodeConstraints(layout, i, nodes[i]!, quadraticOnly);
    for (const row of becameLinear) elim.linear(row);
    if (elim.eliminated === before) {
      // The kept rows in echelon form (pivot: highest label, coefficient 1): a
      // kept row that the earlier ones imply (a duplicate `in = 0` of two paths,
      // say) is dropped, as circom's elimination over the cluster drops it.
      const basis = new Map<number, Row>();
      for (const row of elim.kept) {
        const r = elim.reduce(row);
        if (r.size === 0 || impliedBy(basis, r)) continue;
        writeRow(new Map());
        writeRow(new Map());
        writeRow(r);
        count++;
      }
      break;
    }
    used.fill(0);
  }
  // Wires: the constant, then every surviving signal in label order; an
  // eliminated signal, or one no constraint uses (unless an input or output), has none.
  const wireOfLabel = new Int32Array(layout.size).fill(-1);
  const labels: number[] = [];
  for (let l = 0; l < layout.size; l++) {
    if (elim.isEliminated(l)) continue;
    if (l !== 0 && !layout.isForbidden(l) && used[l] === 0) continue;
    wireOfLabel[l] = labels.length;
    labels.push(l);
  }
  // Renumber the constraint section's labels as wires.
  const bytes = out!.bytes();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  for (let c = 0; c < count! * 3; c++) {
    const n = view.getUint32(p, true);
    p += 4;
    for (let t = 0; t < n; t++) {
      view.setUint32(p, wireOfLabel[view.getUint32(p, true)]!, true);
      p += 36;
    }
  }
  const expand = (wires: readonly bigint[], rest: readonly bigint[]): bigint[] => {
    const values = rest.slice();
    values[0] = 1n;
    for (let l = 1; l < layout.size; l++) {
      if (wireOfLabel[l]! >= 0) values[l] = wires[wireOfLabel[l]!]!;
    }
    for (let l = 1; l < layout.size; l++) {
      if (!elim.isEliminated(l)) continue;
      let v = 0n;
      for (const [m, k] of elim.full(l)) v += k * (m === 0 ? 1n : values[m]!);
      values[l] = v % P;
    }
    return values;
  };
  return {
    nWires: labels.length,
    nConstraints: count!,
    nonZeros,
    constraints: bytes,
    wireOfLabel,
    labelOfWire: Int32Array.from(labels),
    expand,
  };
}
