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
}

export { MAX_WIDTH } from "../interpreter.js";

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
  const { bySteps, byPath, chosen } = lowerBoth(program, plan, options.steps, width, () => {
    const meter = new CostMeter(publicInputNames);
    const body = new TextChunks();
    return {
      sink: (node: Node) => {
        meter.sink(node);
        body.push(emitNode(node));
      },
      finish: (blockSteps: number) => ({ body, cost: meter.summary(blockSteps) }),
    };
  });
  const chosenPath = chosen === "path" ? byPath : undefined;
  const paths = chosenPath?.plan;
  const { body, cost } = chosenPath?.out ?? bySteps.out;

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
  const circom = [
    "pragma circom 2.1.0;",
    "",
    "// Generated by zkvm from a stack-machine program. Do not edit: recompile instead.",
    `// program sha256: ${hash} (${program.code.length} bytes)`,
    `// step bound N = ${options.steps}, comparison width W = ${width}`,
    paths !== undefined
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
    blockSteps: paths !== undefined ? paths.nodes.length : plan.steps.length,
    candidatesPerStep:
      paths !== undefined ? paths.nodes.map(() => 1) : plan.steps.map((s) => s.length),
    stepCounter: paths === undefined && bySteps.lowered.counter,
    profile: cost.profile,
    perStep: cost.perStep,
    transitionConstraints: cost.transitionConstraints,
    estimatedConstraints: cost.estimatedConstraints,
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
 * alone, by path. `chosen` is the cheaper by the estimate: what compile() emits.
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
  chosen: "steps" | "path";
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
  if (bySteps.lowered.wide.size > 0) bySteps = lowerBySteps(bySteps.lowered.wide);
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
  const chosen =
    byPath !== undefined &&
    byPath.out.cost.estimatedConstraints < bySteps.out.cost.estimatedConstraints
      ? "path"
      : "steps";
  return { bySteps, ...(byPath !== undefined ? { byPath } : {}), chosen };
}

/** The node streams of a program's lowerings (see `lowerings`). */
export interface Lowerings {
  /** The block-step lowering (its final pass). */
  readonly bySteps: readonly Node[];
  /** The by-path lowering, when the control flow depends on one input alone. */
  readonly byPath?: readonly Node[];
  /** The one compile() emits as Circom. */
  readonly chosen: "steps" | "path";
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
  const { bySteps, byPath, chosen } = lowerBoth(program, plan, options.steps, width, () => {
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
    chosen,
  };
}
