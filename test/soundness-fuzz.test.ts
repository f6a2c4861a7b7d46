/**
 * The soundness fuzzer's bounded slice (issue 17; the long run is
 * `npm run fuzz -- --soundness`): seeded random programs of every family at
 * several step bounds N (including N below their longest runs, and bounds
 * where the schedule prunes an edge into a candidate) and widths W, both
 * lowerings evaluated exactly (src/compiler/evaluate.ts) against the
 * interpreter. No circom2.
 *
 * It also shows that the fuzzer finds holes: with one guard taken out of the
 * evaluated constraints (the pruned-edge flow line of issue 17, the flow line
 * to a block that cannot reach STOP, the step counter, the by-path one-hot
 * line) it reports a violation within the same seeded programs.
 */
import { expect } from "chai";
import fc from "fast-check";
import type { Node } from "../src/compiler/ir.js";
import {
  checkSoundness,
  describeViolation,
  soundnessCase,
  WIDTHS,
  type CheckOptions,
  type Family,
  type FuzzCase,
} from "./helpers/soundness-fuzz.js";
import { LONG_JOIN, NESTED_DO_WHILE } from "./helpers/shapes.js";

const SEED = 20261203;
const PROGRAMS = 120;

/** The first violation over the seeded programs, with `mutate` applied, and how many programs it took. */
function firstViolation(
  seed: number,
  limit: number,
  options: CheckOptions,
  families?: readonly Family[],
): { at: number; text: string } | undefined {
  const cases = fc.sample(soundnessCase(families), { seed, numRuns: limit });
  for (const [i, c] of cases.entries()) {
    const v = checkSoundness(c, options).violations[0];
    if (v !== undefined) return { at: i, text: describeViolation(v) };
  }
  return undefined;
}

/** Checks one case: throws on a violation, else adds its counts to `totals`. */
function checkCase(
  c: FuzzCase,
  totals: { checks: number; halts: number; faults: number },
): ReturnType<typeof checkSoundness> {
  const report = checkSoundness(c);
  const v = report.violations[0];
  if (v !== undefined) throw new Error(describeViolation(v));
  totals.checks += report.checks;
  totals.halts += report.halts;
  totals.faults += report.faults;
  return report;
}

const dropAssert =
  (why: string) =>
  (node: Node): boolean =>
    node.kind === "assert" && (node.why ?? "").includes(why);

describe("soundness fuzzer (bounded slice)", function () {
  this.timeout(120_000);

  it(`${PROGRAMS} seeded programs: satisfiable exactly when the interpreter halts within N, with its outputs`, function () {
    const totals = { checks: 0, halts: 0, faults: 0, steps: 0, path: 0, below: 0 };
    const families = new Set<string>();
    const widths = new Set<number>();
    fc.assert(
      fc.property(soundnessCase(), (c: FuzzCase) => {
        const report = checkCase(c, totals);
        totals.steps += report.lowerings.steps;
        totals.path += report.lowerings.path;
        families.add(c.family);
        widths.add(c.width);
        // A bound below the longest halting run: some input that halts at a larger bound faults here.
        if (report.bounds.length > 1) totals.below++;
      }),
      { seed: SEED, numRuns: PROGRAMS },
    );
    expect([...families].sort()).to.deep.equal(["general", "loops", "nest", "one-input"]);
    expect([...widths].sort((a, b) => a - b)).to.deep.equal([...WIDTHS]);
    expect(totals.path, "by-path lowerings").to.be.greaterThan(5);
    expect(totals.below, "programs with a bound below their longest run").to.be.greaterThan(50);
    expect(totals.halts).to.be.greaterThan(1000);
    expect(totals.faults).to.be.greaterThan(1000);
  });

  it("issue 17's programs: every input agrees at the bounds that prune an edge into a candidate", function () {
    for (const [source, steps] of [
      [LONG_JOIN, [12, 13, 15]],
      [NESTED_DO_WHILE, [47, 50, 58]],
    ] as const) {
      for (const width of [8, 64]) {
        const report = checkSoundness(
          { family: "loops", source, width, boundSeed: 1 },
          { bounds: steps, firstOnly: false },
        );
        expect(report.violations.map(describeViolation)).to.deep.equal([]);
        // Without the pruned-edge flow line, the runs longer than N are accepted.
        const broken = checkSoundness(
          { family: "loops", source, width, boundSeed: 1 },
          { bounds: steps, mutate: dropAssert("pruned edge") },
        );
        expect(broken.violations, `${width}`).to.have.length(1);
        expect(broken.violations[0]!.circuit).to.equal("satisfiable");
      }
    }
  });

  it("a loop nest that compares an input only with itself: no class tuples with an unchecked input", function () {
    // Found by the fuzzer (seed 1871551894): c > c compares c (never a class
    // of its own) by GT, so c = 2^W must fault; the lowering by class tuples
    // would have taken it down the path of smaller c without a range check.
    const source = [
      ".public a 0",
      ".public b 1",
      ".public c 2",
      ".output y0 10",
      "PUSH 0\nSTORE 20\nL0:\nLOAD 20\nLOAD 0\nLT\nJUMPI L1\nJUMP L2",
      "L1:\nPUSH 0\nSTORE 21\nL3:\nLOAD 21\nLOAD 1\nLT\nJUMPI L4\nJUMP L5",
      "L4:\nLOAD 2\nLOAD 2\nGT\nJUMPI L6\nSTOP",
      "L6:\nLOAD 21\nPUSH 1\nADD\nSTORE 21\nJUMP L3",
      "L5:\nLOAD 20\nPUSH 1\nADD\nSTORE 20\nJUMP L0",
      "L2:\nSTOP",
      "",
    ].join("\n");
    const report = checkSoundness(
      { family: "nest", source, width: 8, boundSeed: 1 },
      { bounds: [38], firstOnly: false },
    );
    expect(report.violations.map(describeViolation)).to.deep.equal([]);
  });

  it("closed-form loops: every trip count hint from 0 to K + 3 (and 2^b, 2^64, p - 1) rejected unless it is the run", function () {
    const totals = { checks: 0, halts: 0, faults: 0, closed: 0 };
    fc.assert(
      fc.property(soundnessCase(["closed"]), (c: FuzzCase) => {
        const report = checkCase(c, totals);
        totals.closed += report.lowerings.closed;
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(totals.closed, "closed-form lowerings").to.be.greaterThan(40);
    expect(totals.halts).to.be.greaterThan(1000);
    expect(totals.faults).to.be.greaterThan(1000);
  });

  describe("finds a hole in a closed-form loop when a guard is taken out", function () {
    const gadget = (signal: string) => (node: Node) =>
      (node.kind === "gadget" || node.kind === "assertLess") && node.signal === signal;
    const cases: Array<[string, (node: Node) => boolean]> = [
      ["k >= 0 (k's range check)", gadget("cf_kbits")],
      ["k <= K", gadget("cf_kmax")],
      ["t < 2^W", gadget("cf_t")],
      ["s_0 < 2^W", gadget("cf_s0")],
      ["s_k < 2^W", gadget("cf_last")],
      ["the exit test at k", gadget("cf_exit")],
      ["the test at k - 1, k = 0 exactly when the first test fails", dropAssert("iteration k - 1")],
      ["an EQ exit's s_k = t", dropAssert("s_k = t")],
    ];
    for (const [name, mutate] of cases) {
      it(name, function () {
        const found = firstViolation(5, 400, { mutate }, ["closed"]);
        expect(found, "no violation in 400 programs").to.not.equal(undefined);
      });
    }
  });

  describe("finds a hole when a guard is taken out", function () {
    // Seeds: the pruned edge's hole is rare; seed 8 reaches it at the 30th program.
    const cases: Array<[string, (node: Node) => boolean, number]> = [
      ["the flow along a pruned edge into a candidate (issue 17)", dropAssert("pruned edge"), 8],
      ["the flow to a block that cannot reach STOP in time", dropAssert("cannot reach STOP"), 1],
      ["the step counter", (node) => node.kind === "assertLess", 1],
      ["the by-path one-hot over the values that halt", dropAssert("halts within N"), 1],
    ];
    for (const [name, mutate, seed] of cases) {
      it(name, function () {
        const found = firstViolation(seed, 400, { mutate });
        expect(found, "no violation in 400 programs").to.not.equal(undefined);
      });
    }
  });
});
