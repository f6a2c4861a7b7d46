/**
 * `npm run fuzz -- --soundness`: the soundness fuzzer (issue 17,
 * test/helpers/soundness-fuzz.ts). Random programs of four families, each at
 * several step bounds N (including N below its longest runs) and a width W,
 * both lowerings' constraints evaluated exactly (src/compiler/evaluate.ts)
 * against the interpreter on every input tried. No circom2: thousands of
 * programs a minute.
 *
 * A violation is shrunk by fast-check and printed as a reproduction (the
 * program as assembly, N, W, the input, both verdicts), and the exit status
 * is 1.
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import {
  checkSoundness,
  describeViolation,
  ALL_FAMILIES as FAMILIES,
  soundnessCase,
  type Family,
  type FuzzCase,
} from "../test/helpers/soundness-fuzz.js";
import type { Node } from "../src/compiler/ir.js";

/** Guards --without can take out of the evaluated constraints (the fuzzer must then find a violation). */
const GUARDS: Record<string, (node: Node) => boolean> = {
  "pruned-edge": (n) => n.kind === "assert" && (n.why ?? "").includes("pruned edge"),
  "cannot-reach-stop": (n) => n.kind === "assert" && (n.why ?? "").includes("cannot reach STOP"),
  "step-counter": (n) => n.kind === "assertLess",
  "one-hot": (n) => n.kind === "assert" && (n.why ?? "").includes("halts within N"),
  // paths.ts: an input's "other value" compared by LT/GT on a halting path is range checked.
  "rest-range": (n) => n.kind === "gadget" && n.signal.startsWith("rangeRest"),
};

export const SOUNDNESS_HELP = `Usage: npm run fuzz -- --soundness [options]

Soundness fuzzing without circom: random programs (general, one-input
control, loop-heavy with varied exits, nests of 2-3 loops bounded by
different inputs; data-dependent exits in the last two) at several step bounds N, including N below their longest
runs, and a width W in {1, 2, 3, 4, 8, 64}. Every lowering (by block step,
by path, in closed form; also those compile() does not emit) are evaluated exactly on the
inputs 0..9, 2^W +- k, p - 1, p - 2^W (every value up to 2^W + 3 when W <= 4):
the constraints must be satisfiable exactly when the interpreter halts within
N without a fault, with the interpreter's outputs.

Options:
  --count K        programs to check (default 500)
  --seconds S      run for S seconds instead (as many programs as fit)
  --seed X         fast-check seed (default: random, printed)
  --family F       only this family: general, one-input, loops, nest, closed (repeatable)
  --without G      check the fuzzer itself: evaluate the constraints without one
                   guard, G one of ${Object.keys(GUARDS).join(", ")};
                   it must then report a violation
  --no-shrink      report the first violation as found, without shrinking it
  --json           print the summary as one JSON object on stdout
  -h, --help       show this help

Progress goes to stderr every few seconds. Exit status: 0 with no violation,
1 on a violation or an unexpected error, 2 on bad options.`;

class UsageError extends Error {}

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${text}'`);
  }
  return Number(text);
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

export async function soundnessMain(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        count: { type: "string" },
        seconds: { type: "string" },
        seed: { type: "string" },
        family: { type: "string", multiple: true },
        without: { type: "string" },
        "no-shrink": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
    if (values.count !== undefined && values.seconds !== undefined) {
      throw new UsageError("give --count or --seconds, not both");
    }
    for (const f of values.family ?? []) {
      if (!FAMILIES.includes(f as Family)) {
        throw new UsageError(`--family must be one of ${FAMILIES.join(", ")}, got '${f}'`);
      }
    }
    if (values.without !== undefined && !Object.hasOwn(GUARDS, values.without)) {
      throw new UsageError(
        `--without must be one of ${Object.keys(GUARDS).join(", ")}, got '${values.without}'`,
      );
    }
  } catch (e) {
    console.error(
      `fuzz: ${(e as Error).message} (npm run fuzz -- --soundness --help lists the options)`,
    );
    return 2;
  }
  if (values.help) {
    console.log(SOUNDNESS_HELP);
    return 0;
  }
  let count: number | undefined;
  let seconds: number | undefined;
  let seed: number;
  try {
    count = integer("count", values.count, 1);
    seconds = integer("seconds", values.seconds, 1);
    seed = integer("seed", values.seed, -(2 ** 31)) ?? Math.floor(Math.random() * 2 ** 31);
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    return 2;
  }
  const families = (values.family as Family[] | undefined) ?? FAMILIES;
  const runs = seconds !== undefined ? 1_000_000_000 : (count ?? 500);
  const shrink = !values["no-shrink"];
  const start = performance.now();
  const totals = {
    programs: 0,
    checks: 0,
    halts: 0,
    faults: 0,
    bounds: 0,
    byStep: 0,
    byPath: 0,
    closed: 0,
    families: {} as Record<string, number>,
    widths: {} as Record<string, number>,
  };
  let failing = false;
  let lastProgress = start;
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  progress(
    `fuzz --soundness: ${seconds !== undefined ? `${seconds} s` : `${runs} programs`}, seed ${seed}${values.without !== undefined ? `, without the guard ${values.without}` : ""}`,
  );
  const checkOptions = values.without !== undefined ? { mutate: GUARDS[values.without]! } : {};
  const property = fc.property(soundnessCase(families), (c: FuzzCase) => {
    const report = checkSoundness(c, checkOptions);
    const ok = report.violations.length === 0;
    if (!failing) {
      totals.programs++;
      totals.checks += report.checks;
      totals.halts += report.halts;
      totals.faults += report.faults;
      totals.bounds += report.bounds.length;
      totals.byStep += report.lowerings.steps;
      totals.byPath += report.lowerings.path;
      totals.closed += report.lowerings.closed;
      totals.families[c.family] = (totals.families[c.family] ?? 0) + 1;
      totals.widths[c.width] = (totals.widths[c.width] ?? 0) + 1;
      const now = performance.now();
      if (now - lastProgress > 5000) {
        lastProgress = now;
        progress(
          `  ${totals.programs} programs, ${totals.checks} checks, 0 violations (${((now - start) / 1000).toFixed(0)} s)`,
        );
      }
    }
    if (!ok && !failing) {
      failing = true;
      progress(`  VIOLATION found after ${totals.programs} programs${shrink ? ": shrinking" : ""}`);
    }
    return ok;
  });
  const result = fc.check(property, {
    seed,
    numRuns: runs,
    endOnFailure: !shrink,
    ...(seconds !== undefined
      ? { interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false }
      : {}),
  });
  const elapsed = (performance.now() - start) / 1000;
  let violation: ReturnType<typeof checkSoundness>["violations"][number] | undefined;
  let error: string | undefined;
  if (result.failed) {
    const c = result.counterexample?.[0];
    violation = c !== undefined ? checkSoundness(c, checkOptions).violations[0] : undefined;
    if (violation === undefined) {
      const e = result.errorInstance;
      error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
  }
  const ok = !result.failed;
  if (values.json) {
    console.log(
      stringify({
        ok,
        seed,
        ...totals,
        elapsedSeconds: Number(elapsed.toFixed(1)),
        ...(violation !== undefined ? { violation } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(result.failed ? { path: result.counterexamplePath } : {}),
      }),
    );
  } else {
    if (violation !== undefined) console.log(`\n${describeViolation(violation)}\n`);
    if (error !== undefined) console.log(`\nerror: ${error}\n`);
    if (result.failed) {
      console.log(`seed ${seed}, after ${result.numShrinks} shrinks: replay with --seed ${seed}`);
    }
    const fams = Object.entries(totals.families)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    console.log(
      `fuzz --soundness: ${totals.programs} programs (${fams}), ${totals.bounds} step bounds, ${totals.byStep} block-step, ${totals.byPath} by-path and ${totals.closed} closed-form lowerings, ${totals.checks} checks (${totals.halts} halt, ${totals.faults} fault), ${ok ? 0 : 1} violation${ok ? "s" : ""}, seed ${seed}, ${elapsed.toFixed(1)} s`,
    );
  }
  return ok ? 0 : 1;
}
