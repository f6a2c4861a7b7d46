/**
 * The direct backend's circuit: the R1CS, the signal names and the witness of
 * a compiled program, made from the compiler's intermediate form (ir.ts)
 * without circom2.
 *
 * It simplifies as circom2 --O2 does the generated Circom text:
 *
 * - Signals are numbered as circom numbers them (its "labels"): label 0 is
 *   the constant 1, then the main template's outputs, inputs and
 *   intermediate signals in declaration order, then each component in the
 *   lexicographic order of its name, recursively (a template's own outputs,
 *   inputs and intermediates, then its components). Anonymous components are
 *   named `Template_<line>_<offset>` after where the call stands in the text.
 * - Every linear constraint is used to eliminate one signal, the one of
 *   highest rank among those circom may eliminate (never an input or output
 *   of the main template; simplify.ts ranks signals by how few constraints
 *   use them, then by label): the set of eliminated signals is then the set
 *   of leading signals of the linear constraints' span, whatever order they
 *   are processed in. The remaining (quadratic) constraints are written with
 *   the eliminated signals substituted; one that becomes linear eliminates a
 *   signal in turn, one that becomes 0 = 0 is dropped.
 * - The surviving signals are the wires, in label order; a signal used by no
 *   remaining constraint is dropped too (circom's "remove unused").
 *
 * The gadgets (circomlib's LessThan, IsEqual, IsZero, Num2Bits and
 * templates/zkvm.circom's NonZero, HighBitsZero, LowBits) are expanded here
 * into their signals and constraints, as circom instantiates them.
 *
 * No Node APIs: it runs in a browser.
 */
import { mod } from "../field.js";
import type { CircuitIr } from "../compiler/index.js";
import type { Gadget, Node } from "../compiler/ir.js";
import type { Lin } from "../compiler/linear.js";

/** Where the anonymous IsZero components of templates/zkvm.circom stand (line, offset): their names. */
export const NONZERO_ISZERO = "IsZero_14_506";
export const HIGHBITSZERO_ISZERO = "IsZero_25_886";

export type Row = Map<number, bigint>;

/** A template instance: its kind, parameters, and where its signals start. */
interface Component {
  readonly name: string;
  readonly gadget: Gadget;
  base: number;
}

function templateName(g: Gadget): string {
  return g.name;
}

/** The template instances a gadget instantiates, children first (circom numbers them so in the .sym). */
function templateKeys(g: Gadget): string[] {
  switch (g.name) {
    case "Num2Bits":
      return [`Num2Bits(${g.width})`];
    case "LessThan":
      return [`Num2Bits(${g.k + 1})`, `LessThan(${g.k})`];
    case "IsEqual":
      return ["IsZero", "IsEqual"];
    case "NonZero":
      return ["IsZero", "NonZero"];
    case "HighBitsZero":
      return ["IsZero", `HighBitsZero(${g.width},${g.k})`];
    case "LowBits":
      return [`LowBits(${g.width},${g.k})`];
    default:
      return g satisfies never;
  }
}

/** Names of a component's signals relative to it, with the template key of each. */
function componentSignals(g: Gadget): Array<[string, string]> {
  const bits = (prefix: string, n: number, key: string): Array<[string, string]> =>
    Array.from({ length: n }, (_, i) => [`${prefix}[${i}]`, key]);
  const isZero = (prefix: string): Array<[string, string]> => [
    [`${prefix}.out`, "IsZero"],
    [`${prefix}.in`, "IsZero"],
    [`${prefix}.inv`, "IsZero"],
  ];
  switch (g.name) {
    case "Num2Bits": {
      const key = `Num2Bits(${g.width})`;
      return [...bits("out", g.width, key), ["in", key]];
    }
    case "LessThan": {
      const key = `LessThan(${g.k})`;
      const inner = `Num2Bits(${g.k + 1})`;
      return [
        ["out", key],
        ["in[0]", key],
        ["in[1]", key],
        ...bits("n2b.out", g.k + 1, inner),
        ["n2b.in", inner],
      ];
    }
    case "IsEqual":
      return [["out", "IsEqual"], ["in[0]", "IsEqual"], ["in[1]", "IsEqual"], ...isZero("isz")];
    case "NonZero":
      return [
        ["out", "NonZero"],
        ["in", "NonZero"],
        ["isZero", "NonZero"],
        ...isZero(NONZERO_ISZERO),
      ];
    case "HighBitsZero": {
      const key = `HighBitsZero(${g.width},${g.k})`;
      return [["out", key], ...bits("bits", g.width, key), ...isZero(HIGHBITSZERO_ISZERO)];
    }
    case "LowBits": {
      const key = `LowBits(${g.width},${g.k})`;
      return [["out", key], ...bits("bits", g.width, key)];
    }
    default:
      return g satisfies never;
  }
}

/**
 * Signal numbering of a circuit: every signal's label, name and template,
 * and each node's component.
 */
export class Layout {
  /** Label → full name (`main.lt2`); label 0 is the constant 1 and has no name. */
  readonly names: string[] = [""];
  /** Label → template instance id (the .sym's third column). */
  readonly templates: number[] = [-1];
  readonly mainLabel = new Map<string, number>();
  /** The component of each gadget or assertLess node, by node index. */
  readonly components = new Map<number, Component>();
  readonly componentByName = new Map<string, Component>();
  readonly nOutputs: number;
  readonly nPublicInputs: number;
  readonly nPrivateInputs: number;

  constructor(shape: CircuitIr) {
    const templateIds = new Map<string, number>();
    const templateId = (key: string) => {
      let id = templateIds.get(key);
      if (id === undefined) {
        id = templateIds.size;
        templateIds.set(key, id);
      }
      return id;
    };
    const mainSignals: string[] = [...shape.outputs, ...shape.inputs];
    const components: Component[] = [];
    let call = 0;
    shape.nodes.forEach((node, i) => {
      if (node.kind === "define" || node.kind === "product" || node.kind === "hint")
        mainSignals.push(node.signal);
      else if (node.kind === "gadget" || node.kind === "assertLess") {
        const gadget: Gadget =
          node.kind === "gadget"
            ? node.gadget
            : { name: "LessThan", k: node.k, a: node.a, b: node.b };
        let name: string;
        if (gadget.name === "Num2Bits") name = node.signal;
        else {
          mainSignals.push(node.signal);
          const [line, offset] = shape.calls[call++]!;
          name = `${templateName(gadget)}_${shape.bodyLine + line}_${shape.bodyOffset + offset}`;
        }
        for (const key of templateKeys(gadget)) templateId(key);
        const c = { name, gadget, base: 0 };
        components.push(c);
        this.components.set(i, c);
        this.componentByName.set(name, c);
      }
    });
    const mainId = templateIds.size;
    for (const s of mainSignals) {
      this.mainLabel.set(s, this.names.length);
      this.names.push(`main.${s}`);
      this.templates.push(mainId);
    }
    components.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of components) {
      c.base = this.names.length;
      for (const [suffix, key] of componentSignals(c.gadget)) {
        this.names.push(`main.${c.name}.${suffix}`);
        this.templates.push(templateIds.get(key)!);
      }
    }
    this.nOutputs = shape.outputs.length;
    this.nPublicInputs = shape.nPublicInputs;
    this.nPrivateInputs = shape.inputs.length - shape.nPublicInputs;
  }

  get size(): number {
    return this.names.length;
  }

  /** Labels circom never eliminates: the main template's outputs and inputs (and the constant). */
  isForbidden(label: number): boolean {
    return label <= this.nOutputs + this.nPublicInputs;
  }

  label(signal: string): number {
    const l = this.mainLabel.get(signal);
    if (l === undefined) throw new Error(`the circuit uses the undeclared signal ${signal}`);
    return l;
  }

  row(lin: Lin): Row {
    const row: Row = new Map();
    if (lin.constant !== 0n) row.set(0, lin.constant);
    for (const [name, k] of lin.terms) row.set(this.label(name), k);
    return row;
  }
}

function single(label: number, k = 1n): Row {
  return new Map([[label, mod(k)]]);
}

/** a - b as a row. */
function minus(a: Row, b: Row): Row {
  const r = new Map(a);
  for (const [l, k] of b) {
    const v = mod((r.get(l) ?? 0n) - k);
    if (v === 0n) r.delete(l);
    else r.set(l, v);
  }
  return r;
}

/** The constraints of a node, as circom generates them: linear rows, and quadratic (A, B, C) with A·B = C. */
export interface ConstraintSink {
  /** Absent: linear constraints are not built at all (their rows are not even made). */
  readonly linear?: (row: Row) => void;
  readonly quadratic?: (a: Row, b: Row, c: Row) => void;
}

function sumRow(terms: Array<[number, bigint]>): Row {
  const r: Row = new Map();
  for (const [l, k] of terms) {
    const v = mod((r.get(l) ?? 0n) + k);
    if (v === 0n) r.delete(l);
    else r.set(l, v);
  }
  return r;
}

/** Num2Bits(n) at `base` of input row x: in <== x; bits boolean; Σ 2^i out[i] === in. */
function num2bits(out: ConstraintSink, base: number, n: number, x: Row): void {
  const inLabel = base + n;
  out.linear?.(minus(single(inLabel), x));
  for (let i = 0; i < n; i++)
    out.quadratic?.(
      single(base + i),
      sumRow([
        [base + i, 1n],
        [0, -1n],
      ]),
      new Map(),
    );
  if (out.linear === undefined) return;
  const terms: Array<[number, bigint]> = [[inLabel, -1n]];
  for (let i = 0; i < n; i++) terms.push([base + i, 1n << BigInt(i)]);
  out.linear(sumRow(terms));
}

/** IsZero at `base` (out, in, inv) of input row x. */
function isZero(out: ConstraintSink, base: number, x: Row): void {
  out.linear?.(minus(single(base + 1), x));
  // out <== -in * inv + 1: in * inv = 1 - out.
  out.quadratic?.(
    single(base + 1),
    single(base + 2),
    sumRow([
      [0, 1n],
      [base, -1n],
    ]),
  );
  out.quadratic?.(single(base + 1), single(base), new Map());
}

/** The constraints of one node. */
export function nodeConstraints(
  layout: Layout,
  index: number,
  node: Node,
  out: ConstraintSink,
): void {
  switch (node.kind) {
    case "define":
      out.linear?.(minus(single(layout.label(node.signal)), layout.row(node.value)));
      return;
    case "product": {
      const s = layout.label(node.signal);
      const a = layout.row(node.a);
      const b = layout.row(node.b);
      if (node.form === "orNot") {
        // s = 1 - a * (1 - b): a * (1 - b) = 1 - s.
        out.quadratic?.(
          a,
          minus(single(0), b),
          sumRow([
            [0, 1n],
            [s, -1n],
          ]),
        );
      } else out.quadratic?.(a, b, single(s));
      return;
    }
    case "assert":
      out.linear?.(minus(layout.row(node.left), layout.row(node.right)));
      return;
    case "output":
      out.linear?.(minus(single(layout.label(node.signal)), layout.row(node.value)));
      return;
    case "gadget":
    case "assertLess": {
      const c = layout.components.get(index)!;
      const g = c.gadget;
      const b = c.base;
      if (g.name === "Num2Bits") {
        num2bits(out, b, g.width, layout.row(g.x));
        return;
      }
      const s = layout.label(node.signal);
      switch (g.name) {
        case "LessThan": {
          out.linear?.(minus(single(b + 1), layout.row(g.a)));
          out.linear?.(minus(single(b + 2), layout.row(g.b)));
          num2bits(
            out,
            b + 3,
            g.k + 1,
            sumRow([
              [b + 1, 1n],
              [0, 1n << BigInt(g.k)],
              [b + 2, -1n],
            ]),
          );
          out.linear?.(
            sumRow([
              [b, 1n],
              [0, -1n],
              [b + 3 + g.k, 1n],
            ]),
          );
          break;
        }
        case "IsEqual":
          out.linear?.(minus(single(b + 1), layout.row(g.a)));
          out.linear?.(minus(single(b + 2), layout.row(g.b)));
          isZero(
            out,
            b + 3,
            sumRow([
              [b + 2, 1n],
              [b + 1, -1n],
            ]),
          );
          out.linear?.(
            sumRow([
              [b, 1n],
              [b + 3, -1n],
            ]),
          );
          break;
        case "NonZero":
          out.linear?.(minus(single(b + 1), layout.row(g.x)));
          isZero(out, b + 3, single(b + 1));
          out.linear?.(
            sumRow([
              [b + 2, 1n],
              [b + 3, -1n],
            ]),
          );
          out.linear?.(
            sumRow([
              [b, 1n],
              [0, -1n],
              [b + 2, 1n],
            ]),
          );
          break;
        case "HighBitsZero": {
          const r = layout.componentByName.get(g.bits)!;
          for (let i = 0; i < g.width; i++)
            out.linear?.(
              sumRow([
                [b + 1 + i, 1n],
                [r.base + i, -1n],
              ]),
            );
          const high: Array<[number, bigint]> = [];
          for (let i = g.k; i < g.width; i++) high.push([b + 1 + i, 1n << BigInt(i - g.k)]);
          isZero(out, b + 1 + g.width, sumRow(high));
          out.linear?.(
            sumRow([
              [b, 1n],
              [b + 1 + g.width, -1n],
            ]),
          );
          break;
        }
        case "LowBits": {
          const r = layout.componentByName.get(g.bits)!;
          for (let i = 0; i < g.width; i++)
            out.linear?.(
              sumRow([
                [b + 1 + i, 1n],
                [r.base + i, -1n],
              ]),
            );
          const low: Array<[number, bigint]> = [[b, 1n]];
          for (let i = 0; i < g.k; i++) low.push([b + 1 + i, -(1n << BigInt(i))]);
          out.linear?.(sumRow(low));
          break;
        }
        default:
          g satisfies never;
      }
      out.linear?.(
        sumRow([
          [s, 1n],
          [b, -1n],
        ]),
      );
      if (node.kind === "assertLess")
        out.linear?.(
          sumRow([
            [s, 1n],
            [0, -1n],
          ]),
        );
      return;
    }
    case "blank":
    case "comment":
    case "instruction":
    case "hint":
      return;
    default:
      node satisfies never;
  }
}
