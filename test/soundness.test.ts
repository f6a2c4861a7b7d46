/**
 * Soundness: a malicious prover who controls the whole witness cannot make the
 * generated circuit accept what the machine (SPEC.md) would not do.
 *
 * Each attack is a FORGED witness, built as strongly as we can: not a single
 * flipped value (which breaks every constraint downstream of it) but a whole
 * execution that follows the false choice consistently, so that only the
 * constraint guarding that choice can catch it. The witness comes from a
 * "forger" circuit: the generated circuit with that one guarding constraint
 * taken out (`<==` turned into `<--`, a `===` line deleted, or a circomlib
 * gadget swapped for a copy derived from its source with one line changed)
 * and the false value computed in its place. circom's witness generator then
 * recomputes every downstream signal from the false value.
 *
 * For each attack the test checks:
 *   1. the honest witness satisfies the real circuit (or, when the machine
 *      faults, that the circuit is unsatisfiable for the input);
 *   2. the forger drops exactly the guard: its R1CS has `dropped` fewer
 *      constraints than the real circuit's, both at --O0;
 *   3. the forged witness satisfies the forger's R1CS: the circuit WITHOUT
 *      the guard accepts the attack (the mutation check: it shows that the
 *      guard is what stands between the attack and a proof);
 *   4. the forged witness claims something false (outputs the machine does
 *      not produce, or outputs at all for an execution that faults);
 *   5. the real circuit rejects it, and each violated constraint is the guard
 *      (it has the form circom's simplification gave the guard: `caughtBy`).
 *
 * Optimization levels. The target is the product, --O2, unless the attack
 * needs a signal that --O2 substitutes away: a selector, a merged stack slot
 * or memory cell defined by a linear `<==` has no wire at --O2 (it is a
 * linear form in the remaining wires), so at --O2 it cannot be forged at all
 * and the attack has to go through a product or gadget instead (also tested).
 * Those attacks target a second compile at --O1, which keeps linear
 * constraints between distinct signals. The forger is compiled at --O0, where
 * every signal has a wire, so the forged values can be carried by name onto
 * the target's wires (test/helpers/r1cs.ts, witnessFrom).
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompiledCircuit } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import { RuntimeFault } from "../src/errors.js";
import { P } from "../src/field.js";
import type { Inputs } from "../src/inputs.js";
import { loadProgram } from "../src/load.js";
import { defaultIncludePaths, type CircomOptimization } from "../src/pipeline/index.js";
import { ZKVM } from "../src/zkvm.js";
import { loadExamples } from "./helpers/examples.js";
import { collectingLogger, loadSnarkjs } from "../src/pipeline/snarkjs.js";
import { LONG_JOIN, NESTED_DO_WHILE, TWO_ARMS } from "./helpers/shapes.js";
import { ForgerBuilds, witnessOutcome, type TogetherBuild, type Variant } from "./helpers/forge.js";
import { loadCircuit, type Circuit } from "./helpers/r1cs.js";
import {
  directArtifacts,
  directExpansion,
  directNamedValues,
  directWitness,
} from "../src/direct/index.js";

const TWO_64 = 1n << 64n;

let tmp: string;
let forgeDir: string;

// ---------------------------------------------------------------------------
// Gadget sources, and forgers derived from them

/** Circom source without comments (circomlib keeps an old LessThan in a block comment). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** Every template reachable through `include` from templates/zkvm.circom, by name: its source. */
function gadgetTemplates(): Map<string, string> {
  const dirs = defaultIncludePaths();
  const templates = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    const where = dirs.map((d) => path.join(d, file)).find((p) => existsSync(p));
    if (where === undefined) throw new Error(`include not found: ${file}`);
    if (seen.has(where)) return;
    seen.add(where);
    const source = stripComments(readFileSync(where, "utf8"));
    for (const m of source.matchAll(/include\s+"([^"]+)"/g)) visit(m[1]!);
    for (const m of source.matchAll(/template\s+(\w+)\s*\([^)]*\)\s*\{/g)) {
      let depth = 0;
      let end = m.index + m[0].length - 1;
      for (; end < source.length; end++) {
        if (source[end] === "{") depth++;
        else if (source[end] === "}" && --depth === 0) break;
      }
      templates.set(m[1]!, source.slice(m.index, end + 1));
    }
  };
  visit("zkvm.circom");
  return templates;
}

/** `text` with `from` replaced by `to`; throws unless `from` occurs exactly once. */
function replaceOnce(text: string, from: string, to: string): string {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`expected one ${JSON.stringify(from)}, found ${n}`);
  return text.replace(from, () => to);
}

/**
 * A copy of a real gadget under a new name (and parameter list), with
 * line edits: each forger is its original minus one guarding constraint.
 */
function derive(
  templates: Map<string, string>,
  name: string,
  newHeader: string,
  edits: Array<[string, string]>,
): string {
  const source = templates.get(name);
  if (source === undefined) throw new Error(`no template ${name}`);
  let text = source.replace(/^template\s+\w+\s*\([^)]*\)/, `template ${newHeader}`);
  for (const [from, to] of edits) text = replaceOnce(text, from, to);
  return text;
}

/** forge.circom: the forged gadgets, each derived from the real one by the edits shown. */
function forgeLibrary(): string {
  const t = gadgetTemplates();
  return [
    "pragma circom 2.1.0;",
    // Num2Bits with bit `flip` inverted (flip = -1: none) and without `lc1 === in`.
    derive(t, "Num2Bits", "Num2BitsForged(n, flip)", [
      ["out[i] <-- (in >> i) & 1;", "out[i] <-- ((in >> i) & 1) ^ (i == flip ? 1 : 0);"],
      ["lc1 === in;", ""],
    ]),
    // LessThan reporting the opposite: bit n of in[0] + 2^n - in[1] flipped, the sum dropped.
    derive(t, "LessThan", "LessThanFlipped(n)", [["Num2Bits(n+1)", "Num2BitsForged(n+1, n)"]]),
    // IsZero whose out is `claim` for an input that is not 0 (`in*out === 0` dropped).
    derive(t, "IsZero", "IsZeroClaim(claim)", [
      ["inv <-- in!=0 ? 1/in : 0;", "inv <-- in!=0 ? (1 - claim)/in : 0;"],
      ["in*out === 0;", ""],
    ]),
    // IsZero saying 0 for the input 0 (`out <== -in*inv +1` made an assignment).
    derive(t, "IsZero", "IsZeroDenies()", [["out <== -in*inv +1;", "out <-- 0;"]]),
    derive(t, "IsEqual", "IsEqualClaim(claim)", [["IsZero()", "IsZeroClaim(claim)"]]),
    derive(t, "IsEqual", "IsEqualDenies()", [["IsZero()", "IsZeroDenies()"]]),
    derive(t, "NonZero", "NonZeroClaim(claim)", [["IsZero()(in)", "IsZeroClaim(1 - claim)(in)"]]),
    derive(t, "NonZero", "NonZeroOfZero()", [["IsZero()(in)", "IsZeroDenies()(in)"]]),
    // HighBitsZero saying the high bits are all zero when they are not.
    derive(t, "HighBitsZero", "HighBitsZeroClaim(W, k)", [
      ["IsZero()(high)", "IsZeroClaim(1)(high)"],
    ]),
    "",
  ].join("\n\n");
}

// ---------------------------------------------------------------------------
// Builds

/** circom2 builds with --inspect, forge.circom on the include path (test/helpers/forge.ts). */
const forger = new ForgerBuilds({
  root: () => tmp,
  includePaths: () => [...defaultIncludePaths(), forgeDir],
  inspect: true,
  // Per-program circuits of at most a few hundred constraints, even compiled together.
  expectedConstraints: 2_000,
});
const build = (circom: string, optimize: CircomOptimization, wasm = true) =>
  forger.build(circom, optimize, {}, { wasm });

/** The witness generator's outcome: values, or the PipelineError code. */
const witness = witnessOutcome;

/** A .wtns file (iden3 container, version 2: header, then the values as 32-byte little-endian integers). */
function wtnsFile(values: readonly bigint[]): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  const fe = (v: bigint) => {
    const b = Buffer.alloc(32);
    for (let i = 0, x = v; i < 32; i++, x >>= 8n) b[i] = Number(x & 0xffn);
    return b;
  };
  const header = Buffer.concat([u32(32), fe(P), u32(values.length)]);
  const body = Buffer.concat(values.map(fe));
  return Buffer.concat([
    Buffer.from("wtns"),
    u32(2),
    u32(2),
    u32(1),
    u64(header.length),
    header,
    u32(2),
    u64(body.length),
    body,
  ]);
}

/** snarkjs's own witness check: undefined when it accepts, else the constraint it stopped at. */
async function snarkjsCheck(
  r1csPath: string,
  values: readonly bigint[],
): Promise<number | undefined> {
  const file = path.join(
    tmp,
    `check-${createHash("sha256").update(values.join(",")).digest("hex").slice(0, 12)}.wtns`,
  );
  await fsp.writeFile(file, wtnsFile(values));
  const snarkjs = (await loadSnarkjs()) as unknown as {
    wtns: { check(r1cs: string, wtns: string, logger: unknown): Promise<boolean> };
  };
  const logger = collectingLogger();
  const ok = await snarkjs.wtns.check(r1csPath, file, logger);
  if (ok) return undefined;
  const at = logger.errors
    .map((w) => /at constraint (\d+)/.exec(w)?.[1])
    .find((m) => m !== undefined);
  if (at === undefined)
    throw new Error(
      `snarkjs rejected the witness without a constraint: ${logger.errors.join("; ")}`,
    );
  return Number(at);
}

/** What the machine does: outputs, or the fault's code. */
function machine(source: string, inputs: Inputs, steps: number): Record<string, bigint> | string {
  try {
    return new ZKVM(source).execute(inputs, { steps }).outputs;
  } catch (e) {
    if (e instanceof RuntimeFault) return e.code;
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Edits of the generated circuit

/**
 * The generated circuit with the one match of `pattern` replaced (`$1` etc.
 * for its groups); throws unless it matches exactly once, so that a change in
 * the compiler's output fails loudly instead of forging nothing.
 */
function edit(text: string, pattern: RegExp, replacement: string): string {
  const n = [...text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))].length;
  if (n !== 1) throw new Error(`${pattern} matched ${n} times in the generated circuit`);
  return text.replace(pattern, replacement);
}

/** The generated circuit with forge.circom included. */
function withForge(circom: string): string {
  return replaceOnce(
    circom,
    'include "zkvm.circom";',
    'include "zkvm.circom";\ninclude "forge.circom";',
  );
}

// ---------------------------------------------------------------------------
// Programs

const example = (name: string) => {
  const e = loadExamples().find((x) => x.name === name);
  if (e === undefined) throw new Error(`no example ${name}`);
  return e.source;
};

/** A JUMPI on a value that is not boolean (NonZero), and a gated comparison on each side. */
const BRANCH = `
.private a 0
.private c 1
.output  y 2
        LOAD c
        JUMPI big         ; c != 0: NonZero(c) splits the selector
        LOAD a
        PUSH 10
        GT                ; y = a > 10, range check gated by the fall-through's selector
        STORE y
        STOP
big:    LOAD a
        PUSH 10
        LT                ; y = a < 10, range check gated by NonZero(c)
        STORE y
        STOP
`;

/** A JUMPI inside a branch: its selector is not constant, so taken = sel * nz costs a product. */
const NESTED = `
.private c 0
.private d 1
.output  y 2
        LOAD c
        JUMPI inner
        PUSH 1
        STORE y           ; y = 1 when c = 0
        STOP
inner:  LOAD d
        JUMPI deep        ; taken = NonZero(c) * NonZero(d)
        PUSH 2
        STORE y           ; y = 2 when c != 0, d = 0
        STOP
deep:   PUSH 3
        STORE y           ; y = 3 when c != 0, d != 0
        STOP
`;

/** Two paths that meet with different values on the stack: slot 0 is merged. */
const STACK = `
.private a 0
.private c 1
.output  y 2
        LOAD a
        LOAD c
        JUMPI other
        LOAD c
        MUL               ; [a * c]
        JUMP join
other:  PUSH 5
        ADD               ; [a + 5]
        JUMP join
join:   LOAD a
        MUL               ; y = a * slot 0
        STORE y
        STOP
`;

/**
 * An if/else whose arms meet again: the join block's selector is recognised
 * as the parent's (the constant 1), so its comparison's range check is not
 * gated.
 */
const JOIN = `
.private a 0
.private c 1
.output  y 2
        LOAD a
        JUMPI big         ; NonZero(a)
        PUSH 1
        STORE y           ; y = 1 when a = 0
        JUMP join
big:    PUSH 2
        STORE y           ; y = 2 when a != 0
        JUMP join
join:   LOAD c
        PUSH 10
        LT                ; c < 10 (faults if c >= 2^64), in the join block
        LOAD y
        ADD
        STORE y           ; y += c < 10
        STOP
`;

/**
 * A path fact on each edge of `k > 0`: on the taken edge k >= 1, so k - 1
 * (k plus p - 1) stays below 2^64 and is compared without a range check; on
 * the fall-through k == 0 and k - 1 = p - 1, whose comparison faults.
 */
const EDGE_FACTS = `
.public  k 0
.output  y 1
        LOAD k
        PUSH 0
        GT                ; k > 0 (k range checked)
        JUMPI pos
        LOAD k            ; k == 0 here
        PUSH -1
        ADD               ; k - 1 = p - 1
        PUSH 3
        LT                ; faults: the range check of k - 1 must stay
        STORE y
        STOP
pos:    LOAD k            ; k >= 1 here
        PUSH -1
        ADD               ; k - 1 in [0, 2^64 - 2]: no range check
        PUSH 3
        LT
        STORE y
        STOP
`;

/**
 * What --O2 leaves of LONG_JOIN's pruned-edge flow line `taken === 0` (issue
 * 17): taken = NonZero(a) * NonZero(b), with NonZero(a) = out_z, so the line
 * is (-out_z) * (nz) = 0; and the output y = 7 * (1 - out_z + taken) with
 * taken substituted by 0.
 */
const PRUNED_CAUGHT_BY =
  /^\(-main\.out_z\) \* \(main\.nz\d+\) = \(0\)$|^\(0\) \* \(0\) = \(7 -main\.out_y -7\*main\.out_z\)$/;

/**
 * Closed-form loops (src/compiler/closedform.ts): while s < t { s += x; i += 1 }
 * with s starting at an input, and while s != t { s += c; i += 1 } (an EQ
 * exit). At N = 64 each is lowered in closed form, K = 4 iterations.
 */
const SUM_FROM = `
.private x 0
.public  t 1
.public  s0 2
.output  s 2
.output  i 3
loop:   LOAD s0
        LOAD t
        LT
        JUMPI body
        STOP
body:   LOAD s0
        LOAD x
        ADD
        STORE s0
        LOAD i
        PUSH 1
        ADD
        STORE i
        JUMP loop
`;
const REACH = `
.private c 0
.public  t 1
.public  s0 2
.output  s 2
.output  i 3
loop:   LOAD s0
        LOAD t
        EQ
        JUMPI done
        LOAD s0
        LOAD c
        ADD
        STORE s0
        LOAD i
        PUSH 1
        ADD
        STORE i
        JUMP loop
done:   STOP
`;
/** The closed-form loop's trip count hint made `k` (a forged run). */
const tripHint = (c: string, k: string) => edit(c, /^(\s*)cf_k <-- .*;$/m, `$1cf_k <-- ${k};`);
/** A closed-form range check `cf_<name>` without its `lc1 === in`. */
const forgedRange = (c: string, name: string) =>
  edit(
    c,
    new RegExp(`component cf_${name} = Num2Bits\\((\\d+)\\);`),
    `component cf_${name} = Num2BitsForged($1, -1);`,
  );

const benchProgram = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../bench/programs/${name}.zkasm`, import.meta.url)), "utf8");

// ---------------------------------------------------------------------------
// Attacks

interface Attack {
  /** What is attacked, and the guarding constraint that catches it (the test's title). */
  readonly title: string;
  readonly program: string;
  readonly steps: number;
  readonly inputs: Inputs;
  /** Target level (default --O2, the product). */
  readonly optimize?: "O1" | "O2";
  /** The generated circuit (with forge.circom included) → the forger. */
  forge(circom: string): string;
  /** Constraints the forger drops: the guard, nothing else. */
  readonly dropped: number;
  /**
   * Every violated constraint of the target, as `Circuit.show` prints it,
   * matches this: the guard, in the form circom's simplification gave it.
   */
  readonly caughtBy: RegExp;
  /** The outputs the forged witness claims. */
  readonly claims: Record<string, bigint>;
}

/** A constraint `b * (b - 1) = 0` (or any `... = (0)`) mentioning every one of `names`. */
const zeroMentioning = (...names: string[]) =>
  new RegExp(`^${names.map((n) => `(?=.*${n})`).join("")}.* = \\(0\\)$`);

/** BRANCH's range check on `a` in the block selected by NonZero(c) (`big`). */
const bigRangeCheck = (circom: string): string => {
  const gated = /signal (gated\d+) <== \(nz\d+\) \* \(in_a\);/.exec(circom)?.[1];
  const range = new RegExp(`component (range\\d+) = Num2Bits\\(64\\); \\1\\.in <== ${gated};`);
  const name = gated === undefined ? undefined : range.exec(circom)?.[1];
  if (name === undefined) throw new Error("no range check gated by NonZero(c)");
  return name;
};

// Each attack names its guard: the generated line (or the gadget line) it
// removes, and, in `caughtBy`, the constraint that rejects the forgery in the
// real circuit, as --O2 (or --O1) left it: linear constraints are substituted
// into the products that use their signals, so a guard may appear merged.
const ATTACKS: Record<string, Attack[]> = {
  "(a) a different output": [
    {
      title: "y = x^3 + x + 5 claimed 36 for x = 3: the output line `out_y <== in_x + v1 + 5`",
      program: example("cubic"),
      steps: 16,
      inputs: { x: "3" },
      // Guard: `out_y <== in_x + v1 + 5;`. --O2 substitutes v1 = out_y - in_x - 5
      // into `v1 <== v0 * in_x`: (-v0) * (in_x) = (5 - out_y + in_x).
      forge: (c) => edit(c, /^(\s*)out_y <== (.+);$/m, "$1out_y <-- $2 + 1;"),
      dropped: 1,
      caughtBy: /^\(-main\.v\d+\) \* \(main\.in_x\) = \(5 -main\.out_y \+main\.in_x\)$/,
      claims: { y: 36n },
    },
  ],
  "(b) a flipped JUMPI": [
    {
      title: "c = 5 claimed zero (not taken): IsZero's `in*out === 0` in `nz <== NonZero()(in_c)`",
      program: BRANCH,
      steps: 8,
      inputs: { a: "3", c: "5" },
      // Guard: circomlib IsZero `in*out === 0`, inside NonZero (out = 1 - isZero):
      // (in_c) * (1 - nz) = 0.
      forge: (c) => edit(c, /NonZero\(\)\(in_c\)/, "NonZeroClaim(0)(in_c)"),
      dropped: 1,
      caughtBy: /^\(main\.in_c\) \* \(1 -main\.nz\d+\) = \(0\)$/,
      claims: { y: 0n },
    },
    {
      title: "c = 0 claimed non-zero (taken): IsZero's `out <== -in*inv + 1` in NonZero",
      program: BRANCH,
      steps: 8,
      inputs: { a: "3", c: "0" },
      // Guard: circomlib IsZero `out <== -in*inv +1`: (in_c) * (inv) = (nz).
      forge: (c) => edit(c, /NonZero\(\)\(in_c\)/, "NonZeroOfZero()(in_c)"),
      dropped: 1,
      caughtBy:
        /^\(main\.in_c\) \* \(main\.NonZero_\d+_\d+\.IsZero_\d+_\d+\.inv\) = \(main\.nz\d+\)$/,
      claims: { y: 1n },
    },
    {
      title: "a running block's jump not taken: the selector product `taken <== (sel) * (nz)`",
      program: NESTED,
      steps: 9,
      inputs: { c: "1", d: "1" },
      // Guard: the generated `signal taken2 <== (nz0) * (nz1);`. --O2 writes taken2
      // through the output (out_y <== nz0 + taken2 + 1): (-nz0) * (nz1) = (1 - out_y + nz0).
      forge: (c) => edit(c, /signal (taken\d+) <== \(nz\d+\) \* \(nz\d+\);/, "signal $1 <-- 0;"),
      dropped: 1,
      caughtBy: /^\(-main\.nz\d+\) \* \(main\.nz\d+\) = \(1 -main\.out_y \+main\.nz\d+\)$/,
      claims: { y: 2n },
    },
    {
      title:
        "a block that does not run jumps anyway: the selector product `taken <== (sel) * (nz)`",
      program: NESTED,
      steps: 9,
      inputs: { c: "0", d: "1" },
      // Guard: the same line; the selector is 0, the forger says taken = 1.
      forge: (c) => edit(c, /signal (taken\d+) <== \(nz\d+\) \* \(nz\d+\);/, "signal $1 <-- 1;"),
      dropped: 1,
      caughtBy: /^\(-main\.nz\d+\) \* \(main\.nz\d+\) = \(1 -main\.out_y \+main\.nz\d+\)$/,
      claims: { y: 2n },
    },
  ],
  "(c) a wrong comparison": [
    {
      title:
        "EQ says n == 0 for n = 2 (39 steps, over N = 26; the loop is skipped): IsEqual's IsZero `in*out === 0`",
      program: example("countdown"),
      steps: 26,
      inputs: { x: "7", n: "2" },
      // Guard: IsZero `in*out === 0` in `eq1 <== IsEqual()([in_n, 0])`: (-in_n) * (eq1) = 0.
      // (With n = 1 the flow line catches it too: the exits [n == 0] and [n - 1 == 0]
      // are taken without a product, lower.ts `product`, and both would be 1.)
      forge: (c) => edit(c, /IsEqual\(\)\(\[in_n, 0\]\)/, "IsEqualClaim(1)([in_n, 0])"),
      dropped: 1,
      caughtBy: /^\(-main\.in_n\) \* \(main\.eq\d+\) = \(0\)$/,
      claims: { y: 0n, same: 0n },
    },
    {
      title: "EQ says 7 != 7: IsEqual's IsZero `out <== -in*inv + 1`",
      program: example("countdown"),
      steps: 26,
      inputs: { x: "7", n: "1" },
      // Guard: IsZero `out <== -in*inv +1` in the final `eq7 <== IsEqual()([mem_3_c2, mem_3_c3])`:
      // (in) * (inv) = (1 - eq7), `in` written over the wires it was substituted by.
      forge: (c) =>
        edit(c, /IsEqual\(\)\(\[(mem_\d+_c2), (mem_\d+_c3)\]\)/, "IsEqualDenies()([$1, $2])"),
      dropped: 1,
      caughtBy: /\* \(main\.IsEqual_\d+_\d+\.isz\.inv\) = \(1 -main\.eq\d+\)$/,
      claims: { y: 7n, same: 0n },
    },
    {
      title: "GT says 3 > 7: LessThan's Num2Bits sum `lc1 === in` (bits of in[0] + 2^k - in[1])",
      program: example("max"),
      steps: 8,
      inputs: { a: "3", b: "7" },
      // Guard: circomlib Num2Bits `lc1 === in` in `lt2 <== LessThan(64)([in_b, in_a])`;
      // --O2 uses it to eliminate a bit, so it appears as that bit's b * (b - 1) = 0.
      forge: (c) =>
        edit(c, /LessThan\(64\)\(\[in_b, in_a\]\)/, "LessThanFlipped(64)([in_b, in_a])"),
      dropped: 1,
      caughtBy: zeroMentioning(
        "main\\.in_a ",
        "main\\.in_b ",
        "main\\.LessThan_\\d+_\\d+\\.n2b\\.out",
      ),
      claims: { m: 3n },
    },
    {
      title: "LT says 3 >= 10: the Num2Bits sum of LessThan(k) on the range check's low bits",
      program: BRANCH,
      steps: 8,
      inputs: { a: "3", c: "5" },
      // a < 10 with a range-checked: a's high bits are zero (HighBitsZero) and its low
      // 4 bits are below 10. Guard: Num2Bits `lc1 === in` of the generated
      // `signal ltlow8 <== LessThan(4)([range6_lo4, 10]);`.
      forge: (c) =>
        edit(c, /LessThan\((\d+)\)\(\[(range\d+_lo\d+), 10\]\)/, "LessThanFlipped($1)([$2, 10])"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.LessThan_\\d+_\\d+\\.n2b\\.out"),
      claims: { y: 0n },
    },
    {
      title: "LT says 100 < 10 (high bits ignored): HighBitsZero's IsZero `in*out === 0`",
      program: BRANCH,
      steps: 8,
      inputs: { a: "100", c: "5" },
      // Guard: IsZero `in*out === 0` in the generated
      // `signal range6_hz4 <== HighBitsZero(64, 4)(range6.out);`: (high) * (range6_hz4) = 0.
      forge: (c) => {
        const range = bigRangeCheck(c);
        return edit(
          c,
          new RegExp(`HighBitsZero\\((\\d+, \\d+)\\)\\(${range}\\.out\\)`),
          `HighBitsZeroClaim($1)(${range}.out)`,
        );
      },
      dropped: 1,
      caughtBy: /\* \(main\.range\d+_hz\d+\) = \(0\)$/,
      claims: { y: 1n },
    },
    {
      title: "GT says 3 > 10: the Num2Bits sum of LessThan(k) on the range check's low bits",
      program: BRANCH,
      steps: 8,
      inputs: { a: "3", c: "0" },
      // a > 10: a high bit is set, or the low 4 bits are above 10. Guard: Num2Bits
      // `lc1 === in` of the generated `signal gtlow4 <== LessThan(4)([10, range2_lo4]);`.
      forge: (c) =>
        edit(c, /LessThan\((\d+)\)\(\[10, (range\d+_lo\d+)\]\)/, "LessThanFlipped($1)([10, $2])"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.LessThan_\\d+_\\d+\\.n2b\\.out"),
      claims: { y: 1n },
    },
  ],
  "(d) halting late, or without STOP": [
    {
      title: "outputs after 37 steps with N = 36: `within_bound === 1` (the step counter)",
      program: TWO_ARMS,
      steps: 36,
      inputs: { a: "1" },
      // Guard: the generated `within_bound === 1;` after
      // `signal within_bound <== LessThan(k)([steps_executed, N + 1]);`. --O2 substitutes
      // it into the LessThan's bits: a bit's b * (b - 1) = 0 over the selectors.
      forge: (c) => edit(c, /^\s*within_bound === 1;\n/m, ""),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.nz\\d+", "main\\.LessThan_\\d+_\\d+\\.n2b\\.out"),
      claims: { y: 3n },
    },
    {
      title:
        "a loop that cannot finish in N = 20 steps claims to halt without STOP: the flow line `sel - taken === 0`",
      program: example("sum"),
      steps: 20,
      inputs: { n: "2" },
      // Guard: the generated `nz0 - taken3 === 0; // block 2 cannot reach STOP
      // within N steps from here`. The loop tests are equalities (n != 0, then
      // n != 1 with n >= 1 known on that path): --O2 substitutes taken3 = nz0 into
      // `taken3 <== (nz0) * (-nz2 + 1)`: (-1 + nz2) * (nz0) = (-nz0).
      forge: (c) => edit(c, /^.* === 0; \/\/ block \d+ cannot reach STOP.*\n/m, ""),
      dropped: 1,
      caughtBy: /^\(-1 \+main\.nz\d+\) \* \(main\.nz\d+\) = \(-main\.nz\d+\)$/,
      claims: { total: 2n },
    },
  ],
  "(d') a flow along a schedule-pruned edge (issue 17)": [
    {
      title:
        "a = 1, b = 1 joins after 10 instructions (15 steps) with N = 12: the flow line `taken === 0` of the pruned edge into a candidate",
      program: LONG_JOIN,
      steps: 12,
      inputs: { a: "1", b: "1" },
      // `join` is a candidate at block step 2 through the short arm, but the
      // long arm's edge into it is pruned: 8 + 5 > 12. Guard: the generated
      // `... === 0; // no run through this edge into block N halts within N
      // steps (pruned edge)` on the long arm's taken flow. Without it the
      // forged run reaches `join` and claims y = 7, z = 1, which no input
      // reaches within 12 steps.
      forge: (c) => edit(c, /^.* === 0; \/\/ no run through this edge .*\n/m, ""),
      dropped: 1,
      caughtBy: PRUNED_CAUGHT_BY,
      claims: { y: 7n, z: 1n },
    },
  ],
  "(e) a comparison operand of 2^W or more": [
    {
      title: "a = 2^64 compared in the selected block: the gated range check's Num2Bits sum",
      program: BRANCH,
      steps: 8,
      inputs: { a: TWO_64.toString(), c: "5" },
      // Guard: `lc1 === in` of the generated `component range6 = Num2Bits(64);
      // range6.in <== gated5;` (gated5 <== nz0 * in_a). --O2 eliminates a bit with
      // it, so every constraint on that bit now carries gated5.
      forge: (c) => {
        const range = bigRangeCheck(c);
        return edit(
          c,
          new RegExp(`component ${range} = Num2Bits\\(64\\);`),
          `component ${range} = Num2BitsForged(64, -1);`,
        );
      },
      dropped: 1,
      caughtBy: zeroMentioning("main\\.gated\\d+"),
      claims: { y: 1n },
    },
    {
      title: "a = 2^64 compared at step 0: the unconditional range check's Num2Bits sum",
      program: example("max"),
      steps: 8,
      inputs: { a: TWO_64.toString(), b: "1" },
      // Guard: `lc1 === in` of `component range1 = Num2Bits(64); range1.in <== in_a;`.
      forge: (c) =>
        edit(
          c,
          /component (range\d+) = Num2Bits\(64\); (range\d+\.in <== in_a;)/,
          "component $1 = Num2BitsForged(64, -1); $2",
        ),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.in_a ", "main\\.range\\d+\\.out"),
      claims: { m: TWO_64 },
    },
  ],
  "(f) a stack slot or memory cell changed between steps": [
    {
      title: "total changed at a merge: the mix product `mix <== (sel) * (val - base)`",
      program: example("sum"),
      steps: 40,
      inputs: { n: "1" },
      // Guard: the generated `signal mix1 <== (-nz0 + 1) * (-in_n);` (total = in_n + mix1).
      forge: (c) =>
        edit(c, /signal (mix\d+) <== (\(-nz\d+ \+ 1\) \* \(-in_n\));/, "signal $1 <-- $2 + 1;"),
      dropped: 1,
      caughtBy: /^\(-1 \+main\.nz\d+\) \* \(-main\.in_n\) = \(-main\.mix\d+\)$/,
      claims: { total: 2n },
    },
    {
      title: "(--O1) total changed at a merge: the merge line `mem_t_c1 <== in_n + mix`",
      program: example("sum"),
      steps: 40,
      inputs: { n: "1" },
      optimize: "O1",
      // Guard: the generated `signal mem_3_c1 <== in_n + mix3;`. Linear, so at --O2
      // the cell has no wire and can only change through the product mix3 (above).
      forge: (c) => edit(c, /signal (mem_\d+_c1) <== (in_n \+ mix\d+);/, "signal $1 <-- $2 + 1;"),
      dropped: 1,
      caughtBy: /^\(0\) \* \(0\) = \((?=.*main\.mem_\d+_c1).*main\.in_n .*\)$/,
      claims: { total: 2n },
    },
    {
      title: "(--O1) stack slot 0 changed where two paths meet: `stk_t_0 <== mix + v`",
      program: STACK,
      steps: 10,
      inputs: { a: "3", c: "2" },
      optimize: "O1",
      // Guard: the generated `signal stk_2_0 <== mix2 + v1;` (linear: no wire at --O2,
      // where the slot can only change through the product mix2).
      forge: (c) => edit(c, /signal (stk_\d+_0) <== (.+);/, "signal $1 <-- $2 + 1;"),
      dropped: 1,
      caughtBy: /^\(0\) \* \(0\) = \(main\.v\d+ \+main\.mix\d+ -main\.stk_\d+_0\)$/,
      claims: { y: 27n },
    },
  ],
  "(g) two candidates selected at one step, or none": [
    {
      title:
        "both branches with weights 2 and -1 (condition claimed 2): IsZero's `in*out === 0` in NonZero",
      program: NESTED,
      steps: 9,
      inputs: { c: "5", d: "1" },
      // At --O2 the selectors are linear forms in the taken/nz wires that sum to 1
      // identically; two at once needs a condition that is not boolean. Guard: IsZero
      // `in*out === 0` in `nz0 <== NonZero()(in_c)`: (in_c) * (1 - nz0) = 0.
      forge: (c) => edit(c, /NonZero\(\)\(in_c\)/, "NonZeroClaim(2)(in_c)"),
      dropped: 1,
      caughtBy: /^\(main\.in_c\) \* \(1 -main\.nz\d+\) = \(0\)$/,
      claims: { y: 5n },
    },
  ],
  "(i) path facts and loop exits": [
    {
      title:
        "k = 0 claims y after comparing k - 1 = p - 1: the fall-through's range check (the taken edge's k >= 1 does not hold there)",
      program: EDGE_FACTS,
      steps: 12,
      inputs: { k: "0" },
      // Guard: `lc1 === in` of the generated `component rangeN = Num2Bits(64);
      // rangeN.in <== gatedM;` with gatedM <== (-nz0 + 1) * (in_k - 1), the
      // fall-through's check. Were the taken edge's fact used here, it would be gone.
      forge: (c) => {
        const gated = /signal (gated\d+) <== \(-nz\d+ \+ 1\) \* \(in_k - 1\);/.exec(c)?.[1];
        if (gated === undefined) throw new Error("no gated k - 1 on the fall-through");
        return edit(
          c,
          new RegExp(`component (range\\d+) = Num2Bits\\(64\\); (range\\d+\\.in <== ${gated};)`),
          "component $1 = Num2BitsForged(64, -1); $2",
        );
      },
      dropped: 1,
      // --O2 eliminates a bit with it: every constraint on that bit carries gatedM.
      caughtBy: /main\.gated\d+ /,
      claims: { y: 0n },
    },
    {
      title:
        "the count-down loop exits at the wrong iteration (e = 3, over N; one multiplication claimed): NonZero(k)'s IsZero `in*out === 0`",
      program: benchProgram("pow_down"),
      steps: 35,
      inputs: { x: "3", e: "3" },
      // The exit test k > 0 with k = e - 1 known to be in [0, 2^64 - 2] is NonZero(k).
      // "Still running" is Σ NonZero(e - v) - j (lower.ts, `exclusions`), so a false
      // exit beside the true one (e = 2) breaks the flow line; e = 3 has no exit
      // within N. Guard: IsZero `in*out === 0` in `nzN <== NonZero()(in_e - 1)`.
      forge: (c) => edit(c, /NonZero\(\)\(in_e - 1\)/, "NonZeroClaim(0)(in_e - 1)"),
      dropped: 1,
      caughtBy: /main\.in_e.*\) \* \(1 -main\.nz\d+\) = \(0\)$/,
      claims: { y: 3n },
    },
  ],
  "(m) products of NonZero tests of one value against distinct constants are linear": [
    {
      title:
        "eq_branch with n = 6 (113 steps, over N = 100) claims an exit at i = 4: NonZero(in_n - 4)'s IsZero `in*out === 0`",
      program: benchProgram("eq_branch"),
      steps: 100,
      inputs: { n: "6", x: "3", t: "3" },
      // The loop's test i < n, with n assumed below 2^64, is NonZero(n - i), and
      // "still running" Π_{v <= i} NonZero(n - v) is the linear Σ NonZero - i
      // (lower.ts, `exclusions`: at most one NonZero of one value against distinct
      // constants is 0), also across the join of the body's if/else, where the
      // arms' selectors sel_b3 + taken are unfolded back to it (`unfoldSelectors`).
      // That holds only when each NonZero is exact. Guard: IsZero `in*out === 0`
      // in `nzN <== NonZero()(in_n - 4)`.
      forge: (c) => edit(c, /NonZero\(\)\(in_n - 4\)/, "NonZeroClaim(0)(in_n - 4)"),
      dropped: 1,
      caughtBy: /main\.in_n.*\) \* \(1 -main\.nz\d+\) = \(0\)$/,
      claims: { y: 9n },
    },
  ],
  "(n) an EQ exit times still running is the IsEqual alone": [
    {
      title:
        "countdown with n = 2 (39 steps, over N = 26) claims an exit at n - 1 == 0: IsEqual(in_n - 1, 0)'s IsZero `in*out === 0`",
      program: example("countdown"),
      steps: 26,
      inputs: { x: "7", n: "2" },
      // The loop exits when n - j == 0 (IsEqual). "Still running" before test j
      // is 1 - Σ_{i<j} [n == i], so the exit taken at j is [n == j] itself, no
      // product (lower.ts, `product`: at most one [n == i] holds; factorial's
      // loop is lowered the same way). That holds only when each IsEqual is
      // exact. Guard: IsZero `in*out === 0` in `eqN <== IsEqual()([in_n - 1, 0])`.
      // The circuit is the one section (c) attacks: its builds are shared.
      forge: (c) => edit(c, /IsEqual\(\)\(\[in_n - 1, 0\]\)/, "IsEqualClaim(1)([in_n - 1, 0])"),
      dropped: 1,
      // --O2 substitutes eqN = 1 - eq1 (the flow line after the last test) into it.
      caughtBy: /^\(1 -main\.in_n\) \* \((?:main\.eq\d+|1 -main\.eq\d+)\) = \(0\)$/,
      claims: { y: 7n, same: 0n },
    },
  ],
  "(j) a comparison operand pinned by the loop exit instead of range checked": [
    {
      title:
        "k = 2^64 where a halting path does not pin k (its first test 0 < k is NonZero(k)): the range check of k after the last step",
      program: EDGE_FACTS,
      steps: 12,
      inputs: { k: TWO_64.toString() },
      // The run through `pos` halts without an equality pinning k, so k's range
      // check is not left to the exits: it is emitted after the last block step.
      // Guard: `lc1 === in` of that `component rangeN = Num2Bits(64); rangeN.in <== in_k;`.
      forge: (c) =>
        edit(
          c,
          /component (range\d+) = Num2Bits\(64\); (range\d+\.in <== in_k;)/,
          "component $1 = Num2BitsForged(64, -1); $2",
        ),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.in_k "),
      claims: { y: 0n },
    },
    {
      title:
        "e = 2^64 in the count-down loop (its first test 0 < e is NonZero(e), unchecked): the loop never exits, the flow line `taken === 0`",
      program: benchProgram("pow_down"),
      steps: 35,
      inputs: { x: "3", e: TWO_64.toString() },
      // e is assumed below 2^64 at the first test because every halting path exits
      // the loop at the iteration j where e - j == 0, which pins e = j. For e = 2^64
      // no exit happens. Guard: the generated `nz0 + nz2 + nz5 - 2 === 0; // block 3
      // cannot reach STOP within N steps from here` after the last test NonZero(e - 2)
      // ("still running" is linear: lower.ts, `exclusions`). --O2 substitutes it
      // into that NonZero's IsZero constraints.
      forge: (c) => edit(c, /^.* === 0; \/\/ block \d+ cannot reach STOP.*\n/m, ""),
      dropped: 1,
      caughtBy:
        /^\(-2 \+main\.in_e\) \* \((?:main\.NonZero_\d+_\d+\.IsZero_\d+_\d+\.inv|-1 \+main\.nz0 \+main\.nz\d+)\) = \((?:2 -main\.nz0 -main\.nz\d+|0)\)$/,
      claims: { y: 9n },
    },
  ],
  "(k) lowering by control path: the control input one-hot over the values that halt": [
    {
      title:
        "nested with n = 3 (does not halt within N = 95): every hit is 0, the one-hot line `hit0 + hit1 + hit2 === 1`",
      program: benchProgram("nested"),
      steps: 95,
      inputs: { x: "3", n: "3" },
      // The control flow depends on n alone, so the circuit is lowered by path
      // (src/compiler/paths.ts): n ∈ {0, 1, 2}, the values whose run halts, by
      // one-hot IsEqual. Guard: the generated `hit0 + hit1 + hit2 === 1;`. --O2
      // substitutes it for hit2 = 1 - hit0 - hit1 in every constraint on hit2.
      forge: (c) => edit(c, /^.* === 1; \/\/ n halts within N.*\n/m, ""),
      dropped: 1,
      caughtBy: /\(1 -main\.hit0 -main\.hit1\)|= \(main\.hit0 \+main\.hit1\)$/,
      claims: { y: 0n },
    },
    {
      title:
        "nested with n = 2^64 (its LT faults; no range check in the circuit): the same one-hot line",
      program: benchProgram("nested"),
      steps: 95,
      inputs: { x: "3", n: TWO_64.toString() },
      // No comparison is range checked: n ∈ {0, 1, 2} (one-hot) is what rules out n >= 2^64.
      forge: (c) => edit(c, /^.* === 1; \/\/ n halts within N.*\n/m, ""),
      dropped: 1,
      caughtBy: /\(1 -main\.hit0 -main\.hit1\)|= \(main\.hit0 \+main\.hit1\)$/,
      claims: { y: 0n },
    },
    {
      title:
        "nested with n = 2 taking n = 1's path (exits the inner loop one iteration early): IsEqual(n, 1)'s IsZero `in*out === 0`",
      program: benchProgram("nested"),
      steps: 95,
      inputs: { x: "3", n: "2" },
      // hit1 claims n == 1 and hit2 denies n == 2, so the one-hot line holds and
      // the selectors follow n = 1's path (y = 0 instead of x + 1 = 4). Guards:
      // IsZero `in*out === 0` of hit1 and `out <== -in*inv + 1` of hit2 (with
      // hit2 = 1 - hit0 - hit1 substituted by --O2).
      forge: (c) =>
        edit(
          edit(c, /IsEqual\(\)\(\[in_n, 1\]\)/, "IsEqualClaim(1)([in_n, 1])"),
          /IsEqual\(\)\(\[in_n, 2\]\)/,
          "IsEqualDenies()([in_n, 2])",
        ),
      dropped: 2,
      caughtBy:
        /^\(1 -main\.in_n\) \* \(main\.hit1\) = \(0\)$|^\(2 -main\.in_n\) \* \(main\.IsEqual_\d+_\d+\.isz\.inv\) = \(main\.hit0 \+main\.hit1\)$/,
      claims: { y: 0n },
    },
  ],
  "(l) lowering by path over several control inputs: one STOP node runs": [
    {
      title:
        "nested2 with n = 2, m = 3 (5 + 15n + 17nm = 137 steps, over N = 100; both in their one-hots): the STOP line `... === 1`",
      program: benchProgram("nested2"),
      steps: 100,
      inputs: { x: "3", n: "2", m: "3" },
      // The control flow depends on n and m (src/compiler/paths.ts, planMany):
      // n is one of 0..6 and m one of 0..4 or any other value, but not every
      // pair halts. Guard: the STOP nodes' selectors, exact on every pair the
      // one-hots allow, sum to 1, which holds only for the pairs that halt.
      forge: (c) => edit(c, /^.* === 1; \/\/ \(n, m\) is one of.*\n/m, ""),
      dropped: 1,
      caughtBy: /main\.hit/,
      claims: { s: 12n },
    },
    {
      title:
        "nested2 at N = 256 with n = 2, m = 13 (477 steps): the step bound `within === 1` (E = 5 + 15n + 17nm by one LessThan)",
      program: benchProgram("nested2"),
      steps: 256,
      inputs: { x: "3", n: "2", m: "13" },
      // At N = 256 the halting pairs are asserted by one bound on the step
      // count (paths.ts, stepBound: fitted, then checked on every class
      // tuple) instead of the STOP line. Guard: `within === 1`.
      forge: (c) => edit(c, /^\s*within\d+ === 1;\n/m, ""),
      dropped: 1,
      // --O2 substitutes within = 1 - (LessThan's top bit): that bit's boolean constraint catches it.
      caughtBy: zeroMentioning("main\\.hit0", "main\\.hit1"),
      claims: { s: 137n },
    },
    {
      title:
        "nested2 at N = 256 with n = 1, m = 2^64 (m's LT faults; m's rest class): the rest box `rest === rest * (n = 0)`",
      program: benchProgram("nested2"),
      steps: 256,
      inputs: { x: "3", n: "1", m: TWO_64.toString() },
      // m's class "every other value" halts only with n = 0 (the inner loop
      // never runs). Its value in E is 0, so E = 20 <= N: the guard is the
      // rest box, rest * (1 - hit(n = 0)) === 0.
      forge: (c) => edit(c, /^.* \/\/ m is another value only where that run halts\n/m, ""),
      dropped: 1,
      caughtBy: /main\.hit0/,
      claims: { s: 273n },
    },
    {
      title:
        "seq2 at N = 128 with n = 5, m = 4 (12 + 13(n + m) = 129 steps): the step bound divided by 13, `n + m < 9` by LessThan(5)",
      program: benchProgram("seq2"),
      steps: 128,
      inputs: { x: "2", n: "5", m: "4" },
      // E = 12 + 13n + 13m <= 128 is compared as E' = n + m <= (128 - 12) / 13 = 8
      // rounded down (paths.ts, stepBound: every coefficient a multiple of 13).
      // Both n and m are in their one-hots (0..8), but the pair does not halt.
      // Guard: `within === 1`.
      forge: (c) => edit(c, /^\s*within\d+ === 1;\n/m, ""),
      dropped: 1,
      // --O2 substitutes within = 1 - (LessThan's top bit): that bit's boolean constraint catches it.
      caughtBy: zeroMentioning("main\\.hit1"),
      claims: { b: 128n },
    },
    {
      title:
        "branchy at N = 64 with n = 1, t = 2^64 (t's LT faults; t's rest class is compared): the range check `Num2Bits(64)` of t gated by n != 0",
      program: benchProgram("branchy"),
      steps: 64,
      inputs: { n: "1", x: "3", t: TWO_64.toString() },
      // t's class "every other value" halts, and for n >= 1 the loop body
      // compares it (i < t): those runs take the path of a large t only when
      // t < 2^64. Guard: `lc1 === in` of the range check of t gated by the
      // tuples that compare it (paths.ts, PathPlan.ranged).
      forge: (c) =>
        edit(
          c,
          /component (rangeRest\d+) = Num2Bits\(64\); (rangeRest\d+\.in <== -compared\d+ \+ in_t;)/,
          "component $1 = Num2BitsForged(64, -1); $2",
        ),
      dropped: 1,
      // --O2 eliminates a bit with it: every constraint on that bit carries in_t.
      caughtBy: zeroMentioning("main\\.in_t "),
      claims: { b: 0n },
    },
    {
      title:
        "branchy at N = 64 with n = 4 (79 steps): the output is the last b, not merged over the STOP nodes; the one-hot line `hit0 + ... + hit3 === 1`",
      program: benchProgram("branchy"),
      steps: 64,
      inputs: { n: "4", x: "3", t: "0" },
      // b is written only under selectors that are 0 on the tuples where an
      // earlier STOP ran, so on every halting tuple the last b is the b at its
      // STOP node and the outputs are not merged (paths.ts, `merge` and
      // `reduce`). That needs the selectors exact, i.e. the run's tuple among
      // the halting ones. Guard: the one-hot line of n (n = 4 is in no class).
      forge: (c) => edit(c, /^.* === 1; \/\/ n halts within N.*\n/m, ""),
      dropped: 1,
      caughtBy: /main\.hit/,
      claims: { b: 1n },
    },
  ],
  "(h) a check in a join block": [
    {
      title:
        "c = 2^64 compared after an if/else: the join's selector is the constant 1, its range check `Num2Bits(64)` on in_c",
      program: JOIN,
      steps: 12,
      inputs: { a: "1", c: TWO_64.toString() },
      // The join block's selector is nz0 + (1 - nz0) = 1, so its range check of c is
      // unconditional (and remembered). Guard: `lc1 === in` of the generated
      // `component rangeN = Num2Bits(64); rangeN.in <== in_c;`.
      forge: (c) =>
        edit(
          c,
          /component (range\d+) = Num2Bits\(64\); (range\d+\.in <== in_c;)/,
          "component $1 = Num2BitsForged(64, -1); $2",
        ),
      dropped: 1,
      // --O2 eliminates a bit with it: every constraint on that bit carries in_c.
      caughtBy: zeroMentioning("main\\.in_c "),
      claims: { y: 3n },
    },
  ],
  "(i) a closed-form loop's trip count": [
    {
      title:
        "k = 5 > K = 4 iterations (the run exceeds N = 64): k's upper bound `Num2Bits(3)` of K - k",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: "1", t: "5", s0: "0" },
      // The honest hint is K + 1 = 5 (no run within N); the range check of K - k goes.
      forge: (c) => forgedRange(c, "kmax"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.out_i ", "main\\.cf_kmax\\.out"),
      claims: { s: 5n, i: 5n },
    },
    {
      title: "t = p - 1 (test 0 faults): the bound's range check `Num2Bits(64)` of in_t",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: "1", t: (P - 1n).toString(), s0: "0" },
      forge: (c) => forgedRange(c, "t"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.in_t ", "main\\.cf_t\\.out"),
      claims: { s: 0n, i: 0n },
    },
    {
      title: "s_0 = p - 1 (test 0 faults): the start's range check `Num2Bits(64)` of in_s0",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: "2", t: "1", s0: (P - 1n).toString() },
      // k = 1: s_1 = p - 1 + 2 = 1 >= t, and s_0 = p - 1 passes LessThan(64) as -1 < 1.
      forge: (c) => forgedRange(c, "s0"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.in_s0 ", "main\\.cf_s0\\.out"),
      claims: { s: 1n, i: 1n },
    },
    {
      title: "s_2 = 2^64 (test 2 faults): the last value's range check `Num2Bits(64)` of s_k",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: (1n << 63n).toString(), t: ((1n << 63n) + 1n).toString(), s0: "0" },
      forge: (c) => forgedRange(c, "last"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.out_s ", "main\\.cf_last\\.out"),
      claims: { s: TWO_64, i: 2n },
    },
    {
      title: "k = 1 for a run of 3 iterations: the exit test `cf_exit === 1` (not s_k < t)",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: "1", t: "3", s0: "0" },
      forge: (c) => edit(tripHint(c, "1"), /^\s*cf_exit === 1;\n/m, ""),
      dropped: 1,
      caughtBy: zeroMentioning(
        "main\\.out_s ",
        "main\\.in_t ",
        "main\\.LessThan_\\d+_\\d+\\.n2b\\.out",
      ),
      claims: { s: 1n, i: 1n },
    },
    {
      title: "k = 4 for a run of 3 iterations: the test at k - 1 `cf_prev === cf_nz` (s_{k-1} < t)",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: "1", t: "3", s0: "0" },
      forge: (c) => edit(tripHint(c, "4"), /^\s*cf_prev === cf_nz;.*\n/m, ""),
      dropped: 1,
      caughtBy: zeroMentioning(
        "main\\.cf_nz ",
        "main\\.cf_gc ",
        "main\\.LessThan_\\d+_\\d+\\.n2b\\.out",
      ),
      claims: { s: 4n, i: 4n },
    },
    {
      title:
        "k = 1 when the first test fails (t = 0): k = 0 exactly when it fails, `cf_prev === cf_nz`",
      program: SUM_FROM,
      steps: 64,
      inputs: { x: "1", t: "0", s0: "0" },
      forge: (c) => edit(tripHint(c, "1"), /^\s*cf_prev === cf_nz;.*\n/m, ""),
      dropped: 1,
      caughtBy: zeroMentioning(
        "main\\.cf_nz ",
        "main\\.cf_gc ",
        "main\\.LessThan_\\d+_\\d+\\.n2b\\.out",
      ),
      claims: { s: 1n, i: 1n },
    },
    {
      title:
        "k = p - 1 for an EQ exit never reached (s_{-1} = t): k's range check `Num2Bits(3)` of k",
      program: REACH,
      steps: 64,
      inputs: { c: "2", t: "3", s0: "5" },
      forge: (c) => forgedRange(tripHint(c, "-1"), "kbits"),
      dropped: 1,
      caughtBy: zeroMentioning("main\\.out_i ", "main\\.cf_kbits\\.out"),
      claims: { s: 3n, i: P - 1n },
    },
    {
      title: "k = 2 for an EQ exit at 3: the exit `s_0 + k c === t`",
      program: REACH,
      steps: 64,
      inputs: { c: "1", t: "3", s0: "0" },
      forge: (c) => edit(tripHint(c, "2"), /^.*=== in_t; \/\/ s_k = t.*\n/m, ""),
      dropped: 1,
      caughtBy:
        /^\(-main\.out_i\) \* \(main\.in_c\) = \(-main\.in_t \+main\.in_s0\)$|^\(0\) \* \(0\) = \(main\.out_s -main\.in_t\)$/,
      claims: { s: 2n, i: 2n },
    },
    {
      title: "k = 1 with a step 0 and s_0 = t: k = 0 exactly when s_0 = t, `cf_eq0 === 1 - cf_nz`",
      program: REACH,
      steps: 64,
      inputs: { c: "0", t: "3", s0: "3" },
      forge: (c) => edit(tripHint(c, "1"), /^\s*cf_eq0 === .*\n/m, ""),
      dropped: 1,
      caughtBy:
        /^\(main\.in_t -main\.in_s0\) \* \(main\.IsEqual_\d+_\d+\.isz\.inv\) = \(main\.cf_nz\)$/,
      claims: { s: 3n, i: 1n },
    },
  ],
};

/** Every attack, in the order of the tests. */
const ALL_ATTACKS = Object.values(ATTACKS).flat();

/**
 * The circuits every attack needs besides its target: its forger, and the
 * real circuit at --O0 to count against (its witness is never computed).
 * Each kind is compiled together, as one circom2 build for all attacks
 * (test/helpers/forge.ts): most of a build is fixed cost. An attack whose
 * forger no longer applies is left out, and its own test reports it.
 */
let allForgers:
  | Promise<{ forgers: TogetherBuild; plains: TogetherBuild; index: Map<Attack, number> }>
  | undefined;
function forgers() {
  allForgers ??= (async () => {
    const forged: Variant[] = [];
    const plain: Variant[] = [];
    const index = new Map<Attack, number>();
    for (const attack of ALL_ATTACKS) {
      const program = loadProgram(attack.program);
      const compiled = compile(program, { steps: attack.steps });
      let forger: string;
      try {
        forger = attack.forge(withForge(compiled.circom));
      } catch {
        continue;
      }
      const input = circuitInput(program.io, attack.inputs);
      index.set(attack, forged.length);
      forged.push({ main: forger, input });
      plain.push({ main: compiled.circom, input });
    }
    const [forgers, plains] = await Promise.all([
      forger.together(forged, "O0"),
      forger.together(plain, "O0", { wasm: false }),
    ]);
    return { forgers, plains, index };
  })();
  return allForgers;
}

/**
 * The attack's program, and its target build (cached: shared by attacks on
 * one program). The target has a witness generator only where the machine
 * faults on the attack's inputs, to show that run has no witness; an honest
 * run's witness comes from the direct backend (`honestWitness`).
 */
function attackTarget(attack: Attack) {
  const program = loadProgram(attack.program);
  const compiled = compile(program, { steps: attack.steps });
  /** The machine's outputs on the attack's inputs, or its fault. */
  const truth = machine(attack.program, attack.inputs, attack.steps);
  const faults = typeof truth === "string";
  return {
    program,
    compiled,
    truth,
    target: build(compiled.circom, attack.optimize ?? "O2", faults),
  };
}

/**
 * The honest run's witness for a circom2 build of the program: every
 * signal's value from the direct backend's witness computation (src/direct,
 * `compiled` with its nodes kept), carried onto the build's wires by signal
 * name. test/backend.test.ts holds these values equal to those of circom's
 * witness generator; step 1 checks that the real circuit accepts them.
 */
function honestWitness(
  target: Circuit,
  compiled: CompiledCircuit,
  input: Record<string, unknown>,
): bigint[] {
  const byName = directNamedValues(
    compiled,
    Object.fromEntries(Object.entries(input).map(([k, v]) => [k, BigInt(v as string)])),
  );
  // witnessFrom fails on a wire left without a value or given two.
  const named = new Map<string, bigint>();
  for (const sym of target.symbols) {
    const v = byName.get(sym.name);
    if (v !== undefined) named.set(sym.normalized, v);
  }
  return target.witnessFrom(named);
}

async function runAttack(attack: Attack): Promise<void> {
  const { program, compiled, truth, target: pending } = attackTarget(attack);
  attack.forge(withForge(compiled.circom)); // the forger applies
  const [target, { forgers: together, plains, index }] = await Promise.all([pending, forgers()]);
  const forger = together.parts[index.get(attack)!]!;
  const plain = plains.parts[index.get(attack)!]!;
  const input = circuitInput(program.io, attack.inputs);
  const outputs = program.io.outputs;

  // 1. The honest run: accepted when the machine halts, unsatisfiable when it faults.
  const { direct, compiled: kept } = await directCircuit(attack);
  if (typeof truth === "string") {
    expect(await witness(target.wasm, input), `the machine faults with ${truth}`).to.equal(
      "WITNESS_FAILED",
    );
  } else {
    const honest = honestWitness(target.circuit, kept, input);
    expect(target.circuit.violated(honest)).to.deep.equal([]);
    for (const o of outputs) {
      expect(target.circuit.value(honest, `main.out_${o.name}`), o.name).to.equal(truth[o.name]);
    }
  }

  // 2. The forger is the circuit minus the guard.
  expect(plain.constraintCount - forger.constraintCount).to.equal(attack.dropped);

  // 3. Without the guard the forged witness is accepted (the mutation check).
  //    The forgers' witness is computed once, for all of them.
  const raw = await together.witness();
  if (typeof raw === "string") expect.fail(`the forgers' witness failed: ${raw}`);
  expect(forger.violated(raw), "the forger's own R1CS").to.deep.equal([]);
  const forged = target.circuit.witnessFrom(forger.named(raw));

  // 4. It claims something false.
  const claimed = Object.fromEntries(
    outputs.map((o) => [o.name, target.circuit.value(forged, `main.out_${o.name}`)]),
  );
  expect(claimed).to.deep.equal(attack.claims);
  if (typeof truth !== "string") expect(claimed).not.to.deep.equal(truth);

  // 5. The real circuit rejects it, at the guard.
  const violated = target.circuit.violated(forged);
  const shown = violated.map((i) => `#${i}: ${target.circuit.show(i)}`).join("\n");
  expect(violated, "the circuit must reject the forgery").not.to.be.empty;
  for (const i of violated) {
    expect(target.circuit.show(i, Infinity), `not the guard:\n${shown}`).to.match(attack.caughtBy);
  }

  // 6. The direct backend's R1CS of the same circuit (src/direct, written from
  // the compiler's nodes; no circom2 build) on circom2's forgery, carried over
  // by signal name: the reverse of test/backend.test.ts, which carries the
  // direct backend's forgeries to circom's R1CS. It accepts the honest run,
  // and it accepts the forgery only as an honest run: the direct backend may
  // eliminate a private input (c = the sum of its range check's bits), and
  // then the forgery's wires say another input (c = 0, whose run does give
  // the claimed outputs).
  const { labelOfWire, expand } = directExpansion(kept);
  if (typeof truth !== "string") {
    const { values } = directWitness(kept, input, labelOfWire);
    expect(direct.violated(values), "the honest run in the direct R1CS").to.deep.equal([]);
  }
  const carried = direct.witnessFrom(forger.named(raw));
  if (direct.violated(carried).length === 0) {
    const all = expand(carried, new Array<bigint>(direct.r1cs.nLabels).fill(0n));
    const label = (name: string) => direct.symbols.find((sym) => sym.name === name)!.label;
    const implied = Object.fromEntries(
      program.io.inputs.map((d) => [d.name, all[label(`main.in_${d.name}`)]!.toString()]),
    );
    const run = machine(attack.program, implied, attack.steps);
    expect(
      run,
      `the direct R1CS accepts the forgery as inputs ${JSON.stringify(implied)}`,
    ).to.not.be.a("string");
    const outs = Object.fromEntries(
      outputs.map((o) => [o.name, all[label(`main.out_${o.name}`)]!]),
    );
    expect(outs, "the direct R1CS accepts the forgery only as an honest run").to.deep.equal(run);
  }
}

/** The direct backend's .r1cs and .sym of an attack's target circuit, loaded. */
async function directCircuit(
  attack: Attack,
): Promise<{ direct: Circuit; compiled: CompiledCircuit }> {
  const compiled = compile(loadProgram(attack.program), { steps: attack.steps, keepNodes: true });
  const d = directArtifacts(compiled);
  const base = path.join(
    tmp,
    `direct-${createHash("sha256").update(compiled.circom).digest("hex").slice(0, 12)}`,
  );
  await fsp.writeFile(`${base}.r1cs`, Buffer.concat(d.r1cs.map((b) => Buffer.from(b))));
  await fsp.writeFile(`${base}.sym`, d.sym.join(""));
  return { direct: await loadCircuit(`${base}.r1cs`, `${base}.sym`), compiled };
}

/**
 * The --inspect warnings we expect, each for a reason; any other warning fails.
 * They all name a signal that is pinned elsewhere and that one template reads
 * none of, by design:
 *  - CA02 on `n2b.out` in LessThan(k): circomlib's LessThan reads only bit k
 *    of its Num2Bits(k + 1); the other k bits are pinned inside Num2Bits (each
 *    is boolean and their weighted sum is the input).
 *  - CA02 on `rangeN.out` in Main(): a range check `component rangeN =
 *    Num2Bits(W)` whose bits no comparison reuses. It is there for its
 *    constraints; its W bits are pinned inside Num2Bits the same way.
 *  - CA01 on `bits` in HighBitsZero(W, k) (the k low bits) and LowBits(W, k)
 *    (the W - k high bits), templates/zkvm.circom: each reads one part of a
 *    range check's bits, which that range check's Num2Bits pins in Main.
 * Anything else, e.g. a CA01 on a signal of Main, fails the test.
 */
function unexpectedWarnings(warnings: readonly string[], circom: string, width = 64): string[] {
  /** The number of signals a warning is about: "a total of 63 signals", or one. */
  const count = (w: string) => Number(/contains a total of (\d+) signals/.exec(w)?.[1] ?? 1);
  const expected: Array<(w: string) => boolean> = [
    (w) => {
      const m =
        /^warning\[CA02\]: In template "LessThan\((\d+)\)": (?:Array of subcomponent input\/output signals n2b\.out contains|Subcomponent input\/output signal n2b\.out\[0\] does not)/.exec(
          w,
        );
      return m !== null && count(w) === Number(m[1]);
    },
    (w) => {
      const m =
        /^warning\[CA02\]: In template "Main\(\)": Array of subcomponent input\/output signals (range(?:Rest)?\d+|cf_\w+)\.out contains/.exec(
          w,
        );
      // A closed-form loop's range checks (cf_*) include k's, of b bits.
      const bits = m?.[1]?.startsWith("cf_") === true ? count(w) : width;
      return (
        m !== null &&
        count(w) === bits &&
        circom.includes(`component ${m[1]} = Num2Bits(${bits}); ${m[1]}.in <== `)
      );
    },
    (w) => {
      const m =
        /^warning\[CA01\]: In template "(HighBitsZero|LowBits)\((\d+),(\d+)\)": (?:Array of local signals bits contains|Local signal bits\[\d+\] does not)/.exec(
          w,
        );
      if (m === null) return false;
      const [W, k] = [Number(m[2]), Number(m[3])];
      return count(w) === (m[1] === "HighBitsZero" ? k : W - k);
    },
  ];
  return warnings.filter((w) => !expected.some((ok) => ok(w)));
}

/**
 * Every generated circuit these tests know: the examples at their N, and the
 * attack programs; `build` is the circom2 build (with --inspect) the tests use:
 * an attack's target build, and the examples' without a witness generator.
 */
function generatedCircuits(): Array<{
  name: string;
  circom: string;
  build: () => Promise<{ warnings: readonly string[] }>;
}> {
  const examples = loadExamples().map((e) => {
    const circom = compile(loadProgram(e.source), { steps: e.steps }).circom;
    return { name: e.name, circom, build: () => build(circom, "O2", false) };
  });
  const attacks = ALL_ATTACKS.map((a) => {
    const { compiled } = attackTarget(a);
    return { name: a.title, circom: compiled.circom, build: () => attackTarget(a).target };
  });
  return [...examples, ...attacks];
}

/** The circomlib `<--` assignments we rely on, and the constraints (in the same template) that pin them. */
const PINNED_HINTS: Record<string, { hints: string[]; pins: string[] }> = {
  // out is fixed for every in: in != 0 forces out = 0 (in*out === 0), in = 0
  // gives out = 1. inv is free only when in = 0, where nothing reads it.
  IsZero: {
    hints: ["inv <-- in!=0 ? 1/in : 0;"],
    pins: ["out <== -in*inv +1;", "in*out === 0;"],
  },
  // Each bit is boolean and their weighted sum is in; with n <= 253 bits the sum
  // stays below p, so the bits are unique.
  Num2Bits: {
    hints: ["out[i] <-- (in >> i) & 1;"],
    pins: ["out[i] * (out[i] -1 ) === 0;", "lc1 === in;"],
  },
};

describe("soundness", function () {
  before(async function () {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-soundness-"));
    forgeDir = path.join(tmp, "forge");
    await fsp.mkdir(forgeDir);
    await fsp.writeFile(path.join(forgeDir, "forge.circom"), forgeLibrary());
  });

  after(async function () {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  describe("forged witnesses", function () {
    before(function () {
      // Start every compile now (a few run at once); each test awaits its own.
      // ZKVM_ATTACKS=text starts only the attacks whose title has it (with mocha --grep text).
      const only = process.env.ZKVM_ATTACKS;
      forgers().catch(() => undefined);
      for (const attack of ALL_ATTACKS) {
        if (only !== undefined && !attack.title.includes(only)) continue;
        attackTarget(attack).target.catch(() => undefined);
      }
    });

    for (const [group, attacks] of Object.entries(ATTACKS)) {
      describe(group, function () {
        for (const attack of attacks) it(attack.title, () => runAttack(attack));
      });
    }
  });

  describe("no unconstrained signals", function () {
    it("circom --inspect warns only about bits a gadget reads none of by design, on every example and attack target", async function () {
      const all = generatedCircuits();
      const built = await Promise.all(all.map((g) => g.build()));
      all.forEach((g, i) => {
        expect(unexpectedWarnings(built[i]!.warnings, g.circom), g.name).to.deep.equal([]);
      });
      // The filter is precise: it keeps what it does not explain.
      expect(
        unexpectedWarnings(
          ['warning[CA01]: In template "Main()": Local signal x does not appear in any constraint'],
          "",
        ),
      ).to.have.length(1);
    });

    it("generated circuits and templates/zkvm.circom assign signals only with <== (no <--), but a closed-form loop's trip count", function () {
      for (const g of generatedCircuits()) {
        // The one hint: a closed-form loop's trip count (src/compiler/closedform.ts),
        // pinned by its own constraints (the closed-form attacks above show each one).
        const hints = [...g.circom.matchAll(/<--|-->/g)].length;
        const trip = [...g.circom.matchAll(/^ {4}cf_k <-- /gm)].length;
        expect(hints, g.name).to.equal(trip);
        expect(trip, g.name).to.be.at.most(1);
        if (trip === 1) expect(g.circom, g.name).to.match(/^ {4}component cf_kbits = Num2Bits\(/m);
        expect(g.circom, g.name).to.match(/<==/);
      }
      const ours = readFileSync(path.join(defaultIncludePaths()[0]!, "zkvm.circom"), "utf8");
      expect(stripComments(ours)).not.to.match(/<--|-->/);
    });

    it("the circomlib templates we use assign with <-- only IsZero's inv and Num2Bits' bits, each pinned", function () {
      const templates = gadgetTemplates();
      // The templates reachable from the generated circuits.
      const used = new Set<string>();
      const visit = (text: string) => {
        for (const m of stripComments(text).matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
          const name = m[1]!;
          if (used.has(name) || !templates.has(name)) continue;
          used.add(name);
          visit(templates.get(name)!.replace(/^template\s+\w+/, ""));
        }
      };
      for (const g of generatedCircuits()) visit(g.circom.replace(/template Main\(\)/, ""));
      expect([...used].sort()).to.deep.equal(
        ["HighBitsZero", "IsEqual", "IsZero", "LessThan", "LowBits", "NonZero", "Num2Bits"],
        "a new gadget: audit its <-- and add it here",
      );
      const hints: Record<string, string[]> = {};
      for (const name of used) {
        const lines = templates
          .get(name)!
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l.includes("<--"));
        if (lines.length > 0) hints[name] = lines;
      }
      expect(hints).to.deep.equal(
        Object.fromEntries(Object.entries(PINNED_HINTS).map(([n, h]) => [n, h.hints])),
      );
      for (const [name, { pins }] of Object.entries(PINNED_HINTS)) {
        const body = templates.get(name)!;
        for (const pin of pins) expect(body, `${name} pins its hint with ${pin}`).to.include(pin);
      }
    });
  });

  describe("the R1CS evaluator", function () {
    it("agrees with snarkjs's wtns check on honest, forged and corrupted witnesses", async function () {
      const attack = ATTACKS["(c) a wrong comparison"]!.find((a) =>
        a.title.startsWith("GT says 3 > 7"),
      )!;
      const { program, target: pending } = attackTarget(attack);
      const [target, { forgers: together, index }, { compiled: kept }] = await Promise.all([
        pending,
        forgers(),
        directCircuit(attack),
      ]);
      const input = circuitInput(program.io, attack.inputs);
      const honest = honestWitness(target.circuit, kept, input);
      const raw = await together.witness();
      if (typeof raw === "string") expect.fail("no witness");
      const forged = target.circuit.witnessFrom(together.parts[index.get(attack)!]!.named(raw));
      const corrupted = honest.slice();
      corrupted[target.circuit.wire("main.out_m")] = 8n;
      for (const w of [honest, forged, corrupted]) {
        expect(await snarkjsCheck(target.r1csPath, w)).to.equal(target.circuit.violated(w)[0]);
      }
      expect(target.circuit.violated(corrupted)).to.not.be.empty;
    });
  });

  describe("regressions", function () {
    // A JUMPI on the constant 0 leaves its target a candidate whose selector is
    // the constant 0. The LT there emitted Num2Bits(W) on 0 * x = 0 and recorded
    // x as range-checked "unconditionally", so the live LT on x at the same step
    // skipped its own check and reused the bits of 0: the circuit proved x < 5
    // for every x (out = 1 for x = 100) and accepted x = p - 1, which faults.
    const DEAD_TARGET = `
.private x 0
.output  y 1
        JUMP start
dead:   LOAD x
        PUSH 5
        LT
        STORE y
        STOP
start:  PUSH 0
        JUMPI dead        ; never taken: dead's selector is the constant 0
        LOAD x
        PUSH 5
        LT                ; must range-check x and compare x itself
        STORE y
        STOP
`;

    // Issue 17: a flow along an edge the schedule pruned (no run through it
    // halts within N) entered a block that was a candidate through another,
    // shorter edge, and the step count (from kept edges only) said no counter
    // was needed: the circuit accepted runs longer than N. Every input in a
    // small grid must get the interpreter's verdict: no witness for a run
    // longer than N, the interpreter's outputs for every run within N.
    for (const { name, source, steps, range } of [
      { name: "the issue's long join at N = 12", source: LONG_JOIN, steps: 12, range: 2 },
      { name: "nested do-while loops at N = 50", source: NESTED_DO_WHILE, steps: 50, range: 5 },
    ]) {
      it(`${name}: runs longer than N have no witness, runs within N prove (issue 17)`, async function () {
        const program = loadProgram(source);
        const compiled = compile(program, { steps });
        const { wasm, circuit } = await build(compiled.circom, "O2");
        let longer = 0;
        let within = 0;
        for (let a = 0; a <= range; a++) {
          for (let b = 0; b <= range; b++) {
            const inputs = { a: `${a}`, b: `${b}` };
            const truth = machine(source, inputs, steps);
            const w = await witness(wasm, circuitInput(program.io, inputs));
            if (typeof truth === "string") {
              expect(truth).to.equal("STEP_LIMIT_EXCEEDED");
              expect(w, `a = ${a}, b = ${b}: ${truth}`).to.equal("WITNESS_FAILED");
              longer++;
            } else {
              if (typeof w === "string") expect.fail(`a = ${a}, b = ${b} halts but: ${w}`);
              expect(circuit.violated(w), `a = ${a}, b = ${b}`).to.deep.equal([]);
              for (const o of program.io.outputs) {
                expect(
                  circuit.value(w, `main.out_${o.name}`),
                  `${o.name}, a = ${a}, b = ${b}`,
                ).to.equal(truth[o.name]);
              }
              within++;
            }
          }
        }
        expect(longer, "runs longer than N in the grid").to.be.greaterThan(0);
        expect(within, "runs within N in the grid").to.be.greaterThan(0);
      });
    }

    it("a range check under a constant-0 selector proves nothing about later comparisons", async function () {
      const program = loadProgram(DEAD_TARGET);
      const compiled = compile(program, { steps: 16 });
      expect(compiled.circom).to.match(/Num2Bits\(64\); range\d+\.in <== in_x;/);
      const { wasm } = await build(compiled.circom, "O2");
      const vm = new ZKVM(DEAD_TARGET);
      for (const x of ["100", "3", "5", "18446744073709551615"]) {
        const w = await witness(wasm, circuitInput(program.io, { x }));
        expect(w, `x = ${x}`).to.be.an("array");
        expect((w as bigint[])[1], `x = ${x}`).to.equal(vm.execute({ x }).outputs.y);
      }
      for (const x of [TWO_64.toString(), (P - 1n).toString()]) {
        expect(() => vm.execute({ x })).to.throw(RuntimeFault);
        expect(await witness(wasm, circuitInput(program.io, { x })), `x = ${x}`).to.equal(
          "WITNESS_FAILED",
        );
      }
    });
  });
});
