/**
 * Linear combinations of circuit signals over the field: c + Σ k_i * s_i.
 * The compiler keeps every value it can in this form, so additions, constants
 * and multiplications by constants never cost a constraint.
 */
import { mod, P } from "../field.js";

const HALF_P = P / 2n;

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

  /** Circom expression text; coefficients above p/2 print as negatives. */
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
    return parts.join(" ");
  }
}
