/**
 * The compiler's intermediate form: what lowering produces and what the
 * emitter (emit.ts) prints as Circom and the cost meter counts. A circuit is
 * a stream of nodes: signals equal to linear combinations (free after
 * circom's --O2 simplification), products of two linear combinations (one
 * constraint each), gadget instances (templates/zkvm.circom and circomlib,
 * each with its exact constraint count), linear assertions, the outputs, and
 * comments that tie the text back to the program. The estimate the compiler
 * reports is the sum of `nodeCost` over this stream, so it is computed from
 * the same form the Circom text is printed from.
 */
import { mod, P } from "../field.js";
import type { Lin } from "./linear.js";

/** Where a constraint comes from: the block step, and the instruction (none: a step transition). */
export interface Origin {
  readonly step: number;
  readonly pc?: number;
}

/** A circomlib or zkvm.circom template instance; `bits` is the range check it reads. */
export type Gadget =
  /** circomlib IsEqual: 1 if a == b else 0. */
  | { readonly name: "IsEqual"; readonly a: Lin; readonly b: Lin }
  /** zkvm.circom NonZero: 1 if x != 0 else 0. */
  | { readonly name: "NonZero"; readonly x: Lin }
  /** circomlib LessThan(k): a < b for a, b < 2^k. */
  | { readonly name: "LessThan"; readonly k: number; readonly a: Lin; readonly b: Lin }
  /** circomlib Num2Bits(W) as a component (its bits may be read): x < 2^W. */
  | { readonly name: "Num2Bits"; readonly width: number; readonly x: Lin }
  /** zkvm.circom HighBitsZero(W, k) of a range check's bits. */
  | {
      readonly name: "HighBitsZero";
      readonly width: number;
      readonly k: number;
      readonly bits: string;
    }
  /** zkvm.circom LowBits(W, k) of a range check's bits (linear). */
  | { readonly name: "LowBits"; readonly width: number; readonly k: number; readonly bits: string };

/**
 * The shape of a product: `a * b` (plain, operands parenthesized),
 * `a * b` of two single signals (and), or `1 - a * (1 - b)` (orNot).
 */
export type ProductForm = "plain" | "and" | "orNot";

/**
 * The trip count of a closed-form loop (closedform.ts): the number of
 * iterations of `while s rel t { ...; s = s + c }` with s starting at s0,
 * for a loop-invariant t and step c. `test` is what keeps the loop going:
 * lt s < t, le s <= t (s increases: c < 2^W), gt s > t, ge s >= t (s
 * decreases: c = p - d with d < 2^W), reach s != t (an EQ exit). It is a
 * witness hint: the constraints check it, whatever it is.
 */
export interface Trip {
  readonly test: "lt" | "le" | "gt" | "ge" | "reach";
  readonly s0: Lin;
  readonly step: Lin;
  readonly bound: Lin;
  /** K: the most iterations that halt within the step bound. */
  readonly max: number;
}

/**
 * The honest trip count for field values s0, c, t (canonical, in [0, p)),
 * capped at max + 1 (no run within the bound): what both backends' witness
 * computes, the Circom text as `tripHint` prints it and the direct backend
 * in TypeScript. Where the run faults, any value will do (no witness exists).
 */
export function tripCount(trip: Trip, s0: bigint, c: bigint, t: bigint): bigint {
  const over = BigInt(trip.max) + 1n;
  const cap = (k: bigint) => (k > over ? over : k);
  const d = mod(-c);
  switch (trip.test) {
    case "lt":
      return s0 >= t ? 0n : c === 0n ? over : cap((t - s0 + c - 1n) / c);
    case "le":
      return s0 > t ? 0n : c === 0n ? over : cap((t - s0) / c + 1n);
    case "gt":
      return s0 <= t ? 0n : d === 0n ? over : cap((s0 - t + d - 1n) / d);
    case "ge":
      return s0 < t ? 0n : d === 0n ? over : cap((s0 - t) / d + 1n);
    case "reach":
      return s0 === t ? 0n : c === 0n ? over : cap(mod((t - s0) * inverse(c)));
    default:
      return trip.test satisfies never;
  }
}

/**
 * The Circom statements that compute `tripCount` into var `k`, over vars s0,
 * c, t (see emit.ts). Statements, not one ?: expression: circom's witness code
 * would evaluate a division by a zero step in an arm that is not taken.
 */
export function tripHint(trip: Trip, k: string, s0: string, c: string, t: string): string[] {
  const over = `${trip.max + 1}`;
  const d = `(0 - ${c})`;
  const [exits, quotient] = ((): [string, string] => {
    switch (trip.test) {
      case "lt":
        return [`${s0} >= ${t}`, `(${t} - ${s0} + ${c} - 1) \\ ${c}`];
      case "le":
        return [`${s0} > ${t}`, `(${t} - ${s0}) \\ ${c} + 1`];
      case "gt":
        return [`${s0} <= ${t}`, `(${s0} - ${t} + ${d} - 1) \\ ${d}`];
      case "ge":
        return [`${s0} < ${t}`, `(${s0} - ${t}) \\ ${d} + 1`];
      case "reach":
        return [`${s0} == ${t}`, `(${t} - ${s0}) / ${c}`];
      default:
        return trip.test satisfies never;
    }
  })();
  return [
    `var ${k} = 0;`,
    `if (${exits}) {`,
    `    ${k} = 0;`,
    `} else if (${c} == 0) {`,
    `    ${k} = ${over};`,
    `} else {`,
    `    ${k} = ${quotient};`,
    `    if (${k} > ${trip.max}) {`,
    `        ${k} = ${over};`,
    `    }`,
    `}`,
  ];
}

export type Node =
  | { readonly kind: "blank" }
  | { readonly kind: "comment"; readonly text: string }
  /** An instruction of the program at a block step: the profile counts these. */
  | {
      readonly kind: "instruction";
      readonly pc: number;
      readonly line?: number;
      readonly op: string;
      readonly step: number;
    }
  /** signal <== a linear combination. */
  | { readonly kind: "define"; readonly signal: string; readonly value: Lin }
  /** signal <-- a loop's trip count (a witness hint, constrained by the nodes after it). */
  | { readonly kind: "hint"; readonly signal: string; readonly trip: Trip }
  | {
      readonly kind: "product";
      readonly signal: string;
      readonly a: Lin;
      readonly b: Lin;
      readonly form: ProductForm;
      readonly origin: Origin;
    }
  | {
      readonly kind: "gadget";
      readonly signal: string;
      readonly gadget: Gadget;
      readonly origin: Origin;
    }
  /**
   * a < b asserted: signal <== LessThan(k)([a, b]) and signal === 1. circom
   * turns the comparison's top bit into a constant, so it costs k, not k + 1.
   */
  | {
      readonly kind: "assertLess";
      readonly signal: string;
      readonly k: number;
      readonly a: Lin;
      readonly b: Lin;
      readonly origin: Origin;
    }
  /** left === right (linear), with why it must hold. */
  | { readonly kind: "assert"; readonly left: Lin; readonly right: Lin; readonly why?: string }
  | { readonly kind: "output"; readonly signal: string; readonly value: Lin };

/** What lowering hands each node to, in order. */
export type Sink = (node: Node) => void;

/** Constraints of a gadget after circom's --O2 (circomlib's own counts). */
export function gadgetCost(g: Gadget): number {
  switch (g.name) {
    case "IsEqual":
    case "NonZero":
      // IsZero: in * out = 0 and out = 1 - in * inv.
      return 2;
    case "LessThan":
      // Num2Bits(k + 1) of a + 2^k - b: k + 1 boolean bits, the sum is linear.
      return g.k + 1;
    case "Num2Bits":
      return g.width;
    case "HighBitsZero":
      return 2;
    case "LowBits":
      return 0;
    default:
      return g satisfies never;
  }
}

/**
 * Non-linear constraints a node adds after circom's --O2. An output's linear
 * constraint is not counted here: whether it survives depends on the other
 * outputs (see `outputConstraints`).
 */
export function nodeCost(node: Node): number {
  switch (node.kind) {
    case "product":
      return 1;
    case "gadget":
      return gadgetCost(node.gadget);
    case "assertLess":
      return node.k;
    case "blank":
    case "comment":
    case "instruction":
    case "define":
    case "hint":
    case "assert":
    case "output":
      return 0;
    default:
      return node satisfies never;
  }
}

/** Non-linear constraints attributed to one instruction (pc) or to step transitions. */
export interface ProfileEntry {
  readonly pc: number;
  readonly line?: number;
  readonly op: string;
  /** Non-linear constraints this instruction costs, summed over the steps it can run at. */
  constraints: number;
  /** Block steps at which it can run. */
  steps: number;
}

export interface CostSummary {
  readonly profile: ProfileEntry[];
  /** Non-linear constraints per block step (block work + transition into the next step). */
  readonly perStep: number[];
  /** Constraints spent on selector products, state merges and the step counter. */
  readonly transitionConstraints: number;
  readonly estimatedConstraints: number;
}

/** Counts the constraints of a node stream, by instruction and by block step. */
export class CostMeter {
  private readonly profile = new Map<number, ProfileEntry>();
  private readonly perStep: number[] = [];
  private transition = 0;
  private total = 0;
  private readonly outputs: Lin[] = [];

  /** `publicInputs`: the main template's public input signals (circom never substitutes them away). */
  constructor(private readonly publicInputs: ReadonlySet<string>) {}

  readonly sink: Sink = (node) => {
    if (node.kind === "instruction") {
      let entry = this.profile.get(node.pc);
      if (entry === undefined) {
        entry = {
          pc: node.pc,
          ...(node.line !== undefined ? { line: node.line } : {}),
          op: node.op,
          constraints: 0,
          steps: 0,
        };
        this.profile.set(node.pc, entry);
      }
      entry.steps++;
      return;
    }
    if (node.kind === "output") this.outputs.push(node.value);
    const cost = nodeCost(node);
    if (cost === 0 || !("origin" in node)) return;
    const { step, pc } = node.origin;
    this.total += cost;
    this.perStep[step] = (this.perStep[step] ?? 0) + cost;
    if (pc === undefined) this.transition += cost;
    else this.profile.get(pc)!.constraints += cost;
  };

  summary(blockSteps: number): CostSummary {
    const outputs = outputConstraints(this.outputs, this.publicInputs);
    const perStep = Array.from({ length: blockSteps }, (_, t) => this.perStep[t] ?? 0);
    if (blockSteps > 0) perStep[blockSteps - 1]! += outputs;
    return {
      profile: [...this.profile.values()].sort((a, b) => a.pc - b.pc),
      perStep,
      transitionConstraints: this.transition + outputs,
      estimatedConstraints: this.total + outputs,
    };
  }
}

/**
 * Output constraints `out_i === L_i` that survive --O2. circom removes a
 * linear constraint by substituting one of its private signals (never a
 * public input or an output); the outputs' constraints can each remove one only
 * as far as their internal parts are linearly independent, so the ones that
 * survive are the outputs minus the rank of those parts: an output that is a
 * constant or a public input, or equal to another output, costs one constraint.
 */
export function outputConstraints(
  values: readonly Lin[],
  publicInputs: ReadonlySet<string>,
): number {
  const rows = values.map((v) => new Map([...v.terms].filter(([name]) => !publicInputs.has(name))));
  let rank = 0;
  const pivots: Array<{ name: string; row: Map<string, bigint> }> = [];
  for (const row of rows) {
    for (const { name, row: pivot } of pivots) {
      const k = row.get(name);
      if (k === undefined) continue;
      const f = mod(k * inverse(pivot.get(name)!));
      for (const [n, c] of pivot) {
        const next = mod((row.get(n) ?? 0n) - f * c);
        if (next === 0n) row.delete(n);
        else row.set(n, next);
      }
    }
    const first = [...row.keys()].sort()[0];
    if (first === undefined) continue;
    pivots.push({ name: first, row });
    rank++;
  }
  return values.length - rank;
}

/** x^-1 mod p (Fermat). */
function inverse(x: bigint): bigint {
  let result = 1n;
  let base = mod(x);
  for (let e = P - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % P;
    base = (base * base) % P;
  }
  return result;
}
