/**
 * The exact constraint evaluator (src/compiler/evaluate.ts) against circom2:
 * for each program, bound and width below, the evaluator on the nodes of the
 * lowering compile() emits must say what circom2's witness generator and the
 * .r1cs say (helpers/witness.ts checks the witness against every constraint):
 * satisfiable with the same outputs, or unsatisfiable. The soundness fuzzer
 * (test/soundness-fuzz.test.ts, `npm run fuzz -- --soundness`) relies on it
 * in place of circom2.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, lowerings } from "../src/compiler/index.js";
import { evaluate } from "../src/compiler/evaluate.js";
import { circuitInput } from "../src/compiler/input.js";
import { Lin } from "../src/compiler/linear.js";
import type { Node } from "../src/compiler/ir.js";
import { P } from "../src/field.js";
import { loadProgram } from "../src/load.js";
import { validate, type ValidatedProgram } from "../src/validator.js";
import { loadExamples } from "./helpers/examples.js";
import { LONG_JOIN, NESTED_DO_WHILE, TWO_ARMS } from "./helpers/shapes.js";
import { buildCircuitsSettled, circuitOutcome } from "./helpers/witness.js";

const bench = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../bench/programs/${name}.zkasm`, import.meta.url)), "utf8");

interface Subject {
  readonly name: string;
  readonly program: ValidatedProgram;
  readonly steps: number;
  readonly width: number;
}

/** Input values around the edges the circuits care about, for width W. */
function edgeValues(width: number): bigint[] {
  const w = 1n << BigInt(width);
  return [0n, 1n, 2n, 3n, 5n, 9n, w - 1n, w, w + 1n, P - 1n, P - w];
}

/** Every combination of `values` over the inputs, at most `limit` of them (a deterministic spread). */
function inputGrid(
  program: ValidatedProgram,
  values: readonly bigint[],
  limit: number,
): Array<Record<string, bigint>> {
  const names = program.io.inputs.map((i) => i.name);
  const total = values.length ** names.length;
  const stride = Math.max(1, Math.floor(total / limit));
  const grid: Array<Record<string, bigint>> = [];
  for (let n = 0; n < total && grid.length < limit; n += stride) {
    const inputs: Record<string, bigint> = {};
    let rest = n;
    for (const name of names) {
      inputs[name] = values[rest % values.length]!;
      rest = Math.floor(rest / values.length);
    }
    grid.push(inputs);
  }
  return grid;
}

function subjects(): Subject[] {
  const list: Subject[] = [];
  const add = (name: string, source: string, steps: number, width = 64) =>
    list.push({ name, program: validate(loadProgram(source)), steps, width });
  for (const e of loadExamples()) add(e.name, e.source, e.steps);
  add(
    "sum at N = 40 (below its longest runs)",
    loadExamples().find((e) => e.name === "sum")!.source,
    40,
  );
  add("countdown at W = 3", loadExamples().find((e) => e.name === "countdown")!.source, 26, 3);
  add("nested (lowered by path)", bench("nested"), 95);
  add("pow_down (a range obligation)", bench("pow_down"), 35);
  add("gcd at W = 4", bench("gcd"), 60, 4);
  add("untilsum at N = 40 (a closed-form loop: circom's trip count hint)", bench("untilsum"), 40);
  add("TWO_ARMS (the step counter)", TWO_ARMS, 36);
  add("LONG_JOIN at N = 12 (issue 17)", LONG_JOIN, 12);
  add("NESTED_DO_WHILE at N = 50 (issue 17)", NESTED_DO_WHILE, 50);
  return list;
}

describe("the exact constraint evaluator (src/compiler/evaluate.ts)", function () {
  it("agrees with circom2's witness generator and .r1cs: satisfiable exactly when circom's is, with its outputs", async function () {
    this.timeout(1_200_000);
    const all = subjects();
    const compiled = all.map((s) => compile(s.program, { steps: s.steps, width: s.width }));
    const built = await buildCircuitsSettled(compiled, 2);
    let checks = 0;
    let unsatisfiable = 0;
    for (const [i, s] of all.entries()) {
      const b = built[i]!;
      if (b.status === "rejected") throw b.reason;
      const lowered = lowerings(s.program, { steps: s.steps, width: s.width });
      const nodes: readonly Node[] =
        lowered.chosen === "path"
          ? lowered.byPath!
          : lowered.chosen === "closed"
            ? lowered.closed!
            : lowered.bySteps;
      for (const inputs of inputGrid(s.program, edgeValues(s.width), 24)) {
        const given = Object.fromEntries(
          Object.entries(circuitInput(s.program.io, inputs)).map(([k, v]) => [k, BigInt(v)]),
        );
        const ours = evaluate(nodes, given);
        const theirs = await circuitOutcome(compiled[i]!, s.program.io, inputs);
        const where = `${s.name}, inputs ${JSON.stringify(given, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
        expect(ours.satisfied, `${where}: ${ours.satisfied ? "" : ours.reason}`).to.equal(
          theirs.kind === "halt",
        );
        if (ours.satisfied && theirs.kind === "halt") {
          for (const o of s.program.io.outputs) {
            expect(ours.outputs.get(`out_${o.name}`), `${where}: ${o.name}`).to.equal(
              theirs.outputs[o.name],
            );
          }
        } else unsatisfiable++;
        checks++;
      }
    }
    expect(checks).to.be.greaterThan(250);
    expect(unsatisfiable, "some inputs have no witness").to.be.greaterThan(20);
    expect(checks - unsatisfiable, "some inputs have one").to.be.greaterThan(60);
  });

  it("checks each kind of constraint exactly (unit cases)", function () {
    const x = Lin.signal("in_x");
    const lt = (k: number, a: bigint, b: bigint) =>
      evaluate(
        [
          {
            kind: "gadget",
            signal: "lt",
            gadget: { name: "LessThan", k, a: x, b: Lin.constant(b) },
            origin: { step: 0 },
          },
          { kind: "output", signal: "out_y", value: Lin.signal("lt") },
        ],
        { in_x: a },
      );
    const value = (r: ReturnType<typeof evaluate>) =>
      r.satisfied ? r.outputs.get("out_y") : "unsat";
    expect(value(lt(3, 2n, 5n))).to.equal(1n);
    expect(value(lt(3, 5n, 2n))).to.equal(0n);
    // circomlib LessThan(3) outside its range: a + 8 - b must be below 16.
    expect(value(lt(3, 9n, 2n))).to.equal(0n); // 15: bit 3 set, out 0
    expect(value(lt(3, 10n, 2n))).to.equal("unsat"); // 16
    // p - 1 + 8 - 0 = 7 (mod p): bit 3 clear, so circomlib says p - 1 < 0.
    expect(value(lt(3, P - 1n, 0n))).to.equal(1n);
    const range = (w: number, v: bigint) =>
      evaluate(
        [
          {
            kind: "gadget",
            signal: "r",
            gadget: { name: "Num2Bits", width: w, x },
            origin: { step: 0 },
          },
          {
            kind: "gadget",
            signal: "hz",
            gadget: { name: "HighBitsZero", width: w, k: 2, bits: "r" },
            origin: { step: 0 },
          },
          {
            kind: "gadget",
            signal: "lo",
            gadget: { name: "LowBits", width: w, k: 2, bits: "r" },
            origin: { step: 0 },
          },
          {
            kind: "output",
            signal: "out_y",
            value: Lin.signal("hz").scale(10n).add(Lin.signal("lo")),
          },
        ],
        { in_x: v },
      );
    expect(value(range(4, 15n))).to.equal(3n);
    expect(value(range(4, 3n))).to.equal(13n);
    expect(value(range(4, 16n))).to.equal("unsat");
    expect(value(range(4, P - 1n))).to.equal("unsat");
    const asserted = (v: bigint) =>
      evaluate(
        [
          { kind: "assert", left: x, right: Lin.constant(2n) },
          {
            kind: "assertLess",
            signal: "ok",
            k: 3,
            a: x,
            b: Lin.constant(5n),
            origin: { step: 0 },
          },
          { kind: "output", signal: "out_y", value: x },
        ],
        { in_x: v },
      );
    expect(value(asserted(2n))).to.equal(2n);
    expect(value(asserted(3n))).to.equal("unsat");
    expect(() =>
      evaluate([{ kind: "output", signal: "out_y", value: Lin.signal("nope") }], {}),
    ).to.throw(/read before it is defined/);
  });
});
