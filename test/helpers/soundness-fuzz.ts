/**
 * The soundness fuzzer (issue 17): random programs whose runs depend on their
 * inputs, compiled at many step bounds N (including N below the longest runs)
 * and widths W, each lowering's constraints evaluated exactly
 * (src/compiler/evaluate.ts) against the interpreter.
 *
 * The per-program circuits have no free hints (every signal is fixed by the
 * inputs), so evaluating the constraints on an input decides completely what
 * the circuit accepts for it. A check passes when the constraints are
 * satisfiable exactly when the interpreter halts within N without a fault,
 * with the interpreter's outputs.
 *
 *   soundnessCase(): fc.Arbitrary<FuzzCase>     a program (one of four families), a width
 *   checkSoundness(c, options?): FuzzReport     every check of one case
 *   describeViolation(v): string                a minimal reproduction (program, N, W, input)
 *
 * Families (FuzzCase.family):
 *   general    test/helpers/programs.ts's programs (constant loop counts, if/else, data)
 *   one-input  control on one input n alone (counters from constants compared with n):
 *              the by-path lowering applies when large n does not halt (about a
 *              third of them)
 *   loops      loop-heavy: loops bounded by inputs, every exit style (LT/GT/EQ tests at
 *              the top or bottom, count-downs on != 0 and > 0, strides that skip an EQ
 *              exit), breaks and STOPs on data conditions
 *   nest       2 or 3 nested loops, each bounded by a different input, with branches
 *              in their bodies and loops in sequence before them
 *   (loops and nest also get `until` loops: a data-dependent exit, while w < t
 *   { ...; w = w + e } with t an input and e data)
 *   closed     one loop of induction variables (the closed-form lowering's shape,
 *              src/compiler/closedform.ts): cells stepped by constants (also p - 1,
 *              p - 2) or inputs, an LT/GT/EQ test of one of them against an input
 *              or a constant, either operand order and JUMPI sense, linear code
 *              before and after; sometimes a cell that is not an induction
 *              variable (y = y * a), which the lowering must refuse
 *
 * A closed-form lowering's trip count is a hint, not fixed by the inputs: it is
 * checked for every value from 0 to K + 3 and a few beyond (2^b, p - 1), each
 * of which must be rejected unless it is the interpreter's run.
 *
 * Step bounds (stepBounds): the longest halting run among the inputs tried (runs
 * are followed up to MAX_BOUND = 90 steps), and bounds below it, preferring those
 * where the schedule prunes an edge into a candidate.
 *
 * Inputs tried (per W): 0..9, 2^W + k for k in -2..2, p - 1, p - 2^W, and every
 * value up to 2^W + 3 when W <= 4; with several inputs, a spread of their
 * combinations (small values more often: they are the ones that halt).
 */
import fc from "fast-check";
import { lowerings, type Lowerings } from "../../src/compiler/index.js";
import { evaluate } from "../../src/compiler/evaluate.js";
import type { Node } from "../../src/compiler/ir.js";
import { inputSignal, outputSignal } from "../../src/compiler/lower.js";
import { CompileError, RuntimeFault } from "../../src/errors.js";
import { P } from "../../src/field.js";
import { run } from "../../src/interpreter.js";
import { loadProgram } from "../../src/load.js";
import { schedule } from "../../src/compiler/schedule.js";
import { validate, type ValidatedProgram } from "../../src/validator.js";
import { validProgram } from "./programs.js";

export const WIDTHS = [1, 2, 3, 4, 8, 64] as const;

export type Family = "general" | "one-input" | "loops" | "nest" | "closed";
/** The families soundnessCase() draws from by default (the bounded slice's seeded sample). */
export const FAMILIES: readonly Family[] = ["general", "one-input", "loops", "nest"];
/** Every family, the closed-form loops included (the long run's default). */
export const ALL_FAMILIES: readonly Family[] = [...FAMILIES, "closed"];

export interface FuzzCase {
  readonly family: Family;
  /** Assembly with its I/O directives. */
  readonly source: string;
  readonly width: number;
  /** Picks the step bounds tried (see stepBounds). */
  readonly boundSeed: number;
}

// ---- programs -------------------------------------------------------------

type Expr =
  | { readonly k: "const"; readonly v: bigint }
  | { readonly k: "load"; readonly cell: number }
  | {
      readonly k: "op";
      readonly op: "ADD" | "MUL" | "EQ" | "LT" | "GT";
      readonly a: Expr;
      readonly b: Expr;
    };

type LoopStyle = "while-lt" | "while-eq" | "do-lt" | "gt-up" | "down-nz" | "down-gt";

type Stmt =
  | { readonly k: "store"; readonly cell: number; readonly e: Expr }
  | { readonly k: "if"; readonly cond: Expr; readonly then: Stmt[]; readonly else: Stmt[] }
  | {
      readonly k: "loop";
      readonly style: LoopStyle;
      readonly counter: number;
      readonly bound: Expr;
      readonly stride: bigint;
      readonly start: bigint;
      readonly body: Stmt[];
    }
  | { readonly k: "break"; readonly cond: Expr }
  | { readonly k: "stopIf"; readonly cond: Expr }
  /** A data-dependent exit: while cell < target { body; cell = cell + by }. */
  | {
      readonly k: "until";
      readonly cell: number;
      readonly target: Expr;
      readonly by: Expr;
      readonly body: Stmt[];
    };

const INPUT_NAMES = ["a", "b", "c"];
/** Cells: inputs 0..2, work cells 10..12, loop counters 20.. */
const WORK = [10, 11, 12];

function emitExpr(e: Expr, out: string[]): void {
  switch (e.k) {
    case "const":
      out.push(`PUSH ${e.v}`);
      return;
    case "load":
      out.push(`LOAD ${e.cell}`);
      return;
    case "op":
      emitExpr(e.a, out);
      emitExpr(e.b, out);
      out.push(e.op);
      return;
    default:
      return e satisfies never;
  }
}

/** The program as assembly: every statement leaves the stack empty. */
function assembly(
  inputs: ReadonlyArray<{ name: string; visibility: "public" | "private" }>,
  outputs: readonly number[],
  body: readonly Stmt[],
): string {
  const out: string[] = [];
  inputs.forEach((i, cell) => out.push(`.${i.visibility} ${i.name} ${cell}`));
  outputs.forEach((cell, i) => out.push(`.output y${i} ${cell}`));
  let labels = 0;
  const label = () => `L${labels++}`;
  const cond = (e: Expr) => emitExpr(e, out);
  const stmts = (list: readonly Stmt[], exit: string | undefined) => {
    for (const s of list) stmt(s, exit);
  };
  const step = (cell: number, by: bigint) => {
    out.push(`LOAD ${cell}`, `PUSH ${by}`, "ADD", `STORE ${cell}`);
  };
  const stmt = (s: Stmt, exit: string | undefined): void => {
    switch (s.k) {
      case "store":
        emitExpr(s.e, out);
        out.push(`STORE ${s.cell}`);
        return;
      case "if": {
        const other = label();
        const end = label();
        cond(s.cond);
        out.push(`JUMPI ${other}`);
        stmts(s.else, exit);
        out.push(`JUMP ${end}`, `${other}:`);
        stmts(s.then, exit);
        out.push(`${end}:`);
        return;
      }
      case "break":
        if (exit === undefined) return;
        cond(s.cond);
        out.push(`JUMPI ${exit}`);
        return;
      case "stopIf": {
        const skip = label();
        cond(s.cond);
        out.push(`JUMPI ${skip}`, "STOP", `${skip}:`);
        return;
      }
      case "until": {
        const top = label();
        const bodyLabel = label();
        const end = label();
        out.push(`${top}:`, `LOAD ${s.cell}`);
        emitExpr(s.target, out);
        out.push("LT", `JUMPI ${bodyLabel}`, `JUMP ${end}`, `${bodyLabel}:`);
        stmts(s.body, end);
        out.push(`LOAD ${s.cell}`);
        emitExpr(s.by, out);
        out.push("ADD", `STORE ${s.cell}`, `JUMP ${top}`, `${end}:`);
        return;
      }
      case "loop": {
        const top = label();
        const bodyLabel = label();
        const end = label();
        const c = s.counter;
        const down = s.style === "down-nz" || s.style === "down-gt";
        if (down) emitExpr(s.bound, out);
        else out.push(`PUSH ${s.start}`);
        out.push(`STORE ${c}`, `${top}:`);
        switch (s.style) {
          case "while-lt":
            out.push(`LOAD ${c}`);
            emitExpr(s.bound, out);
            out.push("LT", `JUMPI ${bodyLabel}`, `JUMP ${end}`, `${bodyLabel}:`);
            break;
          case "gt-up":
            emitExpr(s.bound, out);
            out.push(`LOAD ${c}`, "GT", `JUMPI ${bodyLabel}`, `JUMP ${end}`, `${bodyLabel}:`);
            break;
          case "while-eq":
            out.push(`LOAD ${c}`);
            emitExpr(s.bound, out);
            out.push("EQ", `JUMPI ${end}`);
            break;
          case "down-nz":
            out.push(`LOAD ${c}`, `JUMPI ${bodyLabel}`, `JUMP ${end}`, `${bodyLabel}:`);
            break;
          case "down-gt":
            out.push(
              `LOAD ${c}`,
              "PUSH 0",
              "GT",
              `JUMPI ${bodyLabel}`,
              `JUMP ${end}`,
              `${bodyLabel}:`,
            );
            break;
          case "do-lt":
            break;
          default:
            s.style satisfies never;
        }
        stmts(s.body, end);
        if (s.style === "do-lt") {
          step(c, s.stride);
          out.push(`LOAD ${c}`);
          emitExpr(s.bound, out);
          out.push("LT", `JUMPI ${top}`);
        } else {
          step(c, down ? P - s.stride : s.stride);
          out.push(`JUMP ${top}`);
        }
        out.push(`${end}:`);
        return;
      }
      default:
        s satisfies never;
    }
  };
  stmts(body, undefined);
  out.push("STOP");
  return `${out.join("\n")}\n`;
}

const smallConst = fc.bigInt(0n, 4n).map((v): Expr => ({ k: "const", v }));

/** Values for data expressions: small constants, sometimes at a width edge or p - 1. */
const dataConst = fc
  .oneof(
    { weight: 8, arbitrary: fc.bigInt(0n, 9n) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(15n, 16n, 255n, 256n, (1n << 64n) - 1n, 1n << 64n, P - 1n),
    },
  )
  .map((v): Expr => ({ k: "const", v }));

function expr(
  cells: readonly number[],
  depth: number,
  ops: ReadonlyArray<"ADD" | "MUL" | "EQ" | "LT" | "GT"> = ["ADD", "MUL", "EQ", "LT", "GT"],
): fc.Arbitrary<Expr> {
  const leaf = fc.oneof(
    dataConst,
    fc.constantFrom(...cells).map((cell): Expr => ({ k: "load", cell })),
  );
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    {
      weight: 3,
      arbitrary: fc
        .record({
          op: fc.constantFrom(...ops),
          a: expr(cells, depth - 1, ops),
          b: expr(cells, depth - 1, ops),
        })
        .map((r): Expr => ({ k: "op", ...r })),
    },
  );
}

/** A condition on n and counters against small constants (the one-input family). */
function controlCond(controls: readonly number[]): fc.Arbitrary<Expr> {
  return fc.oneof(
    fc
      .record({
        op: fc.constantFrom("EQ", "LT", "GT" as const),
        cell: fc.constantFrom(...controls),
        v: fc.bigInt(0n, 5n),
        flip: fc.boolean(),
      })
      .map(({ op, cell, v, flip }): Expr => {
        const load: Expr = { k: "load", cell };
        const c: Expr = { k: "const", v };
        return { k: "op", op, a: flip ? c : load, b: flip ? load : c };
      }),
    fc.constantFrom(...controls).map((cell): Expr => ({ k: "load", cell })),
  );
}

interface Shape {
  /** Inputs a loop may take its bound from. */
  readonly bounds: readonly number[];
  /** Cells a data expression may read. */
  readonly data: readonly number[];
  /** Conditions of if/break/stopIf: any data, or control only (one-input). */
  readonly controlOnly: boolean;
  readonly styles: readonly LoopStyle[];
  /** Whether loops with a data-dependent exit (`until`) may appear, even where no other loop may. */
  readonly untils?: boolean;
}

/** Statements with loops nested at most `loops` deep, counters from `counter` on. */
function statements(
  shape: Shape,
  depth: number,
  loops: number,
  counter: number,
  inLoop: boolean,
  controls: readonly number[],
): fc.Arbitrary<Stmt[]> {
  const cond = shape.controlOnly ? controlCond(controls) : expr([...shape.data, ...controls], 1);
  const store = fc
    .record({
      cell: fc.constantFrom(...WORK),
      // One-input control: data is never compared (the path analysis would not apply).
      e: expr([...shape.data, ...controls], 2, shape.controlOnly ? ["ADD", "MUL"] : undefined),
    })
    .map((r): Stmt => ({ k: "store", ...r }));
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<Stmt> }> = [
    { weight: 4, arbitrary: store },
    { weight: 1, arbitrary: cond.map((c): Stmt => ({ k: "stopIf", cond: c })) },
  ];
  if (inLoop)
    options.push({ weight: 2, arbitrary: cond.map((c): Stmt => ({ k: "break", cond: c })) });
  if (depth > 0) {
    options.push({
      weight: 2,
      arbitrary: fc
        .record({
          cond,
          then: statements(shape, depth - 1, loops, counter, inLoop, controls),
          else: statements(shape, depth - 1, loops, counter, inLoop, controls),
        })
        .map((r): Stmt => ({ k: "if", ...r })),
    });
  }
  if (loops > 0)
    options.push({ weight: 4, arbitrary: loop(shape, depth, loops, counter, controls) });
  if (shape.untils === true) options.push({ weight: 2, arbitrary: until(shape, controls) });
  return fc.array(fc.oneof(...options), { minLength: 1, maxLength: 3 });
}

/**
 * A loop whose exit compares a computed value with an input (or an input
 * plus a constant): while w < t { body; w = w + e }, e a data expression
 * (often a positive input, sometimes 0 or p - 1: no exit, or a fault).
 */
function until(shape: Shape, controls: readonly number[]): fc.Arbitrary<Stmt> {
  const store = fc
    .record({ cell: fc.constantFrom(...WORK), e: expr([...shape.data, ...controls], 1) })
    .map((r): Stmt => ({ k: "store", ...r }));
  const cond = expr([...shape.data, ...controls, ...WORK], 1);
  return fc
    .record({
      cell: fc.constantFrom(...WORK),
      target: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...shape.data).map((cell): Expr => ({ k: "load", cell })),
        },
        {
          weight: 1,
          arbitrary: fc
            .record({ cell: fc.constantFrom(...shape.data), v: fc.bigInt(1n, 3n) })
            .map(({ cell, v }): Expr => ({
              k: "op",
              op: "ADD",
              a: { k: "load", cell },
              b: { k: "const", v },
            })),
        },
      ),
      by: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...shape.data).map((cell): Expr => ({ k: "load", cell })),
        },
        { weight: 2, arbitrary: fc.bigInt(1n, 3n).map((v): Expr => ({ k: "const", v })) },
        { weight: 1, arbitrary: expr([...shape.data, ...controls], 1, ["ADD", "MUL"]) },
      ),
      body: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: store },
          { weight: 1, arbitrary: cond.map((c): Stmt => ({ k: "break", cond: c })) },
          {
            weight: 1,
            arbitrary: fc
              .record({
                cond,
                then: fc.array(store, { maxLength: 2 }),
                else: fc.array(store, { maxLength: 2 }),
              })
              .map((r): Stmt => ({ k: "if", ...r })),
          },
        ),
        { maxLength: 2 },
      ),
    })
    .map((r): Stmt => ({ k: "until", ...r }));
}

function loop(
  shape: Shape,
  depth: number,
  loops: number,
  counter: number,
  controls: readonly number[],
): fc.Arbitrary<Stmt> {
  const boundExpr = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(...shape.bounds).map((cell): Expr => ({ k: "load", cell })),
    },
    { weight: 1, arbitrary: smallConst },
    {
      weight: 1,
      arbitrary: fc
        .record({ cell: fc.constantFrom(...shape.bounds), v: fc.bigInt(1n, 2n) })
        .map(({ cell, v }): Expr => ({
          k: "op",
          op: "ADD",
          a: { k: "load", cell },
          b: { k: "const", v },
        })),
    },
  );
  return fc
    .record({
      style: fc.constantFrom(...shape.styles),
      bound: boundExpr,
      stride: fc.oneof(
        { weight: 4, arbitrary: fc.constant(1n) },
        { weight: 1, arbitrary: fc.constant(2n) },
      ),
      start: fc.oneof(
        { weight: 4, arbitrary: fc.constant(0n) },
        { weight: 1, arbitrary: fc.bigInt(1n, 2n) },
      ),
      body: statements(shape, Math.max(0, depth - 1), loops - 1, counter + 1, true, [
        ...controls,
        20 + counter,
      ]),
    })
    .map((r): Stmt => ({ k: "loop", counter: 20 + counter, ...r }));
}

/** `count` loops nested inside one another, each bounded by its own input. */
function nest(shape: Shape, count: number, level = 0): fc.Arbitrary<Stmt[]> {
  const controls = Array.from({ length: level }, (_, i) => 20 + i);
  const inner =
    level + 1 < count
      ? nest(shape, count, level + 1)
      : statements({ ...shape }, 1, 0, level + 1, true, [...controls, 20 + level]);
  const before = statements(shape, 0, 0, level + 1, level > 0, controls);
  return fc
    .record({
      style: fc.constantFrom(...shape.styles),
      stride: fc.oneof(
        { weight: 5, arbitrary: fc.constant(1n) },
        { weight: 1, arbitrary: fc.constant(2n) },
      ),
      body: inner,
      extra: fc.option(before, { freq: 2 }),
    })
    .map(({ style, stride, body, extra }): Stmt[] => [
      ...(extra ?? []),
      {
        k: "loop",
        style,
        counter: 20 + level,
        bound: { k: "load", cell: shape.bounds[level % shape.bounds.length]! },
        stride,
        start: 0n,
        body,
      },
    ]);
}

const ALL_STYLES: readonly LoopStyle[] = [
  "while-lt",
  "while-eq",
  "do-lt",
  "gt-up",
  "down-nz",
  "down-gt",
];

function familyProgram(family: Exclude<Family, "general">): fc.Arbitrary<string> {
  return fc.integer({ min: 1, max: 3 }).chain((inputCount) => {
    const count = family === "nest" ? Math.max(2, inputCount) : inputCount;
    const inputs = INPUT_NAMES.slice(0, count).map((name) => ({ name }));
    const cells = inputs.map((_, i) => i);
    const shape: Shape =
      family === "one-input"
        ? {
            bounds: [0],
            data: cells.slice(1).length > 0 ? cells.slice(1) : [0],
            controlOnly: true,
            styles: ["while-lt", "while-eq", "do-lt", "gt-up"],
          }
        : // Loops with a data-dependent exit (until) in the loop-heavy and nest families.
          { bounds: cells, data: cells, controlOnly: false, styles: ALL_STYLES, untils: true };
    const body =
      family === "nest"
        ? fc.integer({ min: 2, max: Math.min(3, count) }).chain((n) => nest(shape, n))
        : statements(shape, 1, family === "loops" ? 2 : 1, 0, false, shape.controlOnly ? [0] : []);
    return fc
      .record({
        body,
        visibility: fc.array(fc.constantFrom("public" as const, "private" as const), {
          minLength: count,
          maxLength: count,
        }),
        outputs: fc.uniqueArray(fc.constantFrom(10, 11, 12, 20, 21, 0), {
          minLength: 1,
          maxLength: 2,
        }),
      })
      .map(({ body, visibility, outputs }) =>
        assembly(
          inputs.map((i, k) => ({ name: i.name, visibility: visibility[k]! })),
          outputs,
          body,
        ),
      );
  });
}

/** The closed family (see the module comment). */
function closedProgram(): fc.Arbitrary<string> {
  const term = (count: number) =>
    fc.oneof(
      fc.constantFrom(0n, 1n, 2n, 3n, P - 1n, P - 2n).map((v) => [`PUSH ${v}`]),
      fc.integer({ min: 0, max: count - 1 }).map((i) => [`LOAD ${i}`]),
      fc
        .tuple(fc.integer({ min: 0, max: count - 1 }), fc.constantFrom(1n, 2n, P - 1n))
        .map(([i, v]) => [`LOAD ${i}`, `PUSH ${v}`, "ADD"]),
    );
  return fc.integer({ min: 1, max: 3 }).chain((count) =>
    fc
      .record({
        visibility: fc.array(fc.constantFrom("public", "private"), {
          minLength: count,
          maxLength: count,
        }),
        ivs: fc.uniqueArray(fc.constantFrom(10, 11, 12, 0), { minLength: 1, maxLength: 3 }),
        starts: fc.array(fc.option(term(count), { nil: undefined }), {
          minLength: 3,
          maxLength: 3,
        }),
        steps: fc.array(term(count), { minLength: 3, maxLength: 3 }),
        bound: term(count),
        op: fc.constantFrom("LT", "GT", "EQ"),
        sFirst: fc.boolean(),
        continueOnTrue: fc.boolean(),
        spoil: fc.integer({ min: 0, max: 5 }),
        after: fc.boolean(),
        outputs: fc.uniqueArray(fc.constantFrom(10, 11, 12, 13, 0), {
          minLength: 1,
          maxLength: 3,
        }),
      })
      .map((r) => {
        const out: string[] = [];
        r.visibility.forEach((v, i) => out.push(`.${v} ${INPUT_NAMES[i]} ${i}`));
        r.outputs.forEach((cell, i) => out.push(`.output y${i} ${cell}`));
        r.ivs.forEach((cell, i) => {
          const start = r.starts[i];
          if (start !== undefined && cell !== 0) out.push(...start, `STORE ${cell}`);
        });
        const s = r.ivs[0]!;
        const operands = r.sFirst ? [[`LOAD ${s}`], r.bound] : [r.bound, [`LOAD ${s}`]];
        out.push("loop:", ...operands[0]!, ...operands[1]!, r.op);
        const body: string[] = [];
        r.ivs.forEach((cell, i) =>
          body.push(`LOAD ${cell}`, ...r.steps[i]!, "ADD", `STORE ${cell}`),
        );
        // Now and then a cell that is not an induction variable: the lowering must refuse.
        if (r.spoil === 0) body.push("LOAD 13", "LOAD 0", "MUL", "PUSH 1", "ADD", "STORE 13");
        const exit = r.after ? ["LOAD 13", "PUSH 5", "ADD", "STORE 13", "STOP"] : ["STOP"];
        if (r.continueOnTrue) out.push("JUMPI body", ...exit, "body:", ...body, "JUMP loop");
        else out.push("JUMPI done", ...body, "JUMP loop", "done:", ...exit);
        return out.join("\n") + "\n";
      }),
  );
}

/** A program of one family, a width from WIDTHS, and a seed for the step bounds. */
export function soundnessCase(families: readonly Family[] = FAMILIES): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...families).chain((family) =>
    fc.record({
      family: fc.constant(family),
      source:
        family === "general"
          ? validProgram({ maxDepth: 1, maxStatements: 3 }).map((p) => p.source)
          : family === "closed"
            ? closedProgram()
            : familyProgram(family),
      width: fc.constantFrom(...WIDTHS),
      boundSeed: fc.nat(),
    }),
  );
}

// ---- checks ---------------------------------------------------------------

/** The input values tried for width W (see the module comment). */
export function inputValues(width: number): bigint[] {
  const w = 1n << BigInt(width);
  const values = new Set<bigint>();
  for (let v = 0n; v <= 9n; v++) values.add(v);
  for (let k = -2n; k <= 2n; k++) values.add(w + k);
  values.add(P - 1n);
  values.add(P - w);
  if (width <= 4) for (let v = 0n; v <= w + 3n; v++) values.add(v);
  return [...values].filter((v) => v >= 0n && v < P).sort((a, b) => (a < b ? -1 : 1));
}

/** Input combinations: all of them for one input, else a deterministic spread of at most `limit`. */
function inputCombinations(
  names: readonly string[],
  values: readonly bigint[],
  limit: number,
  seed: number,
): Array<Record<string, bigint>> {
  if (names.length === 0) return [{}];
  const small = values.filter((v) => v <= 6n);
  const total = values.length ** names.length;
  if (total <= limit) {
    const all: Array<Record<string, bigint>> = [];
    for (let n = 0; n < total; n++) {
      const r: Record<string, bigint> = {};
      let rest = n;
      for (const name of names) {
        r[name] = values[rest % values.length]!;
        rest = Math.floor(rest / values.length);
      }
      all.push(r);
    }
    return all;
  }
  // Each input runs through every value once (the others small), then random mixes.
  const combos: Array<Record<string, bigint>> = [];
  let state = seed >>> 0 || 1;
  const next = (k: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % k;
  };
  for (const name of names) {
    for (const v of values) {
      const r: Record<string, bigint> = {};
      for (const other of names) r[other] = other === name ? v : small[next(small.length)]!;
      combos.push(r);
    }
  }
  while (combos.length < limit + names.length * values.length) {
    const r: Record<string, bigint> = {};
    for (const name of names) {
      r[name] = next(4) === 0 ? values[next(values.length)]! : small[next(small.length)]!;
    }
    combos.push(r);
  }
  return combos;
}

export type LoweringName = "steps" | "path" | "closed";

export interface Violation {
  readonly source: string;
  readonly family: Family;
  readonly steps: number;
  readonly width: number;
  readonly lowering: LoweringName | "compile";
  /** Whether compile() emits this lowering. */
  readonly chosen: boolean;
  readonly inputs: Record<string, bigint>;
  readonly interpreter: string;
  readonly circuit: string;
}

export interface FuzzReport {
  /** (N, lowering, input) triples checked. */
  readonly checks: number;
  /** Lowerings evaluated, by name. */
  readonly lowerings: Record<LoweringName, number>;
  /** Checks where the interpreter halts within N / faults. */
  readonly halts: number;
  readonly faults: number;
  readonly bounds: readonly number[];
  readonly violations: readonly Violation[];
}

export interface CheckOptions {
  /** Most input combinations per case (default 24; one input always gets every value). */
  readonly inputLimit?: number;
  /** Step bounds tried per case, besides the longest run (default 2). */
  readonly boundCount?: number;
  /** Drops nodes before evaluation: a guard taken out, to show the fuzzer finds the hole (tests only). */
  readonly mutate?: (node: Node) => boolean;
  /** These step bounds instead of stepBounds' choice. */
  readonly bounds?: readonly number[];
  /** Stop at the first violation (default true). */
  readonly firstOnly?: boolean;
}

/** Cap on the interpreter's bound, and so on N. */
const MAX_BOUND = 90;

type Verdict =
  { halt: true; steps: number; outputs: bigint[] } | { halt: false; code: string; at?: number };

function interpret(
  program: ValidatedProgram,
  inputs: Record<string, bigint>,
  width: number,
): Verdict {
  const cells = new Map<number, bigint>();
  for (const i of program.io.inputs) cells.set(i.cell, inputs[i.name]!);
  try {
    const r = run(program, cells, { steps: MAX_BOUND, width });
    return {
      halt: true,
      steps: r.steps,
      outputs: program.io.outputs.map((o) => r.memory.get(o.cell) ?? 0n),
    };
  } catch (e) {
    if (e instanceof RuntimeFault) return { halt: false, code: e.code };
    throw e;
  }
}

/**
 * Bounds at which the schedule prunes an edge into a block that is a
 * candidate through another edge (the shape of issue 17), among `range`.
 */
function prunedIntoCandidate(program: ValidatedProgram, range: readonly number[]): number[] {
  const found: number[] = [];
  for (const n of range) {
    let plan;
    try {
      plan = schedule(program, n);
    } catch {
      continue;
    }
    const hit = plan.steps.some((layer, t) => {
      const next = new Set((plan.steps[t + 1] ?? []).map((c) => c.block.id));
      return layer.some((c) => c.block.successors.some((s) => !c.next.includes(s) && next.has(s)));
    });
    if (hit) found.push(n);
  }
  return found;
}

/**
 * The step bounds tried: the longest halting run, then `count` more: bounds
 * where the schedule prunes an edge into a candidate (see
 * prunedIntoCandidate), one below a halting run's length, anywhere from the
 * shortest run, or above the longest.
 */
export function stepBounds(
  program: ValidatedProgram,
  haltingSteps: readonly number[],
  seed: number,
  count: number,
): number[] {
  const distinct = [...new Set(haltingSteps)].sort((a, b) => a - b);
  if (distinct.length === 0) return [Math.min(MAX_BOUND, 8 + (seed % 40))];
  const longest = distinct[distinct.length - 1]!;
  const shortest = distinct[0]!;
  const picks = new Set<number>([longest]);
  let state = seed >>> 0 || 7;
  const random = (k: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 8) % k;
  };
  const range = Array.from({ length: longest - shortest + 1 }, (_, i) => shortest + i);
  const pruned = prunedIntoCandidate(program, range);
  for (let i = 0; i < count && pruned.length > 0; i++) {
    picks.add(pruned.splice(random(pruned.length), 1)[0]!);
  }
  for (let tries = 0; picks.size < count + 1 && tries < 20; tries++) {
    const r = random(3);
    const n =
      r === 0
        ? distinct[random(distinct.length)]! - 1 - random(3)
        : r === 1
          ? shortest + random(longest - shortest + 1)
          : longest + 1 + random(6);
    if (n >= 1 && n <= MAX_BOUND) picks.add(n);
  }
  return [...picks].sort((a, b) => a - b);
}

const show = (v: bigint) => (v > P / 2n ? `p - ${P - v}` : v.toString());

function describeVerdict(v: Verdict, outputs: readonly string[]): string {
  if (!v.halt) return `fault ${v.code}`;
  return `halt in ${v.steps} steps: ${outputs.map((o, i) => `${o} = ${show(v.outputs[i]!)}`).join(", ") || "(no outputs)"}`;
}

/**
 * The hint assignments to try for a node stream: the honest one alone when
 * it has no hint, else every value of each hint from 0 to K + 3, and 2^b,
 * 2^64, p - 1 (the honest value, capped at K + 1, is among them).
 */
function hintsToTry(nodes: readonly Node[]): Array<ReadonlyMap<string, bigint>> {
  const hint = nodes.find((n) => n.kind === "hint");
  if (hint?.kind !== "hint") return [new Map()];
  const max = BigInt(hint.trip.max);
  const values = new Set<bigint>();
  for (let v = 0n; v <= max + 3n; v++) values.add(v);
  values.add(1n << BigInt(max.toString(2).length));
  values.add(1n << 64n);
  values.add(P - 1n);
  return [...values].map((v) => new Map([[hint.signal, v]]));
}

/** Every check of one case: each lowering at each step bound, on every input combination. */
export function checkSoundness(c: FuzzCase, options: CheckOptions = {}): FuzzReport {
  const program = validate(loadProgram(c.source));
  const names = program.io.inputs.map((i) => i.name);
  const outNames = program.io.outputs.map((o) => o.name);
  const combos = inputCombinations(
    names,
    inputValues(c.width),
    options.inputLimit ?? 24,
    c.boundSeed,
  );
  const verdicts = combos.map((inputs) => interpret(program, inputs, c.width));
  const halting = verdicts.flatMap((v) => (v.halt ? [v.steps] : []));
  const bounds =
    options.bounds ?? stepBounds(program, halting, c.boundSeed, options.boundCount ?? 2);
  const violations: Violation[] = [];
  const counts: Record<LoweringName, number> = { steps: 0, path: 0, closed: 0 };
  let checks = 0;
  let halts = 0;
  let faults = 0;
  const firstOnly = options.firstOnly ?? true;
  for (const steps of bounds) {
    let lowered: Lowerings | undefined;
    try {
      lowered = lowerings(program, { steps, width: c.width });
    } catch (e) {
      if (!(e instanceof CompileError && e.code === "STEP_BOUND_TOO_SMALL")) throw e;
    }
    const expected = verdicts.map((v): Verdict =>
      v.halt && v.steps > steps ? { halt: false, code: "STEP_LIMIT_EXCEEDED" } : v,
    );
    if (lowered === undefined) {
      // The compiler says nothing halts within N: no input may halt within N.
      const i = expected.findIndex((v) => v.halt);
      checks += expected.length;
      faults += expected.length;
      if (i >= 0) {
        violations.push({
          source: c.source,
          family: c.family,
          steps,
          width: c.width,
          lowering: "compile",
          chosen: true,
          inputs: combos[i]!,
          interpreter: describeVerdict(expected[i]!, outNames),
          circuit: "STEP_BOUND_TOO_SMALL at compile time",
        });
        if (firstOnly) break;
      }
      continue;
    }
    const streams: Array<[LoweringName, readonly Node[]]> = [["steps", lowered.bySteps]];
    if (lowered.byPath !== undefined) streams.push(["path", lowered.byPath]);
    if (lowered.closed !== undefined) streams.push(["closed", lowered.closed]);
    for (const [name, all] of streams) {
      counts[name]++;
      const nodes = options.mutate === undefined ? all : all.filter((n) => !options.mutate!(n));
      const hintValues = hintsToTry(nodes);
      for (const [k, inputs] of combos.entries()) {
        const given: Record<string, bigint> = {};
        for (const i of program.io.inputs) given[inputSignal(i.name)] = inputs[i.name]!;
        const want = expected[k]!;
        checks++;
        if (want.halt) halts++;
        else faults++;
        let wrong: string | undefined;
        let satisfied = 0;
        let reason = "";
        // Every hint value the fuzzer tries (none: the circuit has no hint).
        for (const hints of hintValues) {
          const r = evaluate(nodes, given, hints);
          if (!r.satisfied) {
            reason = r.reason;
            continue;
          }
          satisfied++;
          const hint = [...hints].map(([s, v]) => ` (${s} = ${show(v)})`).join("");
          if (!want.halt) wrong = `satisfiable${hint}`;
          else {
            const got = program.io.outputs.map((o) => r.outputs.get(outputSignal(o.name))!);
            if (got.some((v, i) => v !== want.outputs[i])) {
              wrong = `satisfiable${hint}: ${outNames.map((o, i) => `${o} = ${show(got[i]!)}`).join(", ")}`;
            }
          }
          if (wrong !== undefined) break;
        }
        if (wrong === undefined && want.halt && satisfied === 0) wrong = `unsatisfiable: ${reason}`;
        if (wrong !== undefined) {
          violations.push({
            source: c.source,
            family: c.family,
            steps,
            width: c.width,
            lowering: name,
            chosen: lowered.chosen === name,
            inputs,
            interpreter: describeVerdict(want, outNames),
            circuit: wrong,
          });
          if (firstOnly) return { checks, lowerings: counts, halts, faults, bounds, violations };
        }
      }
    }
  }
  return { checks, lowerings: counts, halts, faults, bounds, violations };
}

/** A violation as a reproduction: the program, N, W, the input, and both verdicts. */
export function describeViolation(v: Violation): string {
  const inputs = Object.entries(v.inputs)
    .map(([k, x]) => `--input ${k}=${x > P / 2n ? `-${P - x}` : x}`)
    .join(" ");
  return [
    `SOUNDNESS VIOLATION (${v.family} program, lowering ${v.lowering === "path" ? "by path" : v.lowering === "steps" ? "by block step" : "at compile time"}${v.lowering !== "compile" ? (v.chosen ? ", the one compile() emits" : ", not the one compile() emits") : ""})`,
    `  N = ${v.steps}, W = ${v.width}, input ${inputs || "(none)"}`,
    `  interpreter: ${v.interpreter}`,
    `  circuit:     ${v.circuit}`,
    `  program:`,
    ...v.source
      .trimEnd()
      .split("\n")
      .map((l) => `    ${l}`),
    `  reproduce: save the program as p.zkasm; zkvm run p.zkasm ${inputs} --steps ${v.steps} --width ${v.width}`,
  ].join("\n");
}
