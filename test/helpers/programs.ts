/**
 * Random VALID zkvm programs, for property tests here and for differential
 * tests of the circuit compiler against the interpreter.
 *
 *   validProgram(options?): fc.Arbitrary<GeneratedProgram>
 *
 *   GeneratedProgram = {
 *     source: string;      // assembly: .private/.public/.output/.cell directives,
 *                          // then the code; always passes validate(assemble(source))
 *     io: { inputs: { name, cell, visibility }[]; outputs: { name, cell }[] };
 *     stepBound: number;   // no execution of the program takes more steps, whatever
 *                          // the inputs (every loop runs a constant number of times),
 *                          // so a run with this bound ends in STOP or in
 *                          // COMPARISON_OUT_OF_RANGE, never in STEP_LIMIT_EXCEEDED
 *     inputs: fc.Arbitrary<Record<string, bigint>>;
 *                          // a value for every declared input, as a field element in
 *                          // [0, p): small numbers, values around 2^64 and any element
 *   }
 *
 *   programWithInputs(options?):
 *     fc.Arbitrary<{ program: GeneratedProgram; inputs: Record<string, bigint> }>
 *
 *   fieldValue: fc.Arbitrary<bigint>   // the distribution of constants and inputs
 *
 * With the default options the median program has ~35 steps and ~130 bytes,
 * the largest ~450 steps and ~800 bytes; { maxDepth: 1, maxStatements: 3 }
 * keeps them under ~140 steps, for small circuits.
 *
 * Programs are built from a small structured language and lowered to assembly:
 *   - stores of expressions (ADD, MUL, EQ, LT, GT over constants and loaded cells);
 *   - if/else (a forward JUMPI and JUMP), and an expression-level select, which
 *     joins two paths with a value on the stack;
 *   - counted loops: a while loop tested with EQ and a backward JUMP, a
 *     loop whose test is at the bottom, with LT and a backward JUMPI, and a
 *     count-down loop (k > 0 with GT, k += p - 1); nested, and with branches
 *     in their bodies;
 *   - "carry": a value pushed before a statement and stored after it, so that
 *     loops and branches run with a non-empty stack;
 *   - an early STOP under a condition, and sometimes dead code after the final STOP.
 * Constants and inputs are sometimes 2^64 or more, so LT and GT fault now and
 * then (COMPARISON_OUT_OF_RANGE); sums and products are usually large anyway.
 * Output cells may alias an input cell; addresses include 300 and 2^32 - 1.
 */
import fc from "fast-check";
import { P } from "../../src/field.js";

export interface GeneratedInput {
  readonly name: string;
  readonly cell: number;
  readonly visibility: "private" | "public";
}

export interface GeneratedOutput {
  readonly name: string;
  readonly cell: number;
}

export interface GeneratedProgram {
  readonly source: string;
  readonly io: {
    readonly inputs: readonly GeneratedInput[];
    readonly outputs: readonly GeneratedOutput[];
  };
  readonly stepBound: number;
  readonly inputs: fc.Arbitrary<Record<string, bigint>>;
}

export interface GeneratorOptions {
  /** Nesting depth of statements (if, loops, carry). Default 2. */
  readonly maxDepth?: number;
  /** Statements per block (nested blocks hold at most 3). Default 4. */
  readonly maxStatements?: number;
  /** Iterations of a counted loop. Default 3. */
  readonly maxLoopCount?: number;
  /** Nesting depth of expressions. Default 2. */
  readonly maxExpressionDepth?: number;
}

type Comparison = "EQ" | "LT" | "GT";
type BinaryOp = "ADD" | "MUL" | Comparison;

type Expr =
  | { readonly kind: "const"; readonly text: string }
  | { readonly kind: "load"; readonly cell: number }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "select"; readonly cond: Expr; readonly then: Expr; readonly else: Expr };

type Stmt =
  | { readonly kind: "store"; readonly cell: number; readonly value: Expr }
  | { readonly kind: "if"; readonly cond: Expr; readonly then: Stmt[]; readonly else: Stmt[] }
  | {
      readonly kind: "loop";
      readonly style: "while-eq" | "bottom-lt" | "countdown-gt";
      readonly count: number;
      readonly body: Stmt[];
    }
  | { readonly kind: "carry"; readonly value: Expr; readonly body: Stmt[]; readonly cell: number }
  | { readonly kind: "stopIf"; readonly cond: Expr };

const TWO_64 = 1n << 64n;

/** A field element for a constant or an input: mostly small, sometimes at the 2^64 edge or anywhere. */
export const fieldValue: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 12, arbitrary: fc.bigInt(0n, 10n) },
  { weight: 2, arbitrary: fc.constantFrom(TWO_64 - 1n, TWO_64, TWO_64 + 1n, P - 1n, 1n << 63n) },
  { weight: 1, arbitrary: fc.bigInt(0n, P - 1n) },
);

/** How a PUSH operand is written: decimal, 0x-hex, or a negative decimal meaning p - v. */
const constantText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fieldValue.map((v) => v.toString()) },
  { weight: 1, arbitrary: fieldValue.map((v) => `0x${v.toString(16)}`) },
  { weight: 1, arbitrary: fc.bigInt(1n, 5n).map((v) => `-${v}`) },
);

interface Layout {
  readonly inputs: readonly GeneratedInput[];
  readonly outputs: readonly GeneratedOutput[];
  /** Work cells: written and read, neither input nor output. */
  readonly work: readonly number[];
}

/** Addresses for I/O and work cells, usually small; the loop counters live at 1000 and up. */
const SMALL_ADDRESSES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const FAR_ADDRESSES = [0, 1, 2, 3, 4, 5, 6, 7, 300, 0xffffffff];
const COUNTER_BASE = 1000;

const permutation = (pool: readonly number[]) =>
  fc.shuffledSubarray([...pool], { minLength: pool.length, maxLength: pool.length });

const layout: fc.Arbitrary<Layout> = fc
  .record({
    nInputs: fc.integer({ min: 0, max: 3 }),
    nOutputs: fc.integer({ min: 1, max: 3 }),
    nWork: fc.integer({ min: 0, max: 2 }),
    visibilities: fc.array(fc.constantFrom("private" as const, "public" as const), {
      minLength: 3,
      maxLength: 3,
    }),
    addresses: fc.oneof(
      { weight: 4, arbitrary: permutation(SMALL_ADDRESSES) },
      { weight: 1, arbitrary: permutation(FAR_ADDRESSES) },
    ),
    aliasOutput: fc.boolean(),
  })
  .map(({ nInputs, nOutputs, nWork, visibilities, addresses, aliasOutput }) => {
    const inputs = addresses.slice(0, nInputs).map((cell, i) => ({
      name: `in${i}`,
      cell,
      visibility: visibilities[i]!,
    }));
    const outputCells = addresses.slice(nInputs, nInputs + nOutputs);
    // Sometimes the first output is the first input's cell, updated in place.
    if (aliasOutput && inputs.length > 0) outputCells[0] = inputs[0]!.cell;
    const outputs = outputCells.map((cell, i) => ({ name: `out${i}`, cell }));
    const work = addresses.slice(nInputs + nOutputs, nInputs + nOutputs + nWork);
    return { inputs, outputs, work };
  });

function expression(readable: readonly number[], depth: number): fc.Arbitrary<Expr> {
  const load = fc.constantFrom(...readable).map((cell) => ({ kind: "load" as const, cell }));
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    constantText.map((text) => ({ kind: "const" as const, text })),
    load,
  );
  if (depth <= 0) return leaf;
  const sub = expression(readable, depth - 1);
  const arithmetic = fc
    .tuple(fc.constantFrom<BinaryOp>("ADD", "MUL"), sub, sub)
    .map(([op, left, right]) => ({ kind: "binary" as const, op, left, right }));
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: arithmetic },
    { weight: 2, arbitrary: comparison(readable, sub) },
    {
      weight: 1,
      arbitrary: fc.tuple(condition(readable, sub), sub, sub).map(([cond, then, otherwise]) => ({
        kind: "select" as const,
        cond,
        then,
        else: otherwise,
      })),
    },
  );
}

/**
 * A comparison whose operands are mostly small constants or loads, so that
 * most comparisons stay below 2^64 and some fault.
 */
function comparison(readable: readonly number[], sub: fc.Arbitrary<Expr>): fc.Arbitrary<Expr> {
  const small: fc.Arbitrary<Expr> = fc.oneof(
    fc.bigInt(0n, 10n).map((v) => ({ kind: "const" as const, text: v.toString() })),
    fc.constantFrom(...readable).map((cell) => ({ kind: "load" as const, cell })),
  );
  const operand = fc.oneof({ weight: 3, arbitrary: small }, { weight: 1, arbitrary: sub });
  return fc
    .tuple(fc.constantFrom<Comparison>("EQ", "LT", "GT"), operand, operand)
    .map(([op, left, right]) => ({ kind: "binary" as const, op, left, right }));
}

/** A condition: usually a comparison, so that both branches are taken now and then. */
function condition(readable: readonly number[], sub: fc.Arbitrary<Expr>): fc.Arbitrary<Expr> {
  return fc.oneof(
    { weight: 3, arbitrary: comparison(readable, sub) },
    { weight: 1, arbitrary: sub },
  );
}

function block(
  cells: Layout,
  depth: number,
  options: Required<GeneratorOptions>,
): fc.Arbitrary<Stmt[]> {
  const readable = [
    ...cells.inputs.map((i) => i.cell),
    ...cells.outputs.map((o) => o.cell),
    ...cells.work,
  ];
  const writable = [
    ...cells.outputs.map((o) => o.cell),
    ...cells.work,
    ...cells.inputs.map((i) => i.cell),
  ];
  const expr = expression(readable, options.maxExpressionDepth);
  const cond = condition(
    readable,
    expression(readable, Math.max(0, options.maxExpressionDepth - 1)),
  );
  const store: fc.Arbitrary<Stmt> = fc
    .tuple(fc.constantFrom(...writable), expr)
    .map(([cell, value]) => ({ kind: "store" as const, cell, value }));
  const stopIf: fc.Arbitrary<Stmt> = cond.map((c) => ({ kind: "stopIf" as const, cond: c }));
  const statements: fc.WeightedArbitrary<Stmt>[] = [
    { weight: 6, arbitrary: store },
    { weight: 1, arbitrary: stopIf },
  ];
  if (depth > 0) {
    const inner = block(cells, depth - 1, { ...options, maxStatements: 3 });
    statements.push(
      {
        weight: 2,
        arbitrary: fc.tuple(cond, inner, inner).map(([c, then, otherwise]) => ({
          kind: "if" as const,
          cond: c,
          then,
          else: otherwise,
        })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom("while-eq" as const, "bottom-lt" as const, "countdown-gt" as const),
            fc.integer({ min: 0, max: options.maxLoopCount }),
            inner,
          )
          .map(([style, count, body]) => ({ kind: "loop" as const, style, count, body })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(expr, inner, fc.constantFrom(...writable))
          .map(([value, body, cell]) => ({ kind: "carry" as const, value, body, cell })),
      },
    );
  }
  return fc.array(fc.oneof(...statements), { minLength: 1, maxLength: options.maxStatements });
}

/** Lowers the structured program to assembly lines, counting its worst-case steps. */
class Lowering {
  readonly lines: string[] = [];
  private labels = 0;
  /** Counter cells used by loops, declared with .cell. */
  readonly counterCells: number[] = [];

  constructor(private readonly lowercase: boolean) {}

  private emit(instruction: string, comment?: string): void {
    const text = this.lowercase ? instruction.toLowerCase() : instruction;
    this.lines.push(`        ${comment === undefined ? text : `${text.padEnd(24)}; ${comment}`}`);
  }

  private label(name: string): void {
    this.lines.push(`${name}:`);
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.labels++}`;
  }

  /** Emits code that pushes the expression's value; returns its worst-case step count. */
  expr(e: Expr): number {
    switch (e.kind) {
      case "const":
        this.emit(`PUSH ${e.text}`);
        return 1;
      case "load":
        this.emit(`LOAD ${e.cell}`);
        return 1;
      case "binary": {
        const steps = this.expr(e.left) + this.expr(e.right);
        this.emit(e.op);
        return steps + 1;
      }
      case "select": {
        // cond; JUMPI then; <else>; JUMP end; then: <then>; end:  (both paths push one value)
        const then = this.fresh("then");
        const end = this.fresh("end");
        const cond = this.expr(e.cond);
        this.emit(`JUMPI ${then}`, "select");
        const otherwise = this.expr(e.else);
        this.emit(`JUMP ${end}`);
        this.label(then);
        const taken = this.expr(e.then);
        this.label(end);
        return cond + 1 + Math.max(otherwise + 1, taken);
      }
      default:
        return e satisfies never;
    }
  }

  /** Emits a statement, which leaves the stack as it found it; returns its worst-case step count. */
  stmt(s: Stmt): number {
    switch (s.kind) {
      case "store": {
        const steps = this.expr(s.value);
        this.emit(`STORE ${s.cell}`);
        return steps + 1;
      }
      case "if": {
        const then = this.fresh("then");
        const end = this.fresh("endif");
        const cond = this.expr(s.cond);
        this.emit(`JUMPI ${then}`, "if");
        const otherwise = this.block(s.else);
        this.emit(`JUMP ${end}`);
        this.label(then);
        const taken = this.block(s.then);
        this.label(end);
        return cond + 1 + Math.max(otherwise + 1, taken);
      }
      case "loop":
        switch (s.style) {
          case "while-eq":
            return this.whileEq(s.count, s.body);
          case "bottom-lt":
            return this.bottomLt(s.count, s.body);
          case "countdown-gt":
            return this.countdownGt(s.count, s.body);
          default:
            return s.style satisfies never;
        }
      case "carry": {
        const steps = this.expr(s.value);
        const body = this.block(s.body);
        this.emit(`STORE ${s.cell}`, "store the carried value");
        return steps + body + 1;
      }
      case "stopIf": {
        const skip = this.fresh("go");
        const cond = this.expr(s.cond);
        this.emit("PUSH 0");
        this.emit("EQ");
        this.emit(`JUMPI ${skip}`, "stop unless the condition is 0");
        this.emit("STOP");
        this.label(skip);
        return cond + 4;
      }
      default:
        return s satisfies never;
    }
  }

  block(statements: readonly Stmt[]): number {
    return statements.reduce((steps, s) => steps + this.stmt(s), 0);
  }

  private counter(): string {
    const name = `k${this.counterCells.length}`;
    this.counterCells.push(COUNTER_BASE + this.counterCells.length);
    return name;
  }

  /** k = count; top: if k == 0 goto end; body; k -= 1; goto top; end: */
  private whileEq(count: number, body: readonly Stmt[]): number {
    const k = this.counter();
    const top = this.fresh("top");
    const end = this.fresh("done");
    this.emit(`PUSH ${count}`);
    this.emit(`STORE ${k}`, `loop ${count} times`);
    this.label(top);
    this.emit(`LOAD ${k}`);
    this.emit("PUSH 0");
    this.emit("EQ");
    this.emit(`JUMPI ${end}`);
    const inner = this.block(body);
    this.emit(`LOAD ${k}`);
    this.emit("PUSH -1");
    this.emit("ADD");
    this.emit(`STORE ${k}`);
    this.emit(`JUMP ${top}`, "backward jump");
    this.label(end);
    return 2 + 4 * (count + 1) + count * (inner + 5);
  }

  /** k = 0; goto test; body: ...; k += 1; test: if k < count goto body */
  private bottomLt(count: number, body: readonly Stmt[]): number {
    const k = this.counter();
    const start = this.fresh("body");
    const test = this.fresh("test");
    this.emit("PUSH 0");
    this.emit(`STORE ${k}`);
    this.emit(`JUMP ${test}`);
    this.label(start);
    const inner = this.block(body);
    this.emit(`LOAD ${k}`);
    this.emit("PUSH 1");
    this.emit("ADD");
    this.emit(`STORE ${k}`);
    this.label(test);
    this.emit(`LOAD ${k}`);
    this.emit(`PUSH ${count}`);
    this.emit("LT");
    this.emit(`JUMPI ${start}`, "backward conditional jump");
    return 3 + 4 * (count + 1) + count * (inner + 4);
  }

  /** k = count; top: if k > 0 goto body; goto end; body: ...; k += p - 1; goto top */
  private countdownGt(count: number, body: readonly Stmt[]): number {
    const k = this.counter();
    const top = this.fresh("top");
    const start = this.fresh("body");
    const end = this.fresh("done");
    this.emit(`PUSH ${count}`);
    this.emit(`STORE ${k}`, `count down from ${count}`);
    this.label(top);
    this.emit(`LOAD ${k}`);
    this.emit("PUSH 0");
    this.emit("GT");
    this.emit(`JUMPI ${start}`);
    this.emit(`JUMP ${end}`);
    this.label(start);
    const inner = this.block(body);
    this.emit(`LOAD ${k}`);
    this.emit("PUSH -1");
    this.emit("ADD");
    this.emit(`STORE ${k}`);
    this.emit(`JUMP ${top}`, "backward jump");
    this.label(end);
    return 2 + 4 * (count + 1) + 1 + count * (inner + 5);
  }
}

/** Dead code after the final STOP: never reached, so it need not balance the stack. */
const deadCode = fc.array(fc.constantFrom("ADD", "MUL", "PUSH 7", "LOAD 0", "STORE 1", "GT"), {
  maxLength: 3,
});

export function validProgram(options: GeneratorOptions = {}): fc.Arbitrary<GeneratedProgram> {
  const full: Required<GeneratorOptions> = {
    maxDepth: options.maxDepth ?? 2,
    maxStatements: options.maxStatements ?? 4,
    maxLoopCount: options.maxLoopCount ?? 3,
    maxExpressionDepth: options.maxExpressionDepth ?? 2,
  };
  return layout.chain((cells) =>
    fc
      .tuple(block(cells, full.maxDepth, full), fc.boolean(), deadCode)
      .map(([statements, lowercase, dead]) => lower(cells, statements, lowercase, dead)),
  );
}

function lower(
  cells: Layout,
  statements: readonly Stmt[],
  lowercase: boolean,
  dead: readonly string[],
): GeneratedProgram {
  const lowering = new Lowering(lowercase);
  const steps = lowering.block(statements);
  const header = [
    ...cells.inputs.map((i) => `.${i.visibility} ${i.name} ${i.cell}`),
    ...cells.outputs.map((o) => `.output ${o.name} ${o.cell}`),
    ...lowering.counterCells.map((cell, i) => `.cell k${i} ${cell}`),
  ];
  const source = [
    ...header,
    ...lowering.lines,
    "        STOP",
    ...dead.map((d) => `        ${d}`),
    "",
  ].join("\n");
  const inputs = fc.record(
    Object.fromEntries(cells.inputs.map((i) => [i.name, fieldValue])) as Record<
      string,
      fc.Arbitrary<bigint>
    >,
  );
  const program: GeneratedProgram = {
    source,
    io: { inputs: cells.inputs, outputs: cells.outputs },
    stepBound: steps + 1,
    inputs,
  };
  // fast-check prints a counterexample with this: the source, not the arbitrary.
  return Object.assign(program, { [fc.toStringMethod]: () => `program:\n${source}` });
}

/** A valid program together with one value for each of its inputs. */
export function programWithInputs(
  options: GeneratorOptions = {},
): fc.Arbitrary<{ program: GeneratedProgram; inputs: Record<string, bigint> }> {
  return validProgram(options).chain((program) =>
    program.inputs.map((inputs) => ({ program, inputs })),
  );
}
