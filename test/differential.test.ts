/**
 * Differential tests: the circuit's witness against the reference interpreter
 * (STYLE "Tests"). For every input, either the interpreter halts within N
 * steps and the witness's public signals are its outputs followed by the
 * public inputs, or it faults (COMPARISON_OUT_OF_RANGE, STEP_LIMIT_EXCEEDED)
 * and the circuit has no witness (SPEC "Faults at run time", "Steps").
 *
 * The examples' circuits are compiled with circom2 (about 1.5 s each, cached
 * under os.tmpdir() by the sha256 of their text, see helpers/witness.ts),
 * built up front. Every other circuit here, the hand-written fixtures and the
 * random programs and loop nests, is checked as the direct backend writes it
 * (src/direct: the R1CS and witness `zkvm compile` makes by default, from the
 * compiler's nodes, no circom2 build): test/backend.test.ts holds circom2's
 * R1CS and witnesses equivalent to it on the examples, the bench programs and
 * random programs, and `npm run fuzz` runs this property with circom2.
 */
import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, type CompiledCircuit } from "../src/compiler/index.js";
import { CompileError, InputError } from "../src/errors.js";
import { mod } from "../src/field.js";
import { Lin } from "../src/compiler/linear.js";
import type { Inputs } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { validate, type ValidatedProgram } from "../src/validator.js";
import { isErrorCase, loadExamples } from "./helpers/examples.js";
import {
  buildCircuitsSettled,
  checkCase,
  type WitnessBackend,
  circuitOutcome,
  describeDisagreement,
  describeOutcome,
  differentialCase,
  disagreement,
  inputsFor,
  interpreterOutcome,
  planCase,
  type Check,
  type DifferentialCase,
  type Outcome,
} from "./helpers/witness.js";
import type { GeneratedProgram } from "./helpers/programs.js";
import { BREAK_LOOP, TWO_ARMS } from "./helpers/shapes.js";

const SEED = 20240611;
/**
 * Seed of the random programs: one whose 15 programs include a smaller bound
 * that some sampled inputs meet and others exceed (checked at the end).
 */
const PROGRAM_SEED = 6;
const PROGRAM_RUNS = 15;
const programCases = differentialCase({ maxDepth: 1, maxStatements: 3, inputsPerProgram: 4 });
const TWO_64 = 1n << 64n;
const RUNTIME_FAULTS = ["COMPARISON_OUT_OF_RANGE", "STEP_LIMIT_EXCEEDED"];

interface Case {
  readonly inputs: Inputs;
  /** Expected outputs (decimal or bigint) or the expected error code; absent: the interpreter decides. */
  readonly outputs?: Readonly<Record<string, string | bigint>>;
  readonly error?: string;
}

interface Fixture {
  readonly title: string;
  readonly source: string;
  readonly steps: number;
  readonly width?: number;
  readonly cases: readonly Case[];
  /** Random inputs to add (fast-check runs); 0 for a program without inputs. */
  readonly randomRuns: number;
}

/** b stays on the stack across a branch on a non-boolean a and a join of arms of different lengths. */
const LIVE_ACROSS_JOIN = `
.private a 0
.private b 1
.output y 2
.output small 3
        LOAD b          ; [b]  live across the branch and the join
        LOAD a          ; [b, a]
        JUMPI big       ; any a != 0 takes the long arm
        PUSH 10         ; [b, 10]
        JUMP join
big:    PUSH 20         ; [b, 20]
        JUMP more       ; a second block: this arm joins one block step later
more:   PUSH 3
        MUL             ; [b, 60]
join:   ADD             ; [b + 10] or [b + 60], mod p
        STORE y
        LOAD y
        PUSH 100
        LT              ; a merged, unbounded operand: range-checked when the join runs
        STORE small
        STOP
`;

/** A loop whose body compares an input no earlier step range-checked, in block steps 1, 3, 5, ... */
const GATED_LOOP = `
.private x 0
.public  n 1
.output  c 2
.cell    i 3
loop:   LOAD i
        LOAD n
        EQ
        JUMPI done      ; i == n: done
        LOAD x
        LOAD i
        GT              ; x > i: faults only if this block runs with x >= 2^64
        LOAD c
        ADD
        STORE c         ; c += (x > i)
        LOAD i
        PUSH 1
        ADD
        STORE i
        JUMP loop
done:   STOP            ; after 5 + 15n steps
`;

const COMPARE = `
.private a 0
.private b 1
.output eq 2
.output gt 3
.output lt 4
        LOAD a
        LOAD b
        EQ
        STORE eq
        LOAD a
        LOAD b
        GT
        STORE gt
        LOAD b
        LOAD a
        GT              ; b > a, i.e. a < b
        STORE lt
        STOP
`;

/** An accumulator carried on the stack around a loop: live across the back edge's join. */
const STACK_LOOP = `
.public n 0
.output s 1
        PUSH 0          ; [acc]
loop:   LOAD n
        PUSH 0
        EQ
        JUMPI done      ; n == 0: done, [acc]
        LOAD n
        ADD             ; [acc + n]
        LOAD n
        PUSH -1
        ADD
        STORE n         ; n -= 1
        JUMP loop
done:   STORE s         ; s = acc
        STOP            ; after 7 + 11n steps
`;

/**
 * Control on one input through EQ, a JUMPI on the input itself and LT/GT
 * results used as data and as an output: lowered by path (src/compiler/paths.ts).
 * Halts after 11 + 17n steps (13 for n = 0).
 */
const ONE_INPUT_CONTROL = `
.private x 0
.public n 1
.output y 2
.output z 3
.cell i 4
        LOAD n
        JUMPI loop      ; n != 0: the loop
        PUSH 7
        STORE y         ; n == 0: y = 7
loop:   LOAD i
        LOAD n
        EQ
        JUMPI done      ; i == n: done
        LOAD y
        LOAD x
        MUL
        LOAD i
        LOAD n
        LT              ; i < n, always 1 here: a comparison result used as data
        ADD
        STORE y         ; y = y * x + (i < n)
        LOAD i
        PUSH 1
        ADD
        STORE i
        JUMP loop
done:   LOAD n
        PUSH 2
        GT
        STORE z         ; z = n > 2: a comparison result as an output
        STOP
`;

/**
 * Two nested loops over counters stepped by constants, tested against n or a
 * constant with LT, GT or EQ: the control flow depends on n alone, so the
 * compiler lowers them by path (src/compiler/paths.ts) when that is cheaper.
 */
const oneInputNest: fc.Arbitrary<DifferentialCase> = fc
  .record({
    outerGt: fc.boolean(),
    innerEq: fc.boolean(),
    innerBound: fc.oneof(
      fc.constant("LOAD n"),
      fc.integer({ min: 0, max: 3 }).map((c) => `PUSH ${c}`),
    ),
    outerStep: fc.integer({ min: 1, max: 2 }),
    innerStep: fc.integer({ min: 1, max: 2 }),
    op: fc.constantFrom("MUL", "MUL", "ADD"),
    addend: fc.constantFrom("i", "j", "n", "x"),
    stepBound: fc.integer({ min: 100, max: 400 }),
    width: fc.constantFrom(64, 64, 3),
    xs: fc.array(fc.bigInt({ min: 0n, max: 1000n }), { minLength: 9, maxLength: 9 }),
    cut: fc.nat(),
  })
  .map((r) => {
    const exit = [
      "exit:   LOAD i",
      `        PUSH ${r.outerStep}`,
      "        ADD",
      "        STORE i",
      "        JUMP outer",
    ];
    const body = [
      "body:   LOAD y",
      "        LOAD x",
      `        ${r.op}`,
      `        LOAD ${r.addend}`,
      "        ADD",
      "        STORE y",
      "        LOAD j",
      `        PUSH ${r.innerStep}`,
      "        ADD",
      "        STORE j",
      "        JUMP inner",
    ];
    const source = [
      ".private x 0",
      ".public n 1",
      ".output y 2",
      ".output i 3",
      ".cell j 4",
      r.outerGt ? "outer:  LOAD n" : "outer:  LOAD i",
      r.outerGt ? "        LOAD i" : "        LOAD n",
      r.outerGt ? "        GT" : "        LT",
      "        JUMPI rows",
      "        STOP",
      "rows:   PUSH 0",
      "        STORE j",
      "inner:  LOAD j",
      `        ${r.innerBound}`,
      ...(r.innerEq
        ? ["        EQ", "        JUMPI exit", ...body, ...exit]
        : ["        LT", "        JUMPI body", ...exit, ...body]),
      "",
    ].join("\n");
    const ns = [0n, 1n, 2n, 3n, 4n, 5n, 6n, TWO_64, mod(-1n)];
    const program: GeneratedProgram = {
      source,
      io: {
        inputs: [
          { name: "x", cell: 0, visibility: "private" },
          { name: "n", cell: 1, visibility: "public" },
        ],
        outputs: [
          { name: "y", cell: 2 },
          { name: "i", cell: 3 },
        ],
      },
      stepBound: r.stepBound,
      inputs: fc.constant({ x: 0n, n: 0n }),
    };
    return {
      program,
      width: r.width,
      inputs: ns.map((n, k) => ({ x: r.xs[k]!, n })),
      cut: r.cut,
    };
  });

/** A JUMPI to the very next instruction, and a STOP with a value still on the stack. */
const ODD_EDGES = `
.private a 0
.output y 1
        PUSH 7          ; still on the stack at STOP
        LOAD a
        JUMPI next      ; both edges lead to next
next:   LOAD a
        PUSH 2
        LT
        JUMPI stop      ; a < 2: y stays 0
        LOAD a
        STORE y
stop:   STOP
`;

/**
 * x is range-checked once, at step 0; the comparisons with small constants
 * may then compare through that check's bits (its low bits, the rest zero).
 */
const NARROW = `
.private x 0
.output lo 1
.output hi 2
.output big 3
        LOAD x
        PUSH 100
        LT              ; x < 100
        STORE lo
        PUSH 5
        LOAD x
        LT              ; 5 < x
        STORE hi
        LOAD x
        PUSH 127
        GT              ; x > 127: 7 low bits, the rest must be 0
        STORE big
        STOP
`;

/** ADD and MUL of inputs wrap around p; LT then compares the wrapped sum. */
const WRAP_INPUTS = `
.public  a 0
.private b 1
.output sum 2
.output prod 3
.output lt 4
        LOAD a
        LOAD b
        ADD
        STORE sum
        LOAD a
        LOAD b
        MUL
        STORE prod
        LOAD sum
        PUSH 10
        LT
        STORE lt
        STOP
`;

/** The output y is the public input x's cell: x as given on one path, doubled on the other. */
const OUTPUT_IN_INPUT_CELL = `
.public x 0
.output y 0
.output z 1
        LOAD x
        PUSH 3
        GT
        JUMPI big       ; x > 3: double x in place
        PUSH 1
        STORE z
        STOP
big:    LOAD x
        PUSH 2
        MUL
        STORE x
        PUSH 2
        STORE z
        STOP
`;

/**
 * A branch that is never taken (constant condition) compares x; the live path
 * compares x again. The dead block's selector is the constant 0, so its range
 * check of x proves nothing, and the live comparison must check x itself.
 */
const DEAD_BRANCH = `
.private x 0
.output y 1
        PUSH 0
        JUMPI dead      ; never taken
        JUMP live
dead:   LOAD x
        PUSH 1
        LT
        STORE y
        STOP
live:   LOAD x
        PUSH 1
        GT              ; x > 1: faults for x >= 2^64
        STORE y
        STOP
`;

/**
 * x^2 added 600 times, each product its own signal: the output is a linear
 * combination of 600 terms, deeper than circom2 can evaluate as a flat sum.
 */
const LONG_SUM = [
  ".private x 0",
  ".output y 1",
  "PUSH 0",
  ...Array.from({ length: 600 }, () => "LOAD x\nLOAD x\nMUL\nADD"),
  "STORE y",
  "STOP",
  "",
].join("\n");

function benchProgram(name: string): string {
  return readFileSync(
    fileURLToPath(new URL(`../bench/programs/${name}.zkasm`, import.meta.url)),
    "utf8",
  );
}

const fixtures: Fixture[] = [
  ...loadExamples().map((ex) => ({
    title: `examples/${ex.name}`,
    source: ex.source,
    steps: ex.steps,
    cases: ex.cases.map((c) =>
      isErrorCase(c)
        ? { inputs: c.inputs, error: c.error }
        : { inputs: c.inputs, outputs: c.outputs },
    ),
    randomRuns: ex.cases.some((c) => Object.keys(c.inputs).length > 0) ? 10 : 0,
  })),
  {
    title: "a stack value live across a branch join (JUMPI on a non-boolean)",
    source: LIVE_ACROSS_JOIN,
    steps: 14,
    cases: [
      { inputs: { a: 0, b: 1 }, outputs: { y: 11n, small: 1n } },
      { inputs: { a: 1, b: 1 }, outputs: { y: 61n, small: 1n } },
      { inputs: { a: 7, b: 50 }, outputs: { y: 110n, small: 0n } },
      { inputs: { a: -1, b: 0 }, outputs: { y: 60n, small: 1n } },
      { inputs: { a: TWO_64 + 1n, b: 2 }, outputs: { y: 62n, small: 1n } },
      { inputs: { a: 0, b: -1 }, outputs: { y: 9n, small: 1n } },
      { inputs: { a: 0, b: TWO_64 - 11n }, outputs: { y: TWO_64 - 1n, small: 0n } },
      { inputs: { a: 3, b: TWO_64 - 11n }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "a loop body comparing an unchecked input (gated range check)",
    source: GATED_LOOP,
    steps: 50,
    cases: [
      { inputs: { x: 5, n: 0 }, outputs: { c: 0n } },
      { inputs: { x: 5, n: 3 }, outputs: { c: 3n } },
      { inputs: { x: 1, n: 3 }, outputs: { c: 1n } },
      // The body never runs, so x = 2^64 is never compared.
      { inputs: { x: TWO_64, n: 0 }, outputs: { c: 0n } },
      { inputs: { x: -1, n: 0 }, outputs: { c: 0n } },
      { inputs: { x: TWO_64 - 1n, n: 2 }, outputs: { c: 2n } },
      { inputs: { x: TWO_64, n: 1 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: TWO_64 + 1n, n: 3 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: 0, n: 4 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { x: 9, n: -1 }, error: "STEP_LIMIT_EXCEEDED" },
    ],
    randomRuns: 6,
  },
  {
    title: "an accumulator on the stack around a loop",
    source: STACK_LOOP,
    steps: 40,
    cases: [
      { inputs: { n: 0 }, outputs: { s: 0n } },
      { inputs: { n: 3 }, outputs: { s: 6n } },
      { inputs: { n: 4 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { n: -1 }, error: "STEP_LIMIT_EXCEEDED" },
    ],
    randomRuns: 6,
  },
  {
    title: "a JUMPI to the next instruction, STOP with a non-empty stack",
    source: ODD_EDGES,
    steps: 10,
    cases: [
      { inputs: { a: 0 }, outputs: { y: 0n } },
      { inputs: { a: 1 }, outputs: { y: 0n } },
      { inputs: { a: 9 }, outputs: { y: 9n } },
      { inputs: { a: -1 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "EQ and GT of two inputs",
    source: COMPARE,
    steps: 13,
    cases: [
      { inputs: { a: 3, b: 3 }, outputs: { eq: 1n, gt: 0n, lt: 0n } },
      { inputs: { a: TWO_64 - 1n, b: 0 }, outputs: { eq: 0n, gt: 1n, lt: 0n } },
      { inputs: { a: 0, b: TWO_64 - 1n }, outputs: { eq: 0n, gt: 0n, lt: 1n } },
      { inputs: { a: TWO_64, b: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { a: -1, b: 5 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { a: 5, b: TWO_64 + 1n }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "EQ and GT at width 8",
    source: COMPARE,
    steps: 13,
    width: 8,
    cases: [
      { inputs: { a: 255, b: 254 }, outputs: { eq: 0n, gt: 1n, lt: 0n } },
      { inputs: { a: 256, b: 0 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "EQ and GT at width 252",
    source: COMPARE,
    steps: 13,
    width: 252,
    cases: [
      { inputs: { a: (1n << 252n) - 1n, b: 0 }, outputs: { eq: 0n, gt: 1n, lt: 0n } },
      {
        inputs: { a: (1n << 252n) - 2n, b: (1n << 252n) - 1n },
        outputs: { eq: 0n, gt: 0n, lt: 1n },
      },
      { inputs: { a: 1n << 252n, b: 0 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { a: 0, b: -1 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "comparisons with small constants through one range check's bits",
    source: NARROW,
    steps: 13,
    cases: [
      { inputs: { x: 0 }, outputs: { lo: 1n, hi: 0n, big: 0n } },
      { inputs: { x: 5 }, outputs: { lo: 1n, hi: 0n, big: 0n } },
      { inputs: { x: 6 }, outputs: { lo: 1n, hi: 1n, big: 0n } },
      { inputs: { x: 99 }, outputs: { lo: 1n, hi: 1n, big: 0n } },
      { inputs: { x: 100 }, outputs: { lo: 0n, hi: 1n, big: 0n } },
      { inputs: { x: 127 }, outputs: { lo: 0n, hi: 1n, big: 0n } },
      { inputs: { x: 128 }, outputs: { lo: 0n, hi: 1n, big: 1n } },
      { inputs: { x: 1n << 40n }, outputs: { lo: 0n, hi: 1n, big: 1n } },
      { inputs: { x: TWO_64 - 1n }, outputs: { lo: 0n, hi: 1n, big: 1n } },
      { inputs: { x: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: -1 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "field wrap-around of inputs",
    source: WRAP_INPUTS,
    steps: 13,
    cases: [
      { inputs: { a: -1, b: 2 }, outputs: { sum: 1n, prod: -2n, lt: 1n } },
      { inputs: { a: -3, b: 3 }, outputs: { sum: 0n, prod: -9n, lt: 1n } },
      { inputs: { a: TWO_64, b: -TWO_64 }, outputs: { sum: 0n, lt: 1n } },
      { inputs: { a: 5, b: 5 }, outputs: { sum: 10n, prod: 25n, lt: 0n } },
      { inputs: { a: -1, b: 0 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "an output in a public input's cell",
    source: OUTPUT_IN_INPUT_CELL,
    steps: 11,
    cases: [
      { inputs: { x: 2 }, outputs: { y: 2n, z: 1n } },
      { inputs: { x: 5 }, outputs: { y: 10n, z: 2n } },
      { inputs: { x: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "a comparison in a branch never taken, then on the live path",
    source: DEAD_BRANCH,
    steps: 10,
    cases: [
      { inputs: { x: 3 }, outputs: { y: 1n } },
      { inputs: { x: 0 }, outputs: { y: 0n } },
      { inputs: { x: TWO_64 - 1n }, outputs: { y: 1n } },
      { inputs: { x: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: TWO_64 + 1n }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "an output that sums 600 products (circom2 stack depth)",
    source: LONG_SUM,
    steps: 2403,
    cases: [
      { inputs: { x: 3 }, outputs: { y: 5400n } },
      { inputs: { x: -1 }, outputs: { y: 600n } },
      { inputs: { x: TWO_64 }, outputs: { y: mod(600n * TWO_64 * TWO_64) } },
    ],
    randomRuns: 0,
  },
  // The loop and branch shapes of bench/programs (issue 10), at small bounds:
  // the interpreter decides each case.
  {
    title: "bench/programs/pow_down: a count-down loop (k > 0, k += p - 1)",
    source: benchProgram("pow_down"),
    steps: 48,
    cases: [
      { inputs: { x: 3, e: 0 } },
      { inputs: { x: 3, e: 3 } },
      { inputs: { x: -1, e: 2 } },
      { inputs: { x: 3, e: 4 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { x: 3, e: -1 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: 3, e: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: 3, e: TWO_64 + 1n }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "bench/programs/nested: two nested counting loops",
    source: benchProgram("nested"),
    steps: 95,
    cases: [
      { inputs: { x: 2, n: 0 } },
      { inputs: { x: 2, n: 1 } },
      { inputs: { x: 5, n: 2 } },
      { inputs: { x: 2, n: 3 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { x: 2, n: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "bench/programs/nested at W = 1: n = 2 faults (LT operand 2 >= 2^1), lowered by path",
    source: benchProgram("nested"),
    steps: 95,
    width: 1,
    cases: [
      { inputs: { x: 2, n: 0 } },
      { inputs: { x: 5, n: 1 } },
      { inputs: { x: 2, n: 2 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: 2, n: 3 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 4,
  },
  {
    title: "control on one input by EQ, JUMPI on the input, comparison results as data (by path)",
    source: ONE_INPUT_CONTROL,
    steps: 70,
    cases: [
      { inputs: { x: 3, n: 0 }, outputs: { y: "7", z: "0" } },
      { inputs: { x: 3, n: 1 }, outputs: { y: "1", z: "0" } },
      { inputs: { x: 3, n: 3 }, outputs: { y: "13", z: "1" } },
      { inputs: { x: 3, n: 4 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { x: 3, n: TWO_64 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { x: 3, n: -1 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "bench/programs/eq_branch: a loop whose body branches on EQ",
    source: benchProgram("eq_branch"),
    steps: 59,
    cases: [
      { inputs: { n: 0, x: 3, t: 0 } },
      { inputs: { n: 3, x: 3, t: 1 } },
      { inputs: { n: 3, x: 3, t: 2 } },
      { inputs: { n: 3, x: 3, t: -1 } },
      { inputs: { n: 4, x: 3, t: 1 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { n: -1, x: 3, t: 1 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "bench/programs/gcd: two comparisons per iteration, conditional subtraction",
    source: benchProgram("gcd"),
    steps: 67,
    cases: [
      { inputs: { a: 1, b: 1 } },
      { inputs: { a: 4, b: 6 } },
      { inputs: { a: 9, b: 6 } },
      { inputs: { a: 5, b: 1 } },
      { inputs: { a: TWO_64, b: TWO_64 } },
      { inputs: { a: 6, b: 1 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { a: 5, b: 0 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { a: TWO_64, b: 1 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { a: 2, b: -1 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "bench/programs/minmax4: min and max of four inputs through branches and joins",
    source: benchProgram("minmax4"),
    steps: 48,
    cases: [
      { inputs: { a: 5, b: 2, c: 9, d: 3 } },
      { inputs: { a: 1, b: 1, c: 1, d: 1 } },
      { inputs: { a: 9, b: 8, c: 7, d: 6 } },
      { inputs: { a: 0, b: TWO_64 - 1n, c: 7, d: 7 } },
      { inputs: { a: 5, b: 2, c: TWO_64, d: 3 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title:
      "a counting loop with an early exit (its bound is range checked, not pinned by the exit)",
    source: BREAK_LOOP,
    steps: 60,
    cases: [
      { inputs: { n: 3, c: 0 } },
      { inputs: { n: 3, c: 1 } },
      { inputs: { n: 0, c: 1 } },
      { inputs: { n: TWO_64, c: 1 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { n: TWO_64 - 1n, c: 1 } },
      { inputs: { n: -1, c: 1 }, error: "COMPARISON_OUT_OF_RANGE" },
      { inputs: { n: TWO_64, c: 0 }, error: "COMPARISON_OUT_OF_RANGE" },
    ],
    randomRuns: 6,
  },
  {
    title: "TWO_ARMS with N = 36 (explicit step counter)",
    source: TWO_ARMS,
    steps: 36,
    cases: [
      { inputs: { a: 0 }, outputs: { y: 3n } }, // 34 steps
      { inputs: { a: 5 }, error: "STEP_LIMIT_EXCEEDED" }, // 38 steps
      { inputs: { a: -1 }, error: "STEP_LIMIT_EXCEEDED" },
      { inputs: { a: TWO_64 }, error: "STEP_LIMIT_EXCEEDED" },
    ],
    randomRuns: 6,
  },
  {
    title: "TWO_ARMS with N = 34, the shortest run",
    source: TWO_ARMS,
    steps: 34,
    cases: [
      { inputs: { a: 0 }, outputs: { y: 3n } },
      { inputs: { a: 1 }, error: "STEP_LIMIT_EXCEEDED" },
    ],
    randomRuns: 0,
  },
  {
    title: "TWO_ARMS with N = 38, the longest run",
    source: TWO_ARMS,
    steps: 38,
    cases: [
      { inputs: { a: 0 }, outputs: { y: 3n } },
      { inputs: { a: 5 }, outputs: { y: 3n } },
    ],
    randomRuns: 0,
  },
];

interface Built {
  readonly program: ValidatedProgram;
  readonly compiled: CompiledCircuit;
}

function caseTitle(c: Case): string {
  const short = (v: unknown) => {
    const s = String(v);
    return s.length > 12 ? `${s.slice(0, 5)}…${s.slice(-4)}` : s;
  };
  const inputs = Object.entries(c.inputs)
    .map(([k, v]) => `${k}=${short(v)}`)
    .join(" ");
  const expected =
    c.error !== undefined
      ? c.error
      : Object.entries(c.outputs ?? {})
          .map(([k, v]) => `${k}=${short(v)}`)
          .join(" ");
  return `${inputs || "no inputs"} → ${expected}`;
}

/**
 * The interpreter's and the circuit's verdicts agree; for a halting run the
 * witness right after index 0 holds the outputs, then the public inputs, each
 * in declaration order.
 */
async function expectAgreement(built: Built, f: Fixture, inputs: Inputs): Promise<Outcome> {
  const interpreter = interpreterOutcome(built.program, inputs, {
    steps: f.steps,
    ...(f.width !== undefined ? { width: f.width } : {}),
  });
  const circuit = await circuitOutcome(built.compiled, built.program.io, inputs, backendOf(f));
  expect(
    disagreement(interpreter, circuit),
    `interpreter: ${describeOutcome(interpreter)}\ncircuit: ${describeOutcome(circuit)}`,
  ).to.equal(undefined);
  if (interpreter.kind === "halt" && circuit.kind === "halt") {
    const { io } = built.program;
    const order = [
      ...io.outputs.map((o) => o.name),
      ...io.inputs.filter((i) => i.visibility === "public").map((i) => i.name),
    ];
    expect(built.compiled.publicSignals.map((s) => s.name)).to.deep.equal(order);
    expect(circuit.publicSignals).to.deep.equal([
      ...io.outputs.map((o) => interpreter.outputs[o.name]),
      ...io.inputs
        .filter((i) => i.visibility === "public")
        .map((i) => interpreter.publicInputs[i.name]),
    ]);
  }
  return interpreter;
}

/** circom2 for the examples, the direct backend for the rest (see the module comment). */
const backendOf = (f: Fixture): WitnessBackend =>
  f.title.startsWith("examples/") ? "circom" : "direct";

describe("differential: circuit witness vs interpreter", function () {
  const built = new Map<Fixture, Built>();

  before(async function () {
    for (const f of fixtures) {
      const program = validate(loadProgram(f.source));
      built.set(f, {
        program,
        compiled: compile(program, {
          steps: f.steps,
          keepNodes: backendOf(f) === "direct",
          ...(f.width !== undefined ? { width: f.width } : {}),
        }),
      });
    }
    const fixed = [...built].filter(([f]) => backendOf(f) === "circom").map(([, b]) => b.compiled);
    const results = await buildCircuitsSettled(fixed);
    for (const r of results) if (r.status === "rejected") throw r.reason;
  });

  for (const f of fixtures) {
    describe(`${f.title} (N = ${f.steps}${f.width !== undefined ? `, W = ${f.width}` : ""})`, function () {
      for (const c of f.cases) {
        it(caseTitle(c), async function () {
          const b = built.get(f)!;
          if (c.error !== undefined && !RUNTIME_FAULTS.includes(c.error)) {
            // An input error (missing input, out of the field) stops both sides before running.
            for (const side of [
              () => interpreterOutcome(b.program, c.inputs, { steps: f.steps }),
              () => circuitOutcome(b.compiled, b.program.io, c.inputs, backendOf(f)),
            ]) {
              const error = await Promise.resolve()
                .then(side)
                .then(
                  () => undefined,
                  (e: unknown) => e,
                );
              expect(error).to.be.instanceOf(InputError).with.property("code", c.error);
            }
            return;
          }
          const verdict = await expectAgreement(b, f, c.inputs);
          if (c.error !== undefined) {
            expect(verdict).to.include({ kind: "fault", code: c.error });
          } else {
            expect(verdict.kind, describeOutcome(verdict)).to.equal("halt");
            const outputs = verdict.kind === "halt" ? verdict.outputs : {};
            for (const [name, value] of Object.entries(c.outputs ?? {})) {
              expect(outputs[name], name).to.equal(mod(BigInt(value)));
            }
          }
        });
      }
      if (f.randomRuns > 0) {
        it(`agrees on ${f.randomRuns} random inputs`, async function () {
          const b = built.get(f)!;
          await fc.assert(
            fc.asyncProperty(inputsFor(b.program.io), async (inputs) => {
              await expectAgreement(b, f, inputs);
            }),
            { seed: SEED, numRuns: f.randomRuns },
          );
        });
      }
    });
  }

  it("prints a long linear combination as nested sums that circom2 can evaluate", function () {
    const terms = Array.from({ length: 5000 }, (_, i) =>
      Lin.signal(`v${i}`).scale(BigInt(i % 3) - 1n),
    );
    const lin = terms.reduce((sum, t) => sum.add(t), Lin.constant(-7n));
    const text = lin.toCircom();
    let depth = 0;
    let deepest = 0;
    for (const ch of text) {
      if (ch === "(") deepest = Math.max(deepest, ++depth);
      if (ch === ")") depth--;
    }
    expect(depth).to.equal(0);
    expect(deepest).to.be.within(1, 3);
    // No group sums more than 64 terms: operators between parentheses.
    for (const group of text.split(/[()]/)) expect(group.split(/ [+-] /).length).to.be.at.most(64);
    expect(text.match(/v\d+/g)).to.have.length(lin.terms.size);
  });

  it("a bound below every path to STOP: the compiler rejects it, the interpreter faults", function () {
    const program = validate(loadProgram(COMPARE));
    expect(() => compile(program, { steps: 12 }))
      .to.throw(CompileError)
      .with.property("code", "STEP_BOUND_TOO_SMALL");
    for (const [a, b] of [
      [0n, 0n],
      [3n, TWO_64],
    ]) {
      expect(interpreterOutcome(program, { a: a!, b: b! }, { steps: 12 }).kind).to.equal("fault");
    }
  });

  describe("random loop nests whose control depends on one input (lowered by path)", function () {
    it("agree at their own step bound and at a smaller one, over n in 0..6, 2^64 and p - 1", async function () {
      let byPath = 0;
      await fc.assert(
        fc.asyncProperty(oneInputNest, async (c) => {
          const plan = planCase(c);
          byPath += plan.circuits.filter((k) =>
            k.circom.includes("lowered by control path"),
          ).length;
          const report = await checkCase(c, plan, "direct");
          expect(report.disagreements.map(describeDisagreement), c.program.source).to.deep.equal(
            [],
          );
        }),
        { seed: SEED, numRuns: 8 },
      );
      // Not vacuous: most of these circuits take the path lowering.
      expect(byPath).to.be.at.least(4);
    });
  });

  describe("random valid programs (helpers/programs.ts)", function () {
    it("agree at their own step bound and at a smaller one", async function () {
      const checks: Check[] = [];
      await fc.assert(
        fc.asyncProperty(programCases, async (c) => {
          const report = await checkCase(c, undefined, "direct");
          checks.push(...report.checks);
          expect(report.disagreements.map(describeDisagreement), c.program.source).to.deep.equal(
            [],
          );
        }),
        { seed: PROGRAM_SEED, numRuns: PROGRAM_RUNS },
      );
      // The run compared halting runs and both kinds of fault against compiled circuits,
      // and a smaller bound that some inputs meet and others exceed.
      const seen = new Set(
        checks.map((k) => `${k.smaller ? "smaller" : "own"} ${k.interpreter} ${k.circuit}`),
      );
      expect([...seen]).to.include.members([
        "own halt witness",
        "own COMPARISON_OUT_OF_RANGE no witness",
        "smaller halt witness",
        "smaller STEP_LIMIT_EXCEEDED no witness",
      ]);
    });
  });
});
