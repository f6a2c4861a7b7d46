/**
 * An R1CS evaluator for soundness tests: reads circom's .r1cs and .sym files
 * and checks a witness (bigint[], wire order, as computeWitness returns it)
 * against every constraint A·w * B·w = C·w (mod p).
 *
 *   readR1cs(path) / readSym(path) / loadCircuit(r1csPath, symPath)
 *   circuit.violated(witness): number[]       indices of the failing constraints
 *   circuit.wire(name)                        the wire of `main.lt2` (throws when
 *                                             --O2 eliminated it: see below)
 *   circuit.show(i)                           a constraint in signal names
 *   circuit.parts(prefixes)                   each component's constraints and
 *                                             signals, renamed (test/helpers/forge.ts)
 *   circuit.named(witness) / circuit.witnessFrom(named)
 *                                             a witness as a map from (normalized)
 *                                             signal names, and back: how a witness
 *                                             computed for one circuit is carried
 *                                             onto another with the same signals
 *
 * The file is parsed here rather than with r1csfile's readR1cs: r1csfile
 * converts each coefficient with its own bundled ffjavascript field
 * (`F.fromRprLE`), which yields Montgomery form. The file itself stores
 * coefficients as plain little-endian integers in [0, p), and this reader
 * keeps them so.
 *
 * circom --O2 substitutes linear constraints away: a signal it eliminated has
 * wire -1 in the .sym file and no witness entry, and the constraints that used
 * it now use its linear expression in the remaining wires. `wire(name)` throws
 * for such a signal; a test either targets a surviving wire or compiles with
 * --O1, which keeps linear constraints between distinct signals.
 *
 * Anonymous components (`signal o <== IsZero()(x)`) are named by circom after
 * their position in the source: `main.IsEqual_24_842.isz.inv`. Editing the
 * source moves them, so `normalizeNames` renames each to its rank among its
 * anonymous siblings (`main.#0.isz.inv`), which a circuit differing only in
 * which template an anonymous component instantiates shares.
 */
import { promises as fsp } from "node:fs";
import {
  BN128_R,
  leToBigInt,
  readSectionTable,
  uniqueSection,
} from "../../src/pipeline/binfile.js";

export interface Term {
  readonly wire: number;
  readonly coeff: bigint;
}

export type LinearCombination = readonly Term[];

export interface Constraint {
  readonly a: LinearCombination;
  readonly b: LinearCombination;
  readonly c: LinearCombination;
}

export interface R1cs {
  readonly prime: bigint;
  readonly nWires: number;
  readonly nOutputs: number;
  readonly nPublicInputs: number;
  readonly nPrivateInputs: number;
  readonly nLabels: number;
  readonly constraints: readonly Constraint[];
}

const R1CS_HEADER = 1;
const R1CS_CONSTRAINTS = 2;

/** Reads an .r1cs file's header and constraints, coefficients in standard form. */
export async function readR1cs(path: string): Promise<R1cs> {
  const fh = await fsp.open(path, "r");
  try {
    const table = await readSectionTable(fh, "r1cs");
    const section = async (type: number): Promise<Buffer> => {
      const s = uniqueSection(table, type);
      const buf = Buffer.alloc(s.size);
      await fh.read(buf, 0, s.size, s.pos);
      return buf;
    };
    const hdr = await section(R1CS_HEADER);
    const n8 = hdr.readUInt32LE(0);
    const prime = leToBigInt(hdr.subarray(4, 4 + n8));
    if (prime !== BN128_R) throw new Error(`${path}: not over bn128's scalar field`);
    let o = 4 + n8;
    const nWires = hdr.readUInt32LE(o);
    const nOutputs = hdr.readUInt32LE(o + 4);
    const nPublicInputs = hdr.readUInt32LE(o + 8);
    const nPrivateInputs = hdr.readUInt32LE(o + 12);
    const nLabels = Number(hdr.readBigUInt64LE(o + 16));
    const nConstraints = hdr.readUInt32LE(o + 24);

    const body = await section(R1CS_CONSTRAINTS);
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    o = 0;
    /** The coefficient at byte p: four 64-bit words when n8 is 32 (most are 1 or -1). */
    const coefficient = (p: number): bigint => {
      if (n8 !== 32) return leToBigInt(body.subarray(p, p + n8));
      const w0 = view.getBigUint64(p, true);
      const w1 = view.getBigUint64(p + 8, true);
      const w2 = view.getBigUint64(p + 16, true);
      const w3 = view.getBigUint64(p + 24, true);
      if (w1 === 0n && w2 === 0n && w3 === 0n) return w0;
      return w0 | (w1 << 64n) | (w2 << 128n) | (w3 << 192n);
    };
    const lc = (): Term[] => {
      const n = view.getUint32(o, true);
      o += 4;
      const terms: Term[] = [];
      for (let i = 0; i < n; i++) {
        const wire = view.getUint32(o, true);
        const coeff = coefficient(o + 4);
        if (coeff >= prime) throw new Error(`${path}: a coefficient is not reduced`);
        terms.push({ wire, coeff });
        o += 4 + n8;
      }
      return terms;
    };
    const constraints: Constraint[] = [];
    for (let i = 0; i < nConstraints; i++) constraints.push({ a: lc(), b: lc(), c: lc() });
    if (o !== body.length) throw new Error(`${path}: ${body.length - o} stray constraint bytes`);
    return {
      prime,
      nWires,
      nOutputs,
      nPublicInputs,
      nPrivateInputs,
      nLabels,
      constraints,
    };
  } finally {
    await fh.close();
  }
}

/** A·w for one linear combination, reduced mod p. */
export function evaluate(lc: LinearCombination, witness: readonly bigint[], p: bigint): bigint {
  let sum = 0n;
  for (const { wire, coeff } of lc) {
    const v = witness[wire];
    if (v === undefined) throw new Error(`the witness has no wire ${wire}`);
    sum += coeff * v;
  }
  return ((sum % p) + p) % p;
}

/** Indices of the constraints that `witness` violates (empty: the R1CS accepts it). */
export function violatedConstraints(r1cs: R1cs, witness: readonly bigint[]): number[] {
  if (witness.length !== r1cs.nWires) {
    throw new Error(`the witness has ${witness.length} values, the circuit ${r1cs.nWires} wires`);
  }
  if (witness[0] !== 1n) throw new Error("witness[0] must be the constant 1");
  const p = r1cs.prime;
  const bad: number[] = [];
  r1cs.constraints.forEach((k, i) => {
    const ab = (evaluate(k.a, witness, p) * evaluate(k.b, witness, p)) % p;
    if (ab !== evaluate(k.c, witness, p)) bad.push(i);
  });
  return bad;
}

export interface SymbolEntry {
  readonly label: number;
  /** Witness index, or -1 when circom's simplification eliminated the signal. */
  readonly wire: number;
  /** Full name as circom writes it: `main.LessThan_26_956.n2b.out[3]`. */
  readonly name: string;
  /** Name with anonymous components renamed by rank (`main.#0.n2b.out[3]`). */
  readonly normalized: string;
}

const ANONYMOUS = /^[A-Za-z_$][\w$]*_(\d+)_(\d+)$/;
/** A name with a path segment that may be an anonymous component (`_line_column.`). */
const MAYBE_ANONYMOUS = /_\d+_\d+\./;

/**
 * Renames every anonymous component (a path segment `Template_line_column`
 * that has children) to `#k`, its rank by source position among the
 * anonymous components of the same parent.
 */
export function normalizeNames(names: readonly string[]): string[] {
  const siblings = new Map<string, Map<string, [number, number]>>();
  for (const name of names) {
    if (!MAYBE_ANONYMOUS.test(name)) continue;
    const parts = name.split(".");
    for (let i = 1; i < parts.length - 1; i++) {
      const m = ANONYMOUS.exec(parts[i]!);
      if (m === null) continue;
      const parent = parts.slice(0, i).join(".");
      const group = siblings.get(parent) ?? new Map<string, [number, number]>();
      group.set(parts[i]!, [Number(m[1]), Number(m[2])]);
      siblings.set(parent, group);
    }
  }
  const rank = new Map<string, number>();
  for (const [parent, group] of siblings) {
    const sorted = [...group].sort(([, a], [, b]) => a[0] - b[0] || a[1] - b[1]);
    sorted.forEach(([segment], k) => rank.set(`${parent}.${segment}`, k));
  }
  return names.map((name) => {
    if (!MAYBE_ANONYMOUS.test(name)) return name;
    const parts = name.split(".");
    const out = parts.slice();
    for (let i = 1; i < parts.length - 1; i++) {
      const k = rank.get(`${parts.slice(0, i).join(".")}.${parts[i]}`);
      if (k !== undefined) out[i] = `#${k}`;
    }
    return out.join(".");
  });
}

/** Reads a .sym file: `label,wire,component,name` per line. */
export async function readSym(path: string): Promise<SymbolEntry[]> {
  const rows = (await fsp.readFile(path, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const m = /^(\d+),(-?\d+),(-?\d+),(.+)$/.exec(line);
      if (m === null) throw new Error(`${path}: bad line ${JSON.stringify(line)}`);
      return { label: Number(m[1]), wire: Number(m[2]), name: m[4]! };
    });
  const normalized = normalizeNames(rows.map((r) => r.name));
  return rows.map((r, i) => ({ ...r, normalized: normalized[i]! }));
}

/** A compiled circuit's constraints with its signal names. */
export class Circuit {
  private indexes?: {
    readonly byName: Map<string, SymbolEntry>;
    readonly byNormalized: Map<string, SymbolEntry>;
    /** Names of each wire (several signals can share one after simplification). */
    readonly wireNames: Map<number, string[]>;
  };

  constructor(
    readonly r1cs: R1cs,
    readonly symbols: readonly SymbolEntry[],
  ) {}

  /** The lookups by name and by wire, made on first use (a forger's part never needs them). */
  private get index() {
    if (this.indexes === undefined) {
      const byName = new Map<string, SymbolEntry>();
      const byNormalized = new Map<string, SymbolEntry>();
      const wireNames = new Map<number, string[]>([[0, ["1"]]]);
      for (const s of this.symbols) {
        byName.set(s.name, s);
        byNormalized.set(s.normalized, s);
        if (s.wire < 0) continue;
        const names = wireNames.get(s.wire);
        if (names === undefined) wireNames.set(s.wire, [s.name]);
        else names.push(s.name);
      }
      this.indexes = { byName, byNormalized, wireNames };
    }
    return this.indexes;
  }

  get constraintCount(): number {
    return this.r1cs.constraints.length;
  }

  private entry(name: string): SymbolEntry {
    const s = this.index.byName.get(name) ?? this.index.byNormalized.get(name);
    if (s === undefined) throw new Error(`no signal named ${name}`);
    return s;
  }

  /** Whether the signal kept a wire (false: the optimizer substituted it away). */
  hasWire(name: string): boolean {
    return this.entry(name).wire >= 0;
  }

  /** Witness index of a signal, by full or normalized name. */
  wire(name: string): number {
    const s = this.entry(name);
    if (s.wire < 0) {
      throw new Error(`${name} was eliminated by circom's simplification (no wire)`);
    }
    return s.wire;
  }

  /** The signals' full names, in label order. */
  names(): string[] {
    return this.symbols.map((s) => s.name);
  }

  value(witness: readonly bigint[], name: string): bigint {
    const v = witness[this.wire(name)];
    if (v === undefined) throw new Error(`the witness has no value for ${name}`);
    return v;
  }

  violated(witness: readonly bigint[]): number[] {
    return violatedConstraints(this.r1cs, witness);
  }

  /** Names of the wires constraint i involves. */
  signalsOf(i: number): string[] {
    const k = this.constraint(i);
    const wires = new Set([...k.a, ...k.b, ...k.c].map((t) => t.wire));
    return [...wires]
      .sort((x, y) => x - y)
      .flatMap((w) => this.index.wireNames.get(w) ?? [`w${w}`]);
  }

  /** Constraint i as text, `(A) * (B) = (C)` over signal names, each side cut after `maxTerms` terms. */
  show(i: number, maxTerms = 6): string {
    const k = this.constraint(i);
    const half = this.r1cs.prime / 2n;
    const term = ({ wire, coeff }: Term): string => {
      const name = wire === 0 ? "" : (this.index.wireNames.get(wire)?.[0] ?? `w${wire}`);
      const neg = coeff > half;
      const mag = neg ? this.r1cs.prime - coeff : coeff;
      const body = name === "" ? `${mag}` : mag === 1n ? name : `${mag}*${name}`;
      return `${neg ? "-" : "+"}${body}`;
    };
    const lc = (terms: LinearCombination) => {
      if (terms.length === 0) return "0";
      const shown = terms.slice(0, maxTerms).map(term).join(" ").replace(/^\+/, "");
      return terms.length > maxTerms ? `${shown} ... (${terms.length - maxTerms} more)` : shown;
    };
    return `(${lc(k.a)}) * (${lc(k.b)}) = (${lc(k.c)})`;
  }

  private constraint(i: number): Constraint {
    const k = this.r1cs.constraints[i];
    if (k === undefined) throw new Error(`no constraint ${i}`);
    return k;
  }

  /**
   * The parts of this circuit under the components `prefixes` (e.g.
   * `main.f3.`), each named as `as` (`main.`): the signals under it, renamed,
   * and the constraints on no other wire (the wiring of its inputs to the
   * enclosing component is left out), in one pass over the constraints. No
   * prefix may contain another. Witnesses keep this circuit's wire order: a
   * part checks and names the whole circuit's witness. Built for circuits
   * compiled at --O0, where no constraint mixes two components' signals.
   */
  parts(prefixes: readonly string[], as = "main."): Circuit[] {
    const owner = new Int32Array(this.r1cs.nWires).fill(-1);
    const symbols: SymbolEntry[][] = prefixes.map(() => []);
    for (const s of this.symbols) {
      const k = prefixes.findIndex((p) => s.name.startsWith(p));
      if (k < 0) continue;
      const prefix = prefixes[k]!;
      symbols[k]!.push({
        ...s,
        name: as + s.name.slice(prefix.length),
        normalized: as + s.normalized.slice(prefix.length),
      });
      if (s.wire >= 0) owner[s.wire] = owner[s.wire] === -1 || owner[s.wire] === k ? k : -2;
    }
    symbols.forEach((list, k) => {
      if (list.length === 0) throw new Error(`no signal under ${prefixes[k]}`);
    });
    const constraints: Constraint[][] = prefixes.map(() => []);
    for (const c of this.r1cs.constraints) {
      let k = -1;
      let mixed = false;
      for (const lc of [c.a, c.b, c.c]) {
        for (const { wire } of lc) {
          if (wire === 0) continue;
          const o = owner[wire]!;
          if (o < 0 || (k >= 0 && o !== k)) mixed = true;
          k = o;
        }
      }
      if (!mixed && k >= 0) constraints[k]!.push(c);
    }
    return prefixes.map(
      (_, k) => new Circuit({ ...this.r1cs, constraints: constraints[k]! }, symbols[k]!),
    );
  }

  /** Every signal that has a wire, by normalized name, with its witness value. */
  named(witness: readonly bigint[]): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const s of this.symbols) {
      if (s.wire >= 0) out.set(s.normalized, witness[s.wire]!);
    }
    return out;
  }

  /**
   * This circuit's witness from values by normalized name (typically
   * `other.named(w)` of a circuit compiled from edited source with every
   * signal kept, e.g. --O0). Throws when a wire has no value, or when two
   * signals sharing a wire get different values.
   */
  witnessFrom(named: ReadonlyMap<string, bigint>): bigint[] {
    const witness: Array<bigint | undefined> = new Array(this.r1cs.nWires).fill(undefined);
    witness[0] = 1n;
    for (const s of this.symbols) {
      if (s.wire < 0) continue;
      const v = named.get(s.normalized);
      if (v === undefined) continue;
      const seen = witness[s.wire];
      if (seen !== undefined && seen !== v) {
        throw new Error(`wire ${s.wire} gets ${seen} and ${v} (${s.name})`);
      }
      witness[s.wire] = v;
    }
    const missing = witness.findIndex((v) => v === undefined);
    if (missing >= 0) {
      throw new Error(
        `no value for wire ${missing} (${this.index.wireNames.get(missing)?.join(", ")})`,
      );
    }
    return witness as bigint[];
  }
}

export async function loadCircuit(r1csPath: string, symPath: string): Promise<Circuit> {
  const [r1cs, symbols] = await Promise.all([readR1cs(r1csPath), readSym(symPath)]);
  return new Circuit(r1cs, symbols);
}
