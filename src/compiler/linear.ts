/**
 * Linear combinations of circuit signals over the field: c + Σ k_i * s_i.
 * The compiler keeps every value it can in this form, so additions, constants
 * and multiplications by constants never cost a constraint.
 */
import { mod, P } from "../field.js";

const HALF_P = P / 2n;

/**
 * circom evaluates `a + b + c + ...` recursively, one level per term, and
 * circom2 (circom compiled to WebAssembly) runs out of stack at a few hundred
 * terms. Longer sums are printed as nested parenthesized groups of at most
 * this many terms, so the depth grows with the logarithm of the length.
 */
const MAX_FLAT_TERMS = 64;

/** Joins signed parts ("x", "+ 2 * y", "- z") into a sum no deeper than MAX_FLAT_TERMS. */
function nestedSum(parts: readonly string[]): string {
  if (parts.length <= MAX_FLAT_TERMS) return parts.join(" ");
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += MAX_FLAT_TERMS) {
    const [head, ...rest] = parts.slice(i, i + MAX_FLAT_TERMS);
    // The group's first part loses its binary operator: "+ x" is "x", "- x" is "-x".
    const first = head!.startsWith("+ ")
      ? head!.slice(2)
      : head!.startsWith("- ")
        ? `-${head!.slice(2)}`
        : head!;
    groups.push(`${i === 0 ? "" : "+ "}(${[first, ...rest].join(" ")})`);
  }
  return nestedSum(groups);
}

export class Lin {
  private constructor(
    /** Signal name → non-zero coefficient in [1, p). */
    readonly terms: ReadonlyMap<string, bigint>,
    /** Constant term in [0, p). */
    readonly constant: bigint,
  ) {}

  static constant(value: bigint): Lin {
    return new Lin(new Map(), mod(value));
  }

  static signal(name: string): Lin {
    return new Lin(new Map([[name, 1n]]), 0n);
  }

  static readonly ZERO = Lin.constant(0n);
  static readonly ONE = Lin.constant(1n);

  /** The sum of many forms, in one pass. */
  static sum(lins: readonly Lin[]): Lin {
    const terms = new Map<string, bigint>();
    let constant = 0n;
    for (const lin of lins) {
      constant += lin.constant;
      for (const [name, k] of lin.terms) terms.set(name, (terms.get(name) ?? 0n) + k);
    }
    for (const [name, k] of terms) {
      const m = mod(k);
      if (m === 0n) terms.delete(name);
      else terms.set(name, m);
    }
    return new Lin(terms, mod(constant));
  }

  isConstant(): boolean {
    return this.terms.size === 0;
  }

  add(other: Lin): Lin {
    const terms = new Map(this.terms);
    for (const [name, k] of other.terms) {
      const sum = mod((terms.get(name) ?? 0n) + k);
      if (sum === 0n) terms.delete(name);
      else terms.set(name, sum);
    }
    return new Lin(terms, mod(this.constant + other.constant));
  }

  scale(k: bigint): Lin {
    const f = mod(k);
    if (f === 0n) return Lin.ZERO;
    const terms = new Map<string, bigint>();
    for (const [name, c] of this.terms) terms.set(name, mod(c * f));
    return new Lin(terms, mod(this.constant * f));
  }

  sub(other: Lin): Lin {
    return this.add(other.scale(-1n));
  }

  equals(other: Lin): boolean {
    return this.key() === other.key();
  }

  /** A canonical string: equal keys mean equal combinations. */
  key(): string {
    const names = [...this.terms.keys()].sort();
    return `${this.constant}|${names.map((n) => `${this.terms.get(n)}*${n}`).join("+")}`;
  }

  /** Circom expression text; coefficients above p/2 print as negatives; long sums nest (MAX_FLAT_TERMS). */
  toCircom(): string {
    const parts: string[] = [];
    for (const [name, k] of [...this.terms].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const negative = k > HALF_P;
      const magnitude = negative ? P - k : k;
      const term = magnitude === 1n ? name : `${magnitude} * ${name}`;
      parts.push(
        parts.length === 0 ? (negative ? `-${term}` : term) : `${negative ? "- " : "+ "}${term}`,
      );
    }
    if (this.constant !== 0n || parts.length === 0) {
      const negative = this.constant > HALF_P;
      const magnitude = negative ? P - this.constant : this.constant;
      if (parts.length === 0) return negative ? `-${magnitude}` : `${magnitude}`;
      parts.push(`${negative ? "- " : "+ "}${magnitude}`);
    }
    return nestedSum(parts);
  }
}
