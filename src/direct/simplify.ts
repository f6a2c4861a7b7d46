/**
 * circom --O2's simplification, for the direct backend (see circuit.ts): the
 * linear constraints eliminate signals (highest label first), the quadratic
 * ones are written with the eliminated signals substituted, as the
 * constraint section of an .r1cs over wires.
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

/** Eliminated signals and their expressions in the others. */
class Eliminator {
  /** label → expression: signal = Σ k·signal + constant (label 0). */
  private readonly sub = new Map<number, Row>();
  /** When each expression was last known to use no eliminated signal (pivot count). */
  private readonly fresh = new Map<number, number>();
  private pivots = 0;
  /** Linear constraints between non-eliminable signals only: kept as constraints. */
  readonly kept: Row[] = [];

  constructor(private readonly forbidden: (label: number) => boolean) {}

  isEliminated(label: number): boolean {
    return this.sub.has(label);
  }

  get eliminated(): number {
    return this.sub.size;
  }

  /** The expression of an eliminated signal in surviving ones (undefined: it survives). */
  private resolve(label: number): Row | undefined {
    const e = this.sub.get(label);
    if (e === undefined) return undefined;
    if (this.fresh.get(label) === this.pivots) return e;
    let stale = false;
    for (const l of e.keys()) {
      if (l !== 0 && this.sub.has(l)) {
        stale = true;
        break;
      }
    }
    if (!stale) {
      this.fresh.set(label, this.pivots);
      return e;
    }
    const r = this.reduce(e);
    this.sub.set(label, r);
    this.fresh.set(label, this.pivots);
    return r;
  }

  /** A row with every eliminated signal substituted. */
  reduce(row: Row): Row {
    let needs = false;
    for (const l of row.keys()) {
      if (l !== 0 && this.sub.has(l)) {
        needs = true;
        break;
      }
    }
    if (!needs) return row;
    const r: Row = new Map();
    for (const [l, k] of row) {
      const e = l === 0 ? undefined : this.resolve(l);
      if (e === undefined) addTo(r, l, k);
      else for (const [m, c] of e) addTo(r, m, (k * c) % P);
    }
    return r;
  }

  /** A linear constraint row = 0: eliminates its highest eliminable signal, or is kept. */
  linear(row: Row): void {
    const r = this.reduce(row);
    let pivot = -1;
    for (const l of r.keys()) if (l !== 0 && l > pivot && !this.forbidden(l)) pivot = l;
    if (pivot < 0) {
      if (r.size > 0) this.kept.push(r);
      return;
    }
    const k = r.get(pivot)!;
    const f = k === 1n ? P - 1n : k === P - 1n ? 1n : mod(-inverse(k));
    const e: Row = new Map();
    for (const [l, k] of r) if (l !== pivot) e.set(l, (k * f) % P);
    this.pivots++;
    this.sub.set(pivot, e);
    this.fresh.set(pivot, this.pivots);
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
  /** The .r1cs constraint section (wires numbered). */
  readonly constraints: Uint8Array;
  /** Label → wire, -1 when eliminated or unused. */
  readonly wireOfLabel: Int32Array;
  /** Wire → label. */
  readonly labelOfWire: Int32Array;
}

/** The R1CS circom --O2 would write for these nodes. */
export function simplify(layout: Layout, nodes: readonly Node[]): SimplifiedR1cs {
  const elim = new Eliminator((l) => layout.isForbidden(l));
  // Pass 1: every linear constraint eliminates a signal.
  const linearOnly = { linear: (row: Row) => elim.linear(row) };
  for (let i = 0; i < nodes.length; i++) nodeConstraints(layout, i, nodes[i]!, linearOnly);
  // Pass 2: the quadratic ones, substituted. One that became linear eliminates in
  // turn; then the pass is redone, since earlier constraints may use that signal.
  let out: Bytes;
  let count: number;
  const used = new Uint8Array(layout.size);
  for (;;) {
    out = new Bytes();
    count = 0;
    const before = elim.eliminated;
    const becameLinear: Row[] = [];
    const writeRow = (row: Row) => {
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
      for (const row of elim.kept) {
        const r = elim.reduce(row);
        if (r.size === 0) continue;
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
  return {
    nWires: labels.length,
    nConstraints: count!,
    constraints: bytes,
    wireOfLabel,
    labelOfWire: Int32Array.from(labels),
  };
}
