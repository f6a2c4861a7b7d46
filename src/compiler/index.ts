/**
 * The circuit compiler, as a pipeline:
 * validate → schedule (which blocks can run at each block step) → analyse
 * (dominators, liveness: analysis.ts) → lower (blocks to intermediate-form
 * nodes: ir.ts) → emit (Circom text: emit.ts), with the cost estimate
 * counted from the same nodes. Nodes are emitted as they are lowered, so
 * no whole-circuit form is kept. It returns text; writing files and running
 * circom2 belong to the pipeline layer.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../bytecode.js";
import { CompileError } from "../errors.js";
import { DEFAULT_WIDTH, MAX_WIDTH } from "../interpreter.js";
import type { Program } from "../program.js";
import { validate, type ValidatedProgram } from "../validator.js";
import { lowerClosedForm, planClosedForm, type ClosedPlan } from "./closedform.js";
import { emitNode, TextChunks } from "./emit.js";
import { CostMeter, type Node, type ProfileEntry, type Sink } from "./ir.js";
import { inputSignal, Lowering, outputSignal } from "./lower.js";
import { lowerPaths, planPaths, type PathPlan } from "./paths.js";
import { schedule, type Schedule } from "./schedule.js";
import type { Lowered } from "./lower.js";

export interface CompileOptions {
  /** Step bound N: the circuit accepts exactly the executions that halt within N steps. */
  readonly steps: number;
  /** Comparison width W, 1..252 (default 64). */
  readonly width?: number;
  /** Keep the chosen lowering's nodes (`CompiledCircuit.ir`), for the direct backend (src/direct). */
  readonly keepNodes?: boolean;
}

/** The chosen lowering's nodes and where the main template's body stands in the Circom text. */
export interface CircuitIr {
  readonly nodes: readonly Node[];
  /** Output signals of the main template, in declaration order. */
  readonly outputs: readonly string[];
  /** Input signals of the main template, in declaration order (public first). */
  readonly inputs: readonly string[];
  readonly nPublicInputs: number;
  /** The 1-based line of the body's first line, and its UTF-8 byte offset in the text. */
  readonly bodyLine: number;
  readonly bodyOffset: number;
  /**
   * Where each anonymous template call (a gadget other than Num2Bits, or an
   * assertLess) stands, in node order: line and byte offset from the body's
   * start (circom names the component after them).
   */
  readonly calls: ReadonlyArray<readonly [number, number]>;
}

export interface PublicSignal {
  readonly name: string;
  readonly kind: "output" | "public-input";
  readonly cell: number;
  /** The signal's name in the generated Circom. */
  readonly signal: string;
}

export interface CompiledCircuit {
  readonly circom: string;
  /** sha256 of the bytecode, hex. */
  readonly programHash: string;
  readonly steps: number;
  readonly width: number;
  /** In the order of snarkjs's public.json: outputs, then public inputs. */
  readonly publicSignals: readonly PublicSignal[];
  readonly privateInputs: ReadonlyArray<{ name: string; cell: number; signal: string }>;
  /** Number of block steps the circuit unrolls. */
  readonly blockSteps: number;
  /** Candidate blocks per block step. */
  readonly candidatesPerStep: readonly number[];
  /** Whether an explicit instruction counter enforces the bound. */
  readonly stepCounter: boolean;
  /** Non-linear constraints per instruction, before circom's simplification. */
  readonly profile: readonly ProfileEntry[];
  readonly perStep: readonly number[];
  readonly transitionConstraints: number;
  readonly estimatedConstraints: number;
  /** With `keepNodes`: the nodes the text was printed from. */
  readonly ir?: CircuitIr;
}

export { MAX_WIDTH } from "../interpreter.js";

/** UTF-8 length of a string (ASCII, the usual case, is its length). */
function utf8Length(s: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : new TextEncoder().encode(s).length;
}

/** sha256 of the bytecode, hex; @noble/hashes rather than node:crypto so the compiler runs in a browser. */
export function programHash(code: Uint8Array): string {
  return toHex(sha256(code));
}

function checkOptions(steps: number, width: number): void {
  if (!Number.isSafeInteger(steps) || steps < 1) {
    throw new CompileError(
      "BAD_STEP_BOUND",
      `the step bound must be a positive integer, got ${steps}`,
    );
  }
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new CompileError(
      "BAD_WIDTH",
      `the comparison width must be in 1..${MAX_WIDTH}, got ${width}`,
    );
  }
}

export function compile(
  source: Program | ValidatedProgram,
  options: CompileOptions,
): CompiledCircuit {
  const width = options.width ?? DEFAULT_WIDTH;
  checkOptions(options.steps, width);
  const program = "blocks" in source ? source : validate(source);
  const { inputs, outputs } = program.io;
  const publicInputs = inputs.filter((i) => i.visibility === "public");
  const privateInputs = inputs.filter((i) => i.visibility === "private");
  const plan = schedule(program, options.steps);
  const publicInputNames = new Set(publicInputs.map((i) => inputSignal(i.name)));
  const { bySteps, byPath, closed, chosen } = lowerBoth(program, plan, options.steps, width, () => {
    const meter = new CostMeter(publicInputNames);
    const body = new TextChunks();
    const nodes: Node[] | undefined = options.keepNodes === true ? [] : undefined;
    const calls: Array<[number, number]> = [];
    let line = 0;
    let offset = 0;
    return {
      sink: (node: Node) => {
        meter.sink(node);
        const text = emitNode(node);
        body.push(text);
        if (nodes === undefined) return;
        nodes.push(node);
        if (
          node.kind === "assertLess" ||
          (node.kind === "gadget" && node.gadget.name !== "Num2Bits")
        ) {
          const name = node.kind === "assertLess" ? "LessThan" : node.gadget.name;
          calls.push([line, offset + utf8Length(text.slice(0, text.indexOf(`${name}(`)))]);
        }
        for (let j = text.indexOf("\n"); j >= 0; j = text.indexOf("\n", j + 1)) line++;
        line++;
        offset += utf8Length(text) + 1;
      },
      finish: (blockSteps: number) => ({ body, nodes, calls, cost: meter.summary(blockSteps) }),
    };
  });
  const chosenPath = chosen === "path" ? byPath : undefined;
  const paths = chosenPath?.plan;
  const chosenClosed = chosen === "closed" ? closed : undefined;
  const loop = chosenClosed?.plan;
  const { body, cost, nodes, calls } = chosenClosed?.out ?? chosenPath?.out ?? bySteps.out;

  const publicSignals: PublicSignal[] = [
    ...outputs.map((o) => ({
      name: o.name,
      kind: "output" as const,
      cell: o.cell,
      signal: outputSignal(o.name),
    })),
    ...publicInputs.map((i) => ({
      name: i.name,
      kind: "public-input" as const,
      cell: i.cell,
      signal: inputSignal(i.name),
    })),
  ];
  const hash = programHash(program.code);
  const layout = [
    ...publicSignals.map(
      (s, i) =>
        `//   public[${i}]  ${s.signal.padEnd(16)} ${s.kind === "output" ? "output      " : "public input"} cell ${s.cell}`,
    ),
    ...privateInputs.map(
      (i) => `//   private    ${inputSignal(i.name).padEnd(16)} private input cell ${i.cell}`,
    ),
  ];
  const head = [
    "pragma circom 2.1.0;",
    "",
    "// Generated by zkvm from a stack-machine program. Do not edit: recompile instead.",
    `// program sha256: ${hash} (${program.code.length} bytes)`,
    `// step bound N = ${options.steps}, comparison width W = ${width}`,
    loop !== undefined
      ? `// lowered in closed form (one loop, its trip count checked once): at most ${loop.max} iterations`
      : paths !== undefined
        ? paths.controls.length === 1
          ? `// lowered by control path (the control flow depends on ${paths.control.name} alone): ${paths.nodes.length} nodes, ${paths.domain.length} values of ${paths.control.name}`
          : `// lowered by control path (the control flow depends on ${paths.controls.map((c) => c.name).join(", ")}): ${paths.nodes.length} nodes, ${paths.tuples.length} class tuples that halt`
        : `// ${plan.steps.length} block steps; candidate blocks per step: ${plan.steps.map((s) => s.length).join(" ")}`,
    "// I/O layout (public signals in snarkjs public.json order):",
    ...layout,
    "",
    'include "zkvm.circom";',
    "",
    "template Main() {",
    ...publicInputs.map((i) => `    signal input ${inputSignal(i.name)}; // cell ${i.cell}`),
    ...privateInputs.map((i) => `    signal input ${inputSignal(i.name)}; // cell ${i.cell}`),
    ...outputs.map((o) => `    signal output ${outputSignal(o.name)}; // cell ${o.cell}`),
  ];
  const circom = [
    ...head,
    body.text(),
    "}",
    "",
    `component main${publicInputs.length > 0 ? ` {public [${publicInputs.map((i) => inputSignal(i.name)).join(", ")}]}` : ""} = Main();`,
    "",
  ].join("\n");
  return {
    circom,
    programHash: hash,
    steps: options.steps,
    width,
    publicSignals,
    privateInputs: privateInputs.map((i) => ({
      name: i.name,
      cell: i.cell,
      signal: inputSignal(i.name),
    })),
    blockSteps:
      loop !== undefined ? 1 : paths !== undefined ? paths.nodes.length : plan.steps.length,
    candidatesPerStep:
      loop !== undefined
        ? [1]
        : paths !== undefined
          ? paths.nodes.map(() => 1)
          : plan.steps.map((s) => s.length),
    stepCounter: paths === undefined && loop === undefined && bySteps.lowered.counter,
    profile: cost.profile,
    perStep: cost.perStep,
    transitionConstraints: cost.transitionConstraints,
    estimatedConstraints: cost.estimatedConstraints,
    ...(nodes !== undefined
      ? {
          ir: {
            nodes,
            outputs: outputs.map((o) => outputSignal(o.name)),
            inputs: [...publicInputs, ...privateInputs].map((i) => inputSignal(i.name)),
            nPublicInputs: publicInputs.length,
            bodyLine: head.length + 1,
            bodyOffset: utf8Length(head.join("\n") + "\n"),
            calls,
          },
        }
      : {}),
  };
}

/** Where a lowering's nodes go: a sink, and what it makes of them once the lowering is done. */
interface Consumer<R> {
  readonly sink: Sink;
  finish(blockSteps: number): R & { readonly cost: { readonly estimatedConstraints: number } };
}

/**
 * Both lowerings of a program, each into its own consumer: by block step
 * (lowered twice when the first pass finds operands cheaper to range check
 * where first compared) and, when the control flow depends on one input
 * alone, by path, and when the program is one loop of induction variables, in
 * closed form (closedform.ts). `chosen` is the cheapest by the estimate: what
 * compile() emits.
 */
function lowerBoth<R extends { readonly cost: { readonly estimatedConstraints: number } }>(
  program: ValidatedProgram,
  plan: Schedule,
  steps: number,
  width: number,
  consumer: () => Consumer<R>,
): {
  bySteps: { lowered: Lowered; out: R };
  byPath?: { plan: PathPlan; out: R };
  closed?: { plan: ClosedPlan; out: R };
  chosen: "steps" | "path" | "closed";
} {
  const lowerBySteps = (checkNow?: ReadonlySet<string>) => {
    const c = consumer();
    const lowered = new Lowering(
      program,
      plan,
      { steps, width, ...(checkNow !== undefined ? { checkNow } : {}) },
      c.sink,
    ).lower();
    return { lowered, out: c.finish(plan.steps.length) };
  };
  // An operand assumed below 2^W that later comparisons compare at full width
  // is cheaper range checked where it is first compared: lower once more.
  let bySteps = lowerBySteps();
  if (bySteps.lowered.wide.size > 0) {
    const again = lowerBySteps(bySteps.lowered.wide);
    if (again.out.cost.estimatedConstraints < bySteps.out.cost.estimatedConstraints)
      bySteps = again;
  }
  // Control flow that depends on one input alone can be lowered by path
  // instead (paths.ts): a loop nest's iterations become nodes of their own.
  // It is used only when it is cheaper.
  const planned = planPaths(program, steps, width);
  // Several control inputs: with the halting tuples asserted by the STOP
  // nodes' selectors, or by one bound on the step count; the cheaper one.
  let byPath: { plan: PathPlan; out: R } | undefined;
  if (planned !== undefined) {
    for (const useStepBound of planned.controls.length > 1 ? [false, true] : [false]) {
      const c = consumer();
      if (!lowerPaths(program, planned, c.sink, useStepBound)) continue;
      const out = c.finish(planned.nodes.length);
      if (
        byPath === undefined ||
        out.cost.estimatedConstraints < byPath.out.cost.estimatedConstraints
      )
        byPath = { plan: planned, out };
    }
  }
  let chosen: "steps" | "path" | "closed" =
    byPath !== undefined &&
    byPath.out.cost.estimatedConstraints < bySteps.out.cost.estimatedConstraints
      ? "path"
      : "steps";
  // One loop of induction variables: its trip count as a hint, checked once.
  let closed: { plan: ClosedPlan; out: R } | undefined;
  const loop = planClosedForm(program, steps, width);
  if (loop !== undefined) {
    const c = consumer();
    lowerClosedForm(loop, width, c.sink);
    closed = { plan: loop, out: c.finish(1) };
    const best = chosen === "path" ? byPath! : bySteps;
    if (closed.out.cost.estimatedConstraints < best.out.cost.estimatedConstraints)
      chosen = "closed";
  }
  return {
    bySteps,
    ...(byPath !== undefined ? { byPath } : {}),
    ...(closed !== undefined ? { closed } : {}),
    chosen,
  };
}

/** The node streams of a program's lowerings (see `lowerings`). */
export interface Lowerings {
  /** The block-step lowering (its final pass). */
  readonly bySteps: readonly Node[];
  /** The by-path lowering, when the control flow depends on one input alone. */
  readonly byPath?: readonly Node[];
  /** The closed-form loop lowering, when the program is one loop of induction variables. */
  readonly closed?: readonly Node[];
  /** The one compile() emits as Circom. */
  readonly chosen: "steps" | "path" | "closed";
}

/**
 * The intermediate-form nodes (ir.ts) of every lowering of a program, the
 * one compile() would emit and the other: what evaluate.ts checks exactly
 * without circom. Options are checked as compile() checks them.
 */
export function lowerings(source: Program | ValidatedProgram, options: CompileOptions): Lowerings {
  const width = options.width ?? DEFAULT_WIDTH;
  checkOptions(options.steps, width);
  const program = "blocks" in source ? source : validate(source);
  const plan = schedule(program, options.steps);
  const { bySteps, byPath, closed, chosen } = lowerBoth(program, plan, options.steps, width, () => {
    const nodes: Node[] = [];
    const publicInputs = new Set(
      program.io.inputs.filter((i) => i.visibility === "public").map((i) => inputSignal(i.name)),
    );
    const meter = new CostMeter(publicInputs);
    return {
      sink: (node: Node) => {
        meter.sink(node);
        nodes.push(node);
      },
      finish: (blockSteps: number) => ({ nodes, cost: meter.summary(blockSteps) }),
    };
  });
  return {
    bySteps: bySteps.out.nodes,
    ...(byPath !== undefined ? { byPath: byPath.out.nodes } : {}),
    ...(closed !== undefined ? { closed: closed.out.nodes } : {}),
    chosen,
  };
}
