import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, lowerings } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import { TextChunks } from "../src/compiler/emit.js";
import { Lin } from "../src/compiler/linear.js";
import { planPaths } from "../src/compiler/paths.js";
import { schedule } from "../src/compiler/schedule.js";
import { CompileError, InputError } from "../src/errors.js";
import { loadProgram } from "../src/load.js";
import { validate } from "../src/validator.js";
import { expectGolden as checkGolden } from "./helpers/golden.js";
import { BREAK_LOOP, TWO_ARMS } from "./helpers/shapes.js";

const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
const bench = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../bench/programs/${name}.zkasm`, import.meta.url)), "utf8");
const example = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../examples/${name}`, import.meta.url)), "utf8");

/** Compares generated text with a golden file; UPDATE_GOLDEN=1 rewrites it. */
function expectGolden(name: string, actual: string): void {
  checkGolden(golden(name), actual);
}

const SUM = `
.public n 0
.output s 1
.cell i 2
loop: LOAD i
  LOAD n
  LT
  JUMPI body
  STOP
body: LOAD i
  PUSH 1
  ADD
  STORE i
  LOAD s
  LOAD i
  ADD
  STORE s
  JUMP loop
`;

describe("circuit compiler", () => {
  it("emits the seed example as a constant output (golden file)", () => {
    const c = compile(loadProgram(example("seed.hex").trim()), { steps: 5 });
    expect(c.publicSignals.map((s) => s.signal)).to.deep.equal(["out_0"]);
    // The constant output is one constraint: circom cannot substitute a public signal away.
    expect(c.estimatedConstraints).to.equal(1);
    expect(c.circom).to.contain("out_0 <== 8;");
    expectGolden("seed.circom", c.circom);
  });

  it("costs y = x^3 + x + 5 two multiplications (golden file)", () => {
    const c = compile(
      loadProgram(
        ".private x 0\n.output y 1\nLOAD x\nLOAD x\nMUL\nLOAD x\nMUL\nLOAD x\nADD\nPUSH 5\nADD\nSTORE y\nSTOP\n",
      ),
      { steps: 11 },
    );
    expect(c.estimatedConstraints).to.equal(2);
    expect(c.privateInputs.map((i) => i.signal)).to.deep.equal(["in_x"]);
    expectGolden("cubic.circom", c.circom);
  });

  it("orders public signals as outputs, then public inputs", () => {
    const c = compile(loadProgram(SUM), { steps: 64 });
    expect(c.publicSignals.map((s) => [s.name, s.kind])).to.deep.equal([
      ["s", "output"],
      ["n", "public-input"],
    ]);
    expect(c.circom).to.contain("component main {public [in_n]} = Main();");
  });

  it("steps over whole blocks: a loop alternates one and two candidates", () => {
    // The block-step schedule (SUM itself is cheaper lowered by path, below).
    const plan = schedule(validate(loadProgram(SUM)), 64);
    expect(plan.steps.slice(0, 4).map((s) => s.length)).to.deep.equal([1, 2, 1, 2]);
    expect(compile(loadProgram(SUM), { steps: 64 }).stepCounter).to.equal(false);
  });

  it("lowers a loop nest whose control depends on one input by path: n one-hot, no comparator", () => {
    // nested: for i < n { for j < n { y = y * x + i } } halts within 200 steps for n <= 3.
    const nested = loadProgram(bench("nested"));
    const plan = planPaths(validate(nested), 200, 64);
    expect(plan?.control.name).to.equal("n");
    expect(plan?.domain).to.deep.equal([0n, 1n, 2n, 3n]);
    const c = compile(nested, { steps: 200 });
    expect(c.circom).to.contain("hit0 + hit1 + hit2 + hit3 === 1;");
    expect(c.circom).not.to.match(/Num2Bits|LessThan|NonZero/);
    // Against 441 lowered by block steps: 4 IsEqual (8), the products y * x that
    // are not constant (4) and the merges of y where the rows' exits meet (4).
    expect(c.estimatedConstraints).to.equal(16);
    // A comparison width too small for n = 2: its run faults, so n is one of 0, 1.
    expect(planPaths(validate(nested), 200, 1)?.domain).to.deep.equal([0n, 1n]);
  });

  it("lowers loops whose control depends on several inputs by path over their class tuples", () => {
    // nested2: for i < n { for j < m { s += i * j + x } } halts within 100 steps
    // for n <= 6 and 5 + 15n + 17nm <= 100; m is never compared when n = 0.
    const nested2 = validate(loadProgram(bench("nested2")));
    const plan = planPaths(nested2, 100, 64);
    expect(plan?.controls.map((c) => [c.name, c.values.length, c.rest])).to.deep.equal([
      ["n", 7, false],
      ["m", 6, true],
    ]);
    expect(plan?.tuples).to.have.length(18);
    const c = compile(loadProgram(bench("nested2")), { steps: 100 });
    expect(c.circom).to.contain("lowered by control path (the control flow depends on n, m)");
    expect(c.circom).to.contain("(n, m) is one of the 18 class tuples whose run halts within N");
    expect(c.circom).not.to.match(/Num2Bits|NonZero/);
    // Against 679 lowered by block steps at N = 256 (issue 18).
    expect(compile(loadProgram(bench("nested2")), { steps: 256 }).estimatedConstraints).to.equal(
      112,
    );
    // seq2 (two loops in sequence on n and m): one LessThan bounds
    // 12 + 13n + 13m <= N as n + m <= (N - 12) / 13, at N = 128 and 512.
    expect(compile(loadProgram(bench("seq2")), { steps: 128 }).estimatedConstraints).to.equal(57);
    const seq2 = compile(loadProgram(bench("seq2")), { steps: 512 });
    expect(seq2.circom).to.match(/LessThan\(7\)/);
    expect(seq2.circom).not.to.contain("class tuples whose run halts");
  });

  it("keeps the block-step lowering when control depends on data, on two inputs, or on no input", () => {
    // gcd compares two inputs with each other; pow_down compares k = e - t
    // (computed from the input, not the input itself); cubic's control depends
    // on no input, so every input value halts.
    expect(planPaths(validate(loadProgram(bench("gcd"))), 128, 64)).to.equal(undefined);
    expect(planPaths(validate(loadProgram(bench("pow_down"))), 128, 64)).to.equal(undefined);
    expect(planPaths(validate(loadProgram(example("cubic.zkasm"))), 16, 64)).to.equal(undefined);
  });

  it("grows linearly in the step bound", () => {
    const cost = (n: number) => compile(loadProgram(SUM), { steps: n }).estimatedConstraints;
    const [a, b, c] = [cost(128), cost(256), cost(512)];
    const slope1 = (b - a) / 128;
    const slope2 = (c - b) / 256;
    expect(Math.abs(slope1 - slope2)).to.be.lessThan(0.5);
  });

  it("range-checks an input compared at step 0 at most once, not at every iteration", () => {
    const c = compile(loadProgram(BREAK_LOOP), { steps: 256 });
    expect(c.circom.match(/Num2Bits\(64\)/g) ?? []).to.have.length(1);
  });

  it("adds an explicit step counter only when candidate paths can exceed N", () => {
    // Three loop iterations, each through a short (1) or a long (5) arm: 34 to 46 steps.
    const c36 = compile(loadProgram(TWO_ARMS), { steps: 36 });
    expect(c36.stepCounter).to.equal(true);
    expect(c36.circom).to.contain("within_bound === 1;");
    // A loop whose iterations all take the same number of steps needs none.
    expect(compile(loadProgram(SUM), { steps: 256 }).stepCounter).to.equal(false);
  });

  it("rejects a step bound too small for any path to reach STOP", () => {
    expect(() => compile(loadProgram(SUM), { steps: 4 }))
      .to.throw(CompileError)
      .with.property("code", "STEP_BOUND_TOO_SMALL");
    expect(() => compile(loadProgram("loop: JUMP loop\nSTOP\n"), { steps: 100 }))
      .to.throw(CompileError)
      .with.property("code", "STEP_BOUND_TOO_SMALL");
  });

  it("rejects a bound that no execution can meet even though a path is short enough", () => {
    // PUSH 1; JUMPI back: the exit edge is never taken, so no execution halts.
    expect(() => compile(loadProgram("top: PUSH 1\nJUMPI top\nSTOP\n"), { steps: 10 }))
      .to.throw(CompileError)
      .with.property("code", "STEP_BOUND_TOO_SMALL");
  });

  it("rejects a bound shorter than every run through an if/else and its join", () => {
    // TWO_ARMS takes 34 steps at least. Each iteration's arms join again, and the
    // join's selector is the constant 1, so at N = 33 every execution provably
    // runs past the bound: a compile error instead of an unsatisfiable circuit.
    expect(() => compile(loadProgram(TWO_ARMS), { steps: 33 }))
      .to.throw(CompileError)
      .with.property("code", "STEP_BOUND_TOO_SMALL");
  });

  it("uses each JUMPI edge's path facts on that edge only", () => {
    // After k > 0: on the taken edge k - 1 (k plus p - 1) is below 2^64 and needs
    // no range check; on the fall-through k == 0, so k - 1 = p - 1 is checked (and faults).
    const c = compile(
      loadProgram(
        [
          ".public k 0",
          ".output y 1",
          "LOAD k\nPUSH 0\nGT\nJUMPI pos",
          "LOAD k\nPUSH -1\nADD\nPUSH 3\nLT\nSTORE y\nSTOP",
          "pos: LOAD k\nPUSH -1\nADD\nPUSH 3\nLT\nSTORE y\nSTOP",
        ].join("\n"),
      ),
      { steps: 12 },
    );
    const checked = [...c.circom.matchAll(/Num2Bits\(64\); range\d+\.in <== (gated\d+);/g)].map(
      (m) => m[1],
    );
    // One gated range check: k - 1 under the fall-through's selector 1 - (k != 0).
    expect(checked).to.have.length(1);
    expect(c.circom).to.match(
      new RegExp(`signal ${checked[0]} <== \\(-nz\\d+ \\+ 1\\) \\* \\(in_k - 1\\);`),
    );
  });

  it("tests a count-down loop's exit with NonZero(k), the exit pinning e below 2^64", () => {
    const source = readFileSync(
      fileURLToPath(new URL("../bench/programs/pow_down.zkasm", import.meta.url)),
      "utf8",
    );
    const c = compile(loadProgram(source), { steps: 9 + 13 * 8 });
    // Each test is NonZero(e - j); e needs no range check: every halting run
    // exits at the iteration j where e - j == 0, so e = j.
    expect(c.circom).not.to.contain("Num2Bits");
    expect(c.circom).to.contain("NonZero()(in_e)");
    for (let j = 1; j <= 8; j++) expect(c.circom).to.contain(`NonZero()(in_e - ${j})`);
  });

  it("leaves a loop bound's range check to the loop exit only when every halting path exits there", () => {
    // SUM's only STOP follows its exit test i < n, which pins n: no range check of n.
    expect(compile(loadProgram(SUM), { steps: 64 }).circom).not.to.contain("Num2Bits");
    // BREAK_LOOP can halt through `out` without the exit test: n is range
    // checked (by the block lowering; compile() lowers it by class tuples of
    // n and c, which range checks n's "other values" where the loop compares them).
    const { bySteps } = lowerings(loadProgram(BREAK_LOOP), { steps: 60 });
    expect(
      bySteps.some((n) => n.kind === "comment" && n.text.includes("no loop exit pinned below 2^W")),
    ).to.equal(true);
    expect(
      bySteps.some(
        (n) =>
          n.kind === "gadget" &&
          n.gadget.name === "Num2Bits" &&
          n.gadget.x.equals(Lin.signal("in_n")),
      ),
    ).to.equal(true);
  });

  it("stops with CIRCUIT_TOO_LARGE as soon as the Circom text passes its limit", () => {
    const text = new TextChunks(100);
    for (let i = 0; i < 9; i++) text.push("0123456789");
    expect(() => text.push("0123456789"))
      .to.throw(CompileError)
      .with.property("code", "CIRCUIT_TOO_LARGE");
  });

  it("profiles every constraint: each instruction's share plus the transitions is the estimate", () => {
    const source = readFileSync(
      fileURLToPath(new URL("../bench/programs/pow_down.zkasm", import.meta.url)),
      "utf8",
    );
    const c = compile(loadProgram(source), { steps: 9 + 13 * 8 });
    const byOp = new Map(c.profile.map((p) => [p.op, p.constraints]));
    const sum = c.profile.reduce((s, p) => s + p.constraints, 0);
    expect(sum + c.transitionConstraints).to.equal(c.estimatedConstraints);
    expect(c.perStep.reduce((s, n) => s + n, 0)).to.equal(c.estimatedConstraints);
    // The loop: GT is NonZero (2) at each of 9 tests, MUL once per iteration after the first.
    expect(byOp.get("GT")).to.equal(18);
    expect(byOp.get("MUL")).to.equal(7);
  });

  it("rejects bad options with typed errors", () => {
    const p = loadProgram("STOP\n");
    expect(() => compile(p, { steps: 0 }))
      .to.throw(CompileError)
      .with.property("code", "BAD_STEP_BOUND");
    expect(() => compile(p, { steps: 1, width: 253 }))
      .to.throw(CompileError)
      .with.property("code", "BAD_WIDTH");
    expect(() => compile(p, { steps: 1, width: 0 }))
      .to.throw(CompileError)
      .with.property("code", "BAD_WIDTH");
  });

  it("schedules only blocks that can still reach STOP in time", () => {
    const program = validate(loadProgram(SUM));
    const plan = schedule(program, 18);
    // 4 (head) + 9 (body) + 4 (head) + 1 (STOP) = 18: one iteration at most.
    expect(plan.steps.map((s) => s.map((c) => c.block.id))).to.deep.equal([[0], [1, 2], [0], [1]]);
  });

  it("builds circom input from named inputs, mapping negatives to p - v", () => {
    const io = loadProgram(SUM).io;
    expect(circuitInput(io, { n: -1 })).to.deep.equal({
      in_n: "21888242871839275222246405745257275088548364400416034343698204186575808495616",
    });
    expect(() => circuitInput(io, {}))
      .to.throw(InputError)
      .with.property("code", "MISSING_INPUT");
  });
});
