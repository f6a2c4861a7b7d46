/**
 * An exact evaluator of a compiled circuit's constraints, from the
 * intermediate form (ir.ts) that the Circom text is printed from.
 *
 *   const ev = new Evaluator({ in_x: 3n });      // input signals, by name
 *   lowering(ev.sink) or nodes.forEach(ev.sink);  // the node stream, in order
 *   const r = ev.result();
 *   // r.satisfied: true  → r.outputs (out_* signal → value), r.signals (every signal)
 *   // r.satisfied: false → r.reason (which constraint fails, and why)
 *
 *   evaluate(nodes, inputs) does the same over an array of nodes.
 *
 * Each node is evaluated as circom's witness generator computes it (every
 * `<==` assigns) and every constraint it stands for is checked exactly over
 * the field. Besides circomlib's IsZero `inv` (read by nothing when its input
 * is 0) and Num2Bits' bits (unique below p), the only free signal is a
 * closed-form loop's trip count (a `hint` node): for given inputs and given
 * hint values the R1CS has at most one solution, this evaluator finds it when
 * it exists, and "satisfied" is exactly "the R1CS (at any --O level) is
 * satisfiable for these inputs with these hints". The hint is the honest one
 * (`tripCount`) unless `hints` forces it; checking soundness means trying
 * every value the constraints allow (test/helpers/soundness-fuzz.ts).
 *
 * What each node constrains (circomlib and templates/zkvm.circom):
 *   define, output, product   signal = its value (always satisfiable)
 *   hint                      signal = the hint (free: no constraint of its own)
 *   IsEqual(a, b), NonZero(x) IsZero: out is 0/1, always satisfiable
 *   Num2Bits(W) of x          x < 2^W as an integer in [0, p), else unsatisfiable
 *   LessThan(k) of a, b       v = a + 2^k - b (mod p) must be < 2^(k+1);
 *                             out = 1 - bit k of v (also for a, b >= 2^k)
 *   HighBitsZero, LowBits     of a Num2Bits' bits: bits k.. all 0; bits ..k-1 as a value
 *   assertLess                LessThan(k) as above, and its out === 1
 *   assert                    left === right
 *
 * A signal read before it is defined is a compiler bug, reported by throwing.
 */
import { mod } from "../field.js";
import { tripCount, type Gadget, type Node, type Sink } from "./ir.js";
import type { Lin } from "./linear.js";

export type Evaluation =
  | {
      readonly satisfied: true;
      /** The output signals (`out_<name>`), in the order the circuit defines them. */
      readonly outputs: ReadonlyMap<string, bigint>;
      /** Every signal's value, inputs included. */
      readonly signals: ReadonlyMap<string, bigint>;
    }
  | {
      readonly satisfied: false;
      /** The first constraint that no assignment satisfies, and its values. */
      readonly reason: string;
    };

export class Evaluator {
  private readonly values = new Map<string, bigint>();
  /** The bits of each Num2Bits component, by component name. */
  private readonly bits = new Map<string, bigint>();
  private readonly outputs = new Map<string, bigint>();
  private failure: string | undefined;

  /**
   * `inputs`: the input signals (`in_<name>`) and their field values.
   * `hints`: values for hint signals (a closed-form loop's trip count) in
   * place of the honest one, to try every witness the R1CS allows.
   */
  constructor(
    inputs: ReadonlyMap<string, bigint> | Readonly<Record<string, bigint>>,
    private readonly hints: ReadonlyMap<string, bigint> = new Map(),
  ) {
    const entries = inputs instanceof Map ? [...inputs] : Object.entries(inputs);
    for (const [name, v] of entries) this.values.set(name, mod(v));
  }

  /** Evaluates one node; after the first failure, the rest are ignored. */
  readonly sink: Sink = (node) => {
    if (this.failure === undefined) this.node(node);
  };

  result(): Evaluation {
    if (this.failure !== undefined) return { satisfied: false, reason: this.failure };
    return { satisfied: true, outputs: this.outputs, signals: this.values };
  }

  private value(lin: Lin): bigint {
    let sum = lin.constant;
    for (const [name, k] of lin.terms) {
      const v = this.values.get(name);
      if (v === undefined) throw new Error(`evaluate: signal ${name} is read before it is defined`);
      sum += k * v;
    }
    return mod(sum);
  }

  private set(name: string, v: bigint): void {
    if (this.values.has(name)) throw new Error(`evaluate: signal ${name} is defined twice`);
    this.values.set(name, v);
  }

  private fail(reason: string): void {
    this.failure = reason;
  }

  /** circomlib LessThan(k): out, or undefined when its Num2Bits(k + 1) fails. */
  private lessThan(k: number, a: bigint, b: bigint): bigint | undefined {
    const v = mod(a + (1n << BigInt(k)) - b);
    if (v >> BigInt(k + 1) !== 0n) return undefined;
    return 1n - ((v >> BigInt(k)) & 1n);
  }

  private bitsOf(component: string): bigint {
    const b = this.bits.get(component);
    if (b === undefined) throw new Error(`evaluate: no range check ${component}`);
    return b;
  }

  private gadget(signal: string, g: Gadget): void {
    switch (g.name) {
      case "IsEqual":
        this.set(signal, this.value(g.a) === this.value(g.b) ? 1n : 0n);
        return;
      case "NonZero":
        this.set(signal, this.value(g.x) !== 0n ? 1n : 0n);
        return;
      case "LessThan": {
        const a = this.value(g.a);
        const b = this.value(g.b);
        const out = this.lessThan(g.k, a, b);
        if (out === undefined) {
          this.fail(
            `${signal} = LessThan(${g.k})(${a}, ${b}): ${a} + 2^${g.k} - ${b} is not below 2^${g.k + 1}`,
          );
          return;
        }
        this.set(signal, out);
        return;
      }
      case "Num2Bits": {
        const x = this.value(g.x);
        if (x >> BigInt(g.width) !== 0n) {
          this.fail(`${signal} = Num2Bits(${g.width})(${x}): not below 2^${g.width}`);
          return;
        }
        this.bits.set(signal, x);
        return;
      }
      case "HighBitsZero":
        this.set(signal, this.bitsOf(g.bits) >> BigInt(g.k) === 0n ? 1n : 0n);
        return;
      case "LowBits":
        this.set(signal, this.bitsOf(g.bits) & ((1n << BigInt(g.k)) - 1n));
        return;
      default:
        return g satisfies never;
    }
  }

  private node(node: Node): void {
    switch (node.kind) {
      case "blank":
      case "comment":
      case "instruction":
        return;
      case "define":
        this.set(node.signal, this.value(node.value));
        return;
      case "hint": {
        const { trip } = node;
        const forced = this.hints.get(node.signal);
        this.set(
          node.signal,
          forced !== undefined
            ? mod(forced)
            : tripCount(trip, this.value(trip.s0), this.value(trip.step), this.value(trip.bound)),
        );
        return;
      }
      case "output": {
        const v = this.value(node.value);
        this.set(node.signal, v);
        this.outputs.set(node.signal, v);
        return;
      }
      case "product": {
        const a = this.value(node.a);
        const b = this.value(node.b);
        this.set(node.signal, node.form === "orNot" ? mod(1n - a * mod(1n - b)) : mod(a * b));
        return;
      }
      case "gadget":
        this.gadget(node.signal, node.gadget);
        return;
      case "assertLess": {
        const a = this.value(node.a);
        const b = this.value(node.b);
        const out = this.lessThan(node.k, a, b);
        if (out !== 1n) {
          this.fail(
            `${node.signal}: ${a} < ${b} asserted (LessThan(${node.k}) ${out === undefined ? "out of range" : "is 0"})`,
          );
          return;
        }
        this.set(node.signal, out);
        return;
      }
      case "assert": {
        const left = this.value(node.left);
        const right = this.value(node.right);
        if (left !== right) {
          this.fail(
            `${node.left.toCircom()} === ${node.right.toCircom()}: ${left} != ${right}${node.why !== undefined ? ` (${node.why})` : ""}`,
          );
        }
        return;
      }
      default:
        return node satisfies never;
    }
  }
}

/** Evaluates a whole node stream (see the module comment). */
export function evaluate(
  nodes: Iterable<Node>,
  inputs: ReadonlyMap<string, bigint> | Readonly<Record<string, bigint>>,
  hints?: ReadonlyMap<string, bigint>,
): Evaluation {
  const ev = new Evaluator(inputs, hints);
  for (const node of nodes) ev.sink(node);
  return ev.result();
}
