/**
 * The closed-form loop lowering: a program that is one loop entered once,
 *
 *   pre; loop: header (a test of s against t); JUMPI body / exit
 *   body (straight-line, back to the header); exit (straight-line, STOP)
 *
 * whose every cell written in the loop is an affine induction variable
 * (v = v + c_v per iteration, c_v loop-invariant) and whose test compares one
 * of them, s, with a loop-invariant t (LT, GT or EQ, either operand order,
 * either JUMPI sense). The trip count k is a witness hint (a `hint` node),
 * checked once: every value after the loop is v_0 + k * c_v, one product
 * each, whatever the step bound. docs/SOUNDNESS.md gives the argument; the
 * guards are, for a test on LT/GT (`test` lt, le: s increases; gt, ge: s
 * decreases by a constant):
 *
 *   k < 2^b, K - k < 2^b       0 <= k <= K, K the most iterations within N
 *   t < 2^W, s_0 < 2^W         test 0 compares them
 *   s_k < 2^W                  the last test compares it
 *   not test(s_k)              the loop exits after k iterations
 *   test(s_{k-1}) = (k != 0)   and not before (test is monotone in j)
 *
 * The two comparisons also pin a step that is not a constant: c = s_k -
 * s_{k-1} is then a positive integer below 2^(W+1), and with 2^W (1 +
 * 2^(b+1)) < p, s_j = s_0 + j c has no wrap, so s_0 <= s_j <= s_k are all in
 * range and rising.
 *
 * and for an EQ exit (`reach`: the loop runs while s != t), which never
 * faults: s_0 = t exactly when k = 0, and s_0 + k c = t (then c != 0 and no
 * earlier s_j equals t, as (k - j) c != 0 in the field).
 *
 * Anything else (a branch in the body, a cell that is not an induction
 * variable, a decreasing test with a step that is not a constant, ...) is
 * left to the other lowerings; this one is used only where it is cheaper.
 */
import { mod, P } from "../field.js";
import { Op } from "../opcodes.js";
import type { ValidatedProgram } from "../validator.js";
import type { Node, Origin, Sink, Trip } from "./ir.js";
import { Lin } from "./linear.js";
import { inputSignal, outputSignal } from "./lower.js";

export interface ClosedPlan {
  readonly trip: Omit<Trip, "max">;
  /** K, and the bits b of k's range check. */
  readonly max: number;
  readonly bits: number;
  /** Steps before the loop, per iteration, and to leave it (STOP included). */
  readonly before: number;
  readonly perIteration: number;
  readonly after: number;
  /** Each cell written in the loop: its value on entry and its step. */
  readonly inductions: ReadonlyMap<number, { readonly start: Lin; readonly step: Lin }>;
  /** The compared cell. */
  readonly cell: number;
  /** Output cells' final values, over `@cell` (the cell after k iterations) and the inputs. */
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly value: Lin }>;
}

/** The longest walk tried (instructions), so a pathological program is not followed forever. */
const WALK_LIMIT = 100_000;

const at = (cell: number) => `@${cell}`;

interface Walk {
  readonly end: "stop" | "at" | "test";
  readonly steps: number;
  readonly mem: Map<number, Lin>;
  readonly written: Set<number>;
  readonly test?: { readonly op: Op; readonly a: Lin; readonly b: Lin; readonly jumpi: number };
}

/**
 * Follows straight-line code from `pc` over linear values, until STOP, the
 * offset `until` (not at the first instruction), or a comparison whose result a
 * JUMPI reads (when `tests`). Undefined: something not linear, a JUMPI on
 * data, or a walk too long. `symbolic`: a cell not yet written reads as `@cell`.
 */
function walk(
  program: ValidatedProgram,
  pc: number,
  mem: ReadonlyMap<number, Lin>,
  symbolic: boolean,
  until: number | undefined,
  tests: boolean,
): Walk | undefined {
  const state = new Map(mem);
  const written = new Set<number>();
  const stack: Lin[] = [];
  for (let steps = 0; steps < WALK_LIMIT; steps++) {
    if (steps > 0 && pc === until) return { end: "at", steps, mem: state, written };
    const ins = program.instructionAt.get(pc);
    if (ins === undefined) return undefined;
    const next = ins.offset + ins.size;
    switch (ins.op) {
      case Op.PUSH:
        stack.push(Lin.constant(ins.arg!));
        break;
      case Op.LOAD: {
        const cell = Number(ins.arg);
        stack.push(state.get(cell) ?? (symbolic ? Lin.signal(at(cell)) : Lin.ZERO));
        break;
      }
      case Op.STORE: {
        const cell = Number(ins.arg);
        state.set(cell, stack.pop()!);
        written.add(cell);
        break;
      }
      case Op.ADD: {
        const b = stack.pop()!;
        stack.push(stack.pop()!.add(b));
        break;
      }
      case Op.MUL: {
        const b = stack.pop()!;
        const a = stack.pop()!;
        if (a.isConstant()) stack.push(b.scale(a.constant));
        else if (b.isConstant()) stack.push(a.scale(b.constant));
        else return undefined;
        break;
      }
      case Op.EQ:
      case Op.LT:
      case Op.GT: {
        const jumpi = program.instructionAt.get(next);
        if (!tests || jumpi?.op !== Op.JUMPI || stack.length !== 2) return undefined;
        const b = stack.pop()!;
        const a = stack.pop()!;
        return {
          end: "test",
          steps: steps + 2,
          mem: state,
          written,
          test: { op: ins.op, a, b, jumpi: jumpi.offset },
        };
      }
      case Op.JUMP:
        pc = Number(ins.arg);
        continue;
      case Op.JUMPI:
        return undefined;
      case Op.STOP:
        return { end: "stop", steps: steps + 1, mem: state, written };
      default:
        return ins.op satisfies never;
    }
    pc = next;
  }
  return undefined;
}

/** A linear form with each `@cell` replaced by `value(cell)` (undefined: keep it). */
function substitute(lin: Lin, value: (cell: number) => Lin | undefined): Lin {
  const parts: Lin[] = [Lin.constant(lin.constant)];
  for (const [name, k] of lin.terms) {
    const v = name.startsWith("@") ? value(Number(name.slice(1))) : undefined;
    parts.push((v ?? Lin.signal(name)).scale(k));
  }
  return Lin.sum(parts);
}

function hasCells(lin: Lin): boolean {
  for (const name of lin.terms.keys()) if (name.startsWith("@")) return true;
  return false;
}

/** The plan of a program that fits the pattern (see the module comment), or undefined. */
export function planClosedForm(
  program: ValidatedProgram,
  steps: number,
  width: number,
): ClosedPlan | undefined {
  const inputs = new Map<number, Lin>(
    program.io.inputs.map((i) => [i.cell, Lin.signal(inputSignal(i.name))]),
  );
  // The first test: the loop's header is the block that ends in its JUMPI.
  const first = walk(program, 0, inputs, false, undefined, true);
  if (first?.end !== "test") return undefined;
  const jumpi = first.test!.jumpi;
  const header = program.blocks.find((b) => b.instructions.some((i) => i.offset === jumpi));
  if (header === undefined || header.heightIn !== 0) return undefined;
  const pre =
    header.start === 0
      ? { end: "at", steps: 0, mem: new Map<number, Lin>(), written: new Set<number>() }
      : walk(program, 0, inputs, false, header.start, false);
  if (pre?.end !== "at") return undefined;
  const startOf = (cell: number) => pre.mem.get(cell) ?? inputs.get(cell) ?? Lin.ZERO;

  // One iteration, over the cells' values at its start (@cell).
  const head = walk(program, header.start, new Map(), true, header.start, true);
  if (head?.end !== "test" || head.test!.jumpi !== jumpi) return undefined;
  const ins = program.instructionAt.get(jumpi)!;
  const target = Number(ins.arg);
  const fall = ins.offset + ins.size;
  const paths = [target, fall].map((pc) => walk(program, pc, head.mem, true, header.start, false));
  const bodyIndex = paths.findIndex((w) => w?.end === "at");
  if (bodyIndex < 0 || paths[1 - bodyIndex]?.end !== "stop") return undefined;
  const body = paths[bodyIndex]!;
  const exit = paths[1 - bodyIndex]!;
  const continueOnTrue = bodyIndex === 0;

  // Every cell written in the loop is v + c, c loop-invariant.
  const loopWritten = new Set([...head.written, ...body.written]);
  const invariant = (cell: number) => (loopWritten.has(cell) ? undefined : startOf(cell));
  const inductions = new Map<number, { start: Lin; step: Lin }>();
  for (const cell of loopWritten) {
    const delta = body.mem.get(cell)!.sub(Lin.signal(at(cell)));
    const step = substitute(delta, invariant);
    if (hasCells(step)) return undefined;
    inductions.set(cell, { start: startOf(cell), step });
  }

  // The test: one operand is an induction variable s, the other invariant.
  const { op, a, b } = head.test!;
  const [left, right] = [a, b].map((x) => substitute(x, invariant));
  const sCell = (x: Lin): number | undefined => {
    if (x.constant !== 0n || x.terms.size !== 1) return undefined;
    const [name, k] = [...x.terms][0]!;
    return k === 1n && name.startsWith("@") ? Number(name.slice(1)) : undefined;
  };
  let cell = sCell(left!);
  let sFirst = true;
  let bound = right!;
  if (cell === undefined || hasCells(right!)) {
    cell = sCell(right!);
    sFirst = false;
    bound = left!;
    if (cell === undefined || hasCells(left!)) return undefined;
  }
  // What keeps the loop going, as s rel t.
  let test: Trip["test"];
  if (op === Op.EQ) {
    if (continueOnTrue) return undefined;
    test = "reach";
  } else {
    const less = (op === Op.LT) === sFirst; // the flag is s < t (else s > t)
    test = less ? (continueOnTrue ? "lt" : "ge") : continueOnTrue ? "gt" : "le";
  }
  const { start: s0, step } = inductions.get(cell)!;
  const range = 1n << BigInt(width);
  if (test === "lt" || test === "le") {
    if (step.isConstant() && step.constant >= range) return undefined;
  } else if (test === "gt" || test === "ge") {
    if (!step.isConstant() || mod(-step.constant) >= range) return undefined;
  }
  if (test !== "reach") {
    for (const x of [s0, bound]) if (x.isConstant() && x.constant >= range) return undefined;
  }

  const before = pre.steps;
  const perIteration = head.steps + body.steps;
  const after = head.steps + exit.steps;
  if (before + after > steps) return undefined;
  const max = Math.floor((steps - before - after) / perIteration);
  const bits = Math.max(1, max.toString(2).length);
  // No wrap: s_0 + j c for j <= K with s_0 < 2^W and c < 2^(W+1) (docs/SOUNDNESS.md).
  if (test !== "reach" && range * (1n + (1n << BigInt(bits + 1))) >= P) return undefined;

  // Outputs: the exit path over the cells after k iterations.
  const outputs = program.io.outputs.map((o) => {
    const value = exit.mem.get(o.cell) ?? Lin.signal(at(o.cell));
    return {
      name: o.name,
      value: substitute(value, (c) => (loopWritten.has(c) ? undefined : startOf(c))),
    };
  });
  return {
    trip: { test, s0, step, bound },
    max,
    bits,
    before,
    perIteration,
    after,
    inductions,
    cell,
    outputs,
  };
}

/** The constraints of a closed-form loop (see the module comment), into `sink`. */
export function lowerClosedForm(plan: ClosedPlan, width: number, sink: Sink): void {
  const origin: Origin = { step: 0 };
  const { trip, max, bits } = plan;
  const { test, s0, step, bound } = trip;
  const emit = (node: Node) => sink(node);
  const num2bits = (signal: string, w: number, x: Lin) =>
    emit({ kind: "gadget", signal, gadget: { name: "Num2Bits", width: w, x }, origin });
  emit({
    kind: "comment",
    text: `closed-form loop: ${plan.before} steps, then ${plan.perIteration} per iteration, then ${plan.after}; K = ${max} iterations; test ${test} on cell ${plan.cell}`,
  });
  emit({ kind: "hint", signal: "cf_k", trip: { ...trip, max } });
  const k = Lin.signal("cf_k");
  num2bits("cf_kbits", bits, k);
  if (max + 1 < 2 ** bits) num2bits("cf_kmax", bits, Lin.constant(BigInt(max)).sub(k));
  // k * c per distinct step; the values after k iterations.
  const products = new Map<string, Lin>();
  const times = (c: Lin): Lin => {
    if (c.isConstant()) return k.scale(c.constant);
    let p = products.get(c.key());
    if (p === undefined) {
      const signal = `cf_kc${products.size}`;
      emit({ kind: "product", signal, a: k, b: c, form: "plain", origin });
      p = Lin.signal(signal);
      products.set(c.key(), p);
    }
    return p;
  };
  const last = s0.add(times(step));
  const finals = new Map<number, Lin>();
  for (const [cell, v] of plan.inductions) {
    finals.set(cell, cell === plan.cell ? last : v.start.add(times(v.step)));
  }
  if (test === "reach") {
    emit({
      kind: "gadget",
      signal: "cf_nz",
      gadget: { name: "NonZero", x: k },
      origin,
    });
    emit({
      kind: "gadget",
      signal: "cf_eq0",
      gadget: { name: "IsEqual", a: s0, b: bound },
      origin,
    });
    emit({
      kind: "assert",
      left: Lin.signal("cf_eq0"),
      right: Lin.ONE.sub(Lin.signal("cf_nz")),
      why: "the loop is entered exactly when s_0 != t",
    });
    emit({ kind: "assert", left: last, right: bound, why: "s_k = t: the loop exits after k" });
  } else {
    for (const [x, name] of [
      [bound, "cf_t"],
      [s0, "cf_s0"],
    ] as const) {
      if (!x.isConstant()) num2bits(name, width, x);
    }
    emit({ kind: "gadget", signal: "cf_nz", gadget: { name: "NonZero", x: k }, origin });
    const nz = Lin.signal("cf_nz");
    num2bits("cf_last", width, last);
    // s_{k-1} where k != 0 (s_0 where k = 0): s_k minus the gated step.
    const gated = step.isConstant()
      ? nz.scale(step.constant)
      : (emit({ kind: "product", signal: "cf_gc", a: nz, b: step, form: "plain", origin }),
        Lin.signal("cf_gc"));
    const prev = last.sub(gated);
    // not test(s_k), asserted: lt: t < s_k + 1; le: t < s_k; gt: s_k < t + 1; ge: s_k < t.
    const [a, b] =
      test === "lt"
        ? [bound, last.add(Lin.ONE)]
        : test === "le"
          ? [bound, last]
          : test === "gt"
            ? [last, bound.add(Lin.ONE)]
            : [last, bound];
    emit({ kind: "assertLess", signal: "cf_exit", k: width, a, b, origin });
    // test(s_{k-1}) = (k != 0): lt: s < t; le: not t < s; gt: t < s; ge: not s < t.
    const [x, y] = test === "lt" || test === "ge" ? [prev, bound] : [bound, prev];
    emit({
      kind: "gadget",
      signal: "cf_prev",
      gadget: { name: "LessThan", k: width, a: x, b: y },
      origin,
    });
    const flag = Lin.signal("cf_prev");
    emit({
      kind: "assert",
      left: test === "lt" || test === "gt" ? flag : Lin.ONE.sub(flag),
      right: nz,
      why: "the test holds at iteration k - 1 exactly when k != 0",
    });
  }
  for (const o of plan.outputs) {
    emit({
      kind: "output",
      signal: outputSignal(o.name),
      value: substitute(o.value, (c) => finals.get(c)),
    });
  }
}
