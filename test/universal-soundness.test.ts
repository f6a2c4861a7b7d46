/**
 * Soundness of the universal circuit: a prover who controls the whole witness
 * cannot make it accept an execution SPEC.md does not allow, on the attack
 * surface a universal circuit adds (a private program, pc, stack and memory
 * as witness values, fixed-size I/O slots), in the style of
 * test/soundness.test.ts:
 *
 * Each attack is a FORGED witness made by a "forger": templates/universal.circom
 * with one guarding constraint taken out (`<==` turned into `<--` with the
 * false value, or a `===` line deleted), so that circom's witness generator
 * computes a whole consistent execution that follows the false choice. For
 * each attack:
 *   1. the honest witness satisfies the real circuit (or, when the machine
 *      faults, there is none);
 *   2. the forger drops exactly the guard (its R1CS, at --O0, has `dropped`
 *      fewer constraints than the real one: the guard times the components
 *      that instantiate it);
 *   3. the forged witness satisfies the forger's R1CS (without the guard the
 *      attack is accepted);
 *   4. it claims something false (public signals the machine does not give);
 *   5. the real circuit's R1CS (test/helpers/r1cs.ts) rejects it.
 * A guard that is a linear constraint has no wire of its own at --O2, so those
 * attacks target a --O1 compile, as test/soundness.test.ts does.
 * Every witness comes from one circom2 build at --O0 that holds all the
 * circuits the tests run (each forger, and the real circuit on each honest
 * input that halts: `variants`), carried by signal name onto the target; only
 * a target whose attacks include a faulting run has a witness generator.
 */
import { expect } from "chai";
import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Inputs } from "../src/inputs.js";
import { run } from "../src/interpreter.js";
import { inputCells } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { defaultIncludePaths, type CircomOptimization } from "../src/pipeline/index.js";
import { RuntimeFault } from "../src/errors.js";
import {
  prepareProgram,
  universalCircom,
  universalInput,
  type UniversalBounds,
  type UniversalInput,
} from "../src/universal/index.js";
import {
  ForgerBuilds,
  witnessOutcome,
  keyedPart,
  type KeyedBuild,
  type Variant,
} from "./helpers/forge.js";

/** Tiny bounds (7 instructions: the code hash is one Poseidon): each build takes seconds. */
const BOUNDS: UniversalBounds = {
  steps: 10,
  maxInstructions: 7,
  maxCells: 4,
  maxStack: 4,
  maxInputs: 2,
  maxOutputs: 2,
  width: 8,
};
const N = BOUNDS.steps;

const TEMPLATE = readFileSync(path.join(defaultIncludePaths()[0]!, "universal.circom"), "utf8");

/** `text` with `from` replaced by `to`; throws unless `from` occurs exactly once. */
function replaceOnce(text: string, from: string, to: string): string {
  const n = text.split(from).length - 1;
  if (n !== 1)
    throw new Error(`expected one ${JSON.stringify(from)} in universal.circom, found ${n}`);
  return text.replace(from, () => to);
}

interface Attack {
  readonly title: string;
  /** The program the witness executes (assembly). */
  readonly program: string;
  readonly inputs: Inputs;
  /** The edit of templates/universal.circom that takes the guard out. */
  readonly from: string;
  readonly to: string;
  /** Constraints the forger drops: the guard in each component that has it. */
  readonly dropped: number;
  readonly optimize: "O1" | "O2";
  /** What the forged witness claims: its public signals (hash, out[], publicIn[]). */
  readonly claims: (honestHash: bigint) => Promise<readonly bigint[]>;
  /** A change of the circuit input the forger is run on (default: the honest input). */
  readonly tamper?: (input: UniversalInput) => UniversalInput;
}

const hashOf = async (source: string) => (await prepareProgram(loadProgram(source))).hash;

/** The comparator's limb loop and its checks, as templates/universal.circom has them. */
const LIMB_BLOCK = [
  "        e[j] <-- differs && !above ? 1 : 0;",
  "        e[j] * (e[j] - 1) === 0;",
  "        some += e[j];",
  "        // A limb above the named one (every limb when none is named) is equal.",
  "        (1 - some) * (xl - yl) === 0;",
  "        dp[j] <== e[j] * (xl - yl);",
  "        D += dp[j];",
  "    }",
  "    // At most one limb is named, and the named limbs differ: D != 0.",
  "    some * (some - 1) === 0;",
  "    signal inv <-- D != 0 ? some / D : 0;",
  "    D * inv === some;",
];

/**
 * A forger of the comparator: the limb hint `e[j]` computed by `hint` (a
 * Circom expression) and the guard line `guard` of LIMB_BLOCK taken out.
 */
function limbForger(hint: string, guard: string): { from: string; to: string } {
  if (!LIMB_BLOCK.includes(guard))
    throw new Error(`no line ${JSON.stringify(guard)} in LIMB_BLOCK`);
  const to = LIMB_BLOCK.filter((line) => line !== guard).map((line) =>
    line === LIMB_BLOCK[0] ? `        e[j] <-- ${hint};` : line,
  );
  return { from: LIMB_BLOCK.join("\n"), to: to.join("\n") };
}

const LT_PROGRAM =
  ".private a 0\n.private b 1\n.output y 2\n LOAD a\n LOAD b\n LT\n STORE y\n STOP";
/** W = 8 compares in two limbs of 4 bits (limbBits(8) = 4): limb 1 is the high one. */
const HONEST_HINT = "differs && !above ? 1 : 0";

const ATTACKS: Attack[] = [
  {
    title:
      "wrong instruction fetched (ADD executed as MUL at pc 2): Horner's last product `acc[0] <== c[0] + x * acc[1]`",
    program: ".output y 0\n PUSH 2\n PUSH 3\n ADD\n STORE y\n STOP",
    inputs: {},
    from: "        acc[k] <== c[k] + x * acc[k + 1];",
    to: "        if (k == 0) { acc[k] <-- c[k] + x * acc[k + 1] + (x == 2 ? 1 : 0); } else { acc[k] <== c[k] + x * acc[k + 1]; }",
    dropped: 2 * N, // two fetches (op, arg) per step
    optimize: "O2",
    claims: async (h) => [h, 6n, 0n, 0n, 0n],
  },
  {
    title:
      "pc forged (PUSH 1 at pc 1 skipped): the pc transition `pcNext <== pc + 1 - fSTOP + jump`",
    program: ".output y 0\n PUSH 5\n PUSH 1\n STORE y\n STOP",
    inputs: {},
    from: "    pcNext <== pc + 1 - fSTOP + jump;",
    to: "    pcNext <-- pc + 1 - fSTOP + jump + (pc == 0 ? 1 : 0);",
    dropped: N,
    optimize: "O1",
    claims: async (h) => [h, 5n, 0n, 0n, 0n],
  },
  {
    title:
      "stack pointer forged (PUSH 1 at pc 1 does not push the stack down): `rise[j - 1] <== up * (s[j - 1] - s[j])`",
    program: ".output y 0\n PUSH 5\n PUSH 1\n ADD\n STORE y\n STOP",
    inputs: {},
    from: "        rise[j - 1] <== up * (s[j - 1] - s[j]);",
    to: "        rise[j - 1] <-- (pc == 1 ? 0 : up) * (s[j - 1] - s[j]);",
    dropped: (BOUNDS.maxStack - 1) * N,
    optimize: "O2",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
  {
    title:
      "a stack value changed between steps (the slot below ADD's result, +1): `fall[j - 1] <== down * (s[j + 1] - s[j])`",
    program: ".output y 0\n PUSH 1\n PUSH 2\n PUSH 3\n ADD\n ADD\n STORE y\n STOP",
    inputs: {},
    from: "            fall[j - 1] <== down * (s[j + 1] - s[j]);",
    to: "            fall[j - 1] <-- down * (s[j + 1] - s[j]) + (pc == 3 && j == 1 ? 1 : 0);",
    dropped: (BOUNDS.maxStack - 2) * N,
    optimize: "O2",
    claims: async (h) => [h, 7n, 0n, 0n, 0n],
  },
  {
    title:
      "a memory value changed between steps (cell 1 bumped by a STORE to cell 0): `next[j] <== cell[j] + pi[j]`",
    program: ".output y 1\n.cell a 0\n PUSH 7\n STORE y\n PUSH 4\n STORE a\n STOP",
    inputs: {},
    from: "        next[j] <== cell[j] + pi[j];",
    to: "        next[j] <-- cell[j] + pi[j] + (j == 1 && addr == 0 && isStore == 1 ? 1 : 0);",
    dropped: BOUNDS.maxCells * N,
    optimize: "O1",
    claims: async (h) => [h, 8n, 0n, 0n, 0n],
  },
  {
    title:
      "a program different from the hashed one (PUSH 4 executed, PUSH 5 hashed): the hashed argument `code.e[2 * i + 1] <== argAt`",
    program: ".output y 0\n PUSH 4\n STORE y\n STOP",
    inputs: {},
    from: "            code.e[2 * i + 1] <== argAt;",
    to: "            code.e[2 * i + 1] <-- argAt + (i == 0 ? 1 : 0);",
    dropped: BOUNDS.maxInstructions,
    optimize: "O1",
    claims: async () => [await hashOf(".output y 0\n PUSH 5\n STORE y\n STOP"), 4n, 0n, 0n, 0n],
  },
  {
    title:
      "an output slot not matching the declaration (out[0] read from cell 1): `outputSelect[k].index <== outputCell[k] - isOutput[k]`",
    program: ".output y 0\n.cell t 1\n PUSH 5\n STORE y\n PUSH 9\n STORE t\n STOP",
    inputs: {},
    from: "        outputSelect[k].index <== outputCell[k] - isOutput[k];",
    to: "        outputSelect[k].index <-- outputCell[k] - isOutput[k] + (k == 0 ? 1 : 0);",
    dropped: BOUNDS.maxOutputs,
    optimize: "O1",
    claims: async (h) => [h, 9n, 0n, 0n, 0n],
  },
  {
    title:
      "a public input slot off the declaration (5 in the unused slot 1, and in cell 1): `(1 - isPublic[j]) * publicIn[j] === 0`",
    program: ".public n 0\n.output y 2\n LOAD n\n LOAD 1\n ADD\n STORE y\n STOP",
    inputs: { n: "3" },
    from: "            (1 - isPublic[j]) * publicIn[j] === 0;",
    to: "",
    dropped: BOUNDS.maxInputs,
    optimize: "O2",
    tamper: (input) => ({ ...input, publicIn: ["3", "5"] }),
    claims: async (h) => [h, 8n, 0n, 3n, 5n],
  },
  {
    title: "not halting within N (a loop without end claims outputs): `step[N - 1].isStop === 1`",
    program: ".output y 0\nloop: PUSH 1\n STORE y\n JUMP loop",
    inputs: {},
    from: "    step[N - 1].isStop === 1;",
    to: "",
    dropped: 1,
    optimize: "O1",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
  {
    title:
      "a comparison operand of 2^W or more (a = b = 2^8 compared): the range checks `rangeX.in <== x`, `rangeY.in <== y`",
    program: ".private a 0\n.private b 1\n.output y 2\n LOAD a\n LOAD b\n LT\n STORE y\n STOP",
    inputs: { a: "256", b: "256" },
    from: "    rangeX.in <== x;\n    component rangeY = Num2Bits(W);\n    rangeY.in <== y;",
    to: "    rangeX.in <-- x % (1 << W);\n    component rangeY = Num2Bits(W);\n    rangeY.in <-- y % (1 << W);",
    dropped: 2 * N,
    optimize: "O1",
    claims: async (h) => [h, 0n, 0n, 0n, 0n],
  },
  {
    title:
      "a limb hint that is not a bit (19 < 18 claimed: e = 2 on the equal high limb, -1 on the low one): `e[j] * (e[j] - 1) === 0`",
    program: LT_PROGRAM,
    inputs: { a: "19", b: "18" },
    ...limbForger(
      `x == 19 && y == 18 ? (j == 1 ? 2 : -1) : (${HONEST_HINT})`,
      "        e[j] * (e[j] - 1) === 0;",
    ),
    dropped: 2 * N, // two limbs
    optimize: "O2",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
  {
    title:
      "two limbs named (32 < 16 claimed: the differing high limb and the equal low one): `some * (some - 1) === 0`",
    program: LT_PROGRAM,
    inputs: { a: "32", b: "16" },
    ...limbForger(`x == 32 && y == 16 ? 1 : (${HONEST_HINT})`, "    some * (some - 1) === 0;"),
    dropped: N,
    optimize: "O2",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
  {
    title:
      "a lower limb named over a differing higher one (0x21 < 0x12 claimed from the low limbs): `(1 - some) * (xl - yl) === 0`",
    program: LT_PROGRAM,
    inputs: { a: "33", b: "18" },
    ...limbForger(
      `x == 33 && y == 18 ? (j == 0 ? 1 : 0) : (${HONEST_HINT})`,
      "        (1 - some) * (xl - yl) === 0;",
    ),
    dropped: 2 * N, // two limbs
    optimize: "O2",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
  {
    title:
      "an equal limb named (19 < 18 claimed from the equal high limbs, D = 0): `D * inv === some`",
    program: LT_PROGRAM,
    inputs: { a: "19", b: "18" },
    ...limbForger(
      `x == 19 && y == 18 ? (j == 1 ? 1 : 0) : (${HONEST_HINT})`,
      "    D * inv === some;",
    ),
    dropped: N,
    optimize: "O2",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
  {
    title:
      "the sign of the named limbs' difference forged (19 < 18 claimed): `sign.in <== D + (1 << B) - 1`",
    program: LT_PROGRAM,
    inputs: { a: "19", b: "18" },
    from: "    sign.in <== D + (1 << B) - 1;",
    to: "    sign.in <-- D + (1 << B) - 1 - (x == 19 && y == 18 ? 1 << B : 0);",
    dropped: N,
    optimize: "O1",
    claims: async (h) => [h, 1n, 0n, 0n, 0n],
  },
];

/** The forger's level: at --O0 every signal has a wire, so its values carry over by name. */
const FORGER_LEVEL = "O0";

let tmp: string;

/** The universal circuit for BOUNDS from a template (real or forged), beside the main file that includes it. */
const builds = new ForgerBuilds({ root: () => tmp, includePaths: defaultIncludePaths });
const build = (template: string, optimize: CircomOptimization, wasm = true) =>
  builds.build(universalCircom(BOUNDS), optimize, { "universal.circom": template }, { wasm });

const publicSignals = (values: readonly bigint[]) =>
  values.slice(1, 2 + BOUNDS.maxOutputs + BOUNDS.maxInputs);

/**
 * An attack's program, ready, the circuit input of its honest run, and what
 * the machine says of that run: the public signals (hash, outputs, public
 * inputs) when it halts within N, the fault's code when it faults. Made once
 * per attack (the variants, the targets and the test all ask).
 */
const runs = new Map<Attack, ReturnType<typeof newRun>>();
function attackRun(attack: Attack): ReturnType<typeof newRun> {
  let pending = runs.get(attack);
  if (pending === undefined) {
    pending = newRun(attack);
    runs.set(attack, pending);
  }
  return pending;
}

async function newRun(attack: Attack) {
  const program = loadProgram(attack.program);
  const prepared = await prepareProgram(program, BOUNDS);
  const input = universalInput(prepared.canonical, prepared.program.io, BOUNDS, attack.inputs);
  let truth: readonly bigint[] | string;
  try {
    const r = run(prepared.program, inputCells(prepared.program.io, attack.inputs), {
      steps: N,
      width: BOUNDS.width,
    });
    truth = [
      prepared.hash,
      ...Array.from({ length: BOUNDS.maxOutputs }, (_, k) => {
        const o = prepared.program.io.outputs[k];
        return o === undefined ? 0n : (r.memory.get(o.cell) ?? 0n);
      }),
      ...Array.from({ length: BOUNDS.maxInputs }, (_, k) => {
        const p = prepared.program.io.inputs.filter((i) => i.visibility === "public")[k];
        return p === undefined ? 0n : BigInt(attack.inputs[p.name]!);
      }),
    ];
  } catch (e) {
    if (!(e instanceof RuntimeFault)) throw e;
    truth = e.code;
  }
  return { prepared, input, truth };
}

/**
 * Every circuit the tests run, compiled together as one circom2 build
 * (test/helpers/forge.ts) instead of one each: each attack's forger, and the
 * real circuit on each honest input that halts (its part is also the count
 * the forgers are compared with). An attack whose edit no longer applies is
 * left out, and its own test reports it.
 */
let allVariants: Promise<KeyedBuild> | undefined;
function variants() {
  allVariants ??= (async () => {
    const list: Variant[] = [];
    const index = new Map<string, number>();
    const add = (key: string, template: string, input: UniversalInput) => {
      index.set(key, list.length);
      list.push({ main: universalCircom(BOUNDS), beside: { "universal.circom": template }, input });
    };
    for (const attack of ATTACKS) {
      const { input, truth } = await attackRun(attack);
      // A run that faults has no witness: the real circuit's own generator shows it (below).
      if (typeof truth !== "string") add(`honest ${attack.title}`, TEMPLATE, input);
      let forged: string;
      try {
        forged = replaceOnce(TEMPLATE, attack.from, attack.to);
      } catch {
        continue;
      }
      add(`forger ${attack.title}`, forged, attack.tamper ? attack.tamper(input) : input);
    }
    return { together: await builds.together(list, FORGER_LEVEL), index };
  })();
  return allVariants;
}

/** Variant `key`'s part of the build compiled together, and the witness of them all. */
const part = (key: string) => keyedPart(variants(), key);

/**
 * The real circuit at `level`, with its witness generator only at the levels
 * of attacks whose honest run faults (where the test runs it to show that no
 * witness exists); every other witness is carried onto it by signal name.
 */
let faultLevels: Promise<Set<string>> | undefined;
async function target(level: "O1" | "O2") {
  faultLevels ??= (async () => {
    const levels = new Set<string>();
    for (const attack of ATTACKS) {
      if (typeof (await attackRun(attack)).truth === "string") levels.add(attack.optimize);
    }
    return levels;
  })();
  return build(TEMPLATE, level, (await faultLevels).has(level));
}

async function runAttack(attack: Attack): Promise<void> {
  const { prepared, input, truth } = await attackRun(attack);
  replaceOnce(TEMPLATE, attack.from, attack.to); // the edit applies
  const [real, forger] = await Promise.all([
    target(attack.optimize),
    part(`forger ${attack.title}`),
  ]);

  // 1. The honest run: accepted when the machine halts within N, unsatisfiable when it faults.
  if (typeof truth === "string") {
    const outcome = await witnessOutcome(real.wasm, input);
    expect(outcome, `the machine faults with ${truth}`).to.equal("WITNESS_FAILED");
  } else {
    const plain = await part(`honest ${attack.title}`);
    const honest = real.circuit.witnessFrom(plain.circuit.named(plain.values));
    expect(real.circuit.violated(honest)).to.deep.equal([]);
    expect(publicSignals(honest)).to.deep.equal(truth);
  }

  // 2. The forger is the circuit minus the guard (both counted at --O0: the real
  //    circuit's part is the same on every input).
  const { index } = await variants();
  const plainKey = [...index.keys()].find((k) => k.startsWith("honest "))!;
  const plain = await part(plainKey);
  expect(plain.circuit.constraintCount - forger.circuit.constraintCount).to.equal(attack.dropped);

  // 3. Without the guard the forged witness is accepted.
  expect(forger.circuit.violated(forger.values), "the forger's own R1CS").to.deep.equal([]);
  const forged = real.circuit.witnessFrom(forger.circuit.named(forger.values));

  // 4. It claims something false.
  const claimed = publicSignals(forged);
  expect(claimed).to.deep.equal(await attack.claims(prepared.hash));
  if (typeof truth !== "string") expect(claimed).to.not.deep.equal(truth);

  // 5. The real circuit rejects it.
  expect(real.circuit.violated(forged), "the circuit must reject the forgery").to.not.be.empty;
}

describe("universal circuit soundness: forged witnesses", function () {
  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-universal-soundness-"));
    // Start every build now; each test awaits what it needs.
    for (const level of ["O1", "O2"] as const) target(level).catch(() => undefined);
    variants().catch(() => undefined);
  });

  after(async function () {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  for (const attack of ATTACKS) it(attack.title, () => runAttack(attack));
});
