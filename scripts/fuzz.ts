/**
 * `npm run fuzz`: differential fuzzing of the circuit compiler against the
 * reference interpreter. Random valid programs (test/helpers/programs.ts),
 * each with several inputs, are run in the interpreter and through their
 * circuit's witness generator, at the program's own step bound and at a
 * smaller one (test/helpers/witness.ts checkCase). Every input must either
 * halt with the witness's outputs or fault exactly when the circuit has no
 * witness.
 *
 * A disagreement prints the program, the inputs, both verdicts and the
 * fast-check seed and path that replay it, and exits 1.
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import { terminateCurves } from "../src/pipeline/index.js";
import { soundnessMain } from "./fuzz-soundness.js";
import { universalMain } from "./fuzz-universal.js";
import {
  buildCircuitsSettled,
  checkCase,
  describeDisagreement,
  differentialCase,
  type CaseReport,
  type DifferentialCase,
  type DifferentialCaseOptions,
  planCase,
} from "../test/helpers/witness.js";

const HELP = `Usage: npm run fuzz -- [options]
       npm run fuzz -- --soundness [options]   (--soundness --help for its options)
       npm run fuzz -- --universal [options]   (--universal --help for its options)

Differential fuzzing: random valid programs, each run in the interpreter and
through its compiled circuit's witness at two step bounds, must agree.
--soundness evaluates the compiled constraints exactly instead of running
circom2, on many more programs, step bounds and widths. --universal runs a
small universal circuit's witness generator against the interpreter.

Options:
  --runs N         programs to generate (default 30; 500 with --long)
  --long           a long run: 500 programs
  --seed S         fast-check seed (default: random, printed)
  --path P         replay one counterexample: the path printed with its seed
  --inputs K       inputs per program (default 4)
  --depth D        statement nesting depth of the programs (default 2)
  --statements M   statements per block (default 3)
  --no-shrink      report the first disagreement as found, without shrinking it
  --json           print the summary as one JSON object on stdout
  -h, --help       show this help

Progress goes to stderr. Exit status: 0 when every program agrees, 1 on a
disagreement or an unexpected error, 2 on bad options.`;

const DEFAULT_RUNS = 30;
const LONG_RUNS = 500;

interface Options {
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly generator: DifferentialCaseOptions;
  readonly shrink: boolean;
  readonly json: boolean;
}

class UsageError extends Error {}

function integerOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${text}'`);
  }
  return Number(text);
}

function parseOptions(argv: string[]): Options | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: "string" },
        long: { type: "boolean" },
        seed: { type: "string" },
        path: { type: "string" },
        inputs: { type: "string" },
        depth: { type: "string" },
        statements: { type: "string" },
        "no-shrink": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return "help";
  if (values.path !== undefined && !/^\d+(:\d+)*$/.test(values.path)) {
    throw new UsageError(`--path must look like 12:0:3, got '${values.path}'`);
  }
  if (values.path !== undefined && values.seed === undefined) {
    throw new UsageError("--path replays a counterexample of one seed: give --seed as well");
  }
  const seed = integerOption("seed", values.seed, -(2 ** 31));
  return {
    runs: integerOption("runs", values.runs, 1) ?? (values.long ? LONG_RUNS : DEFAULT_RUNS),
    seed: seed ?? Math.floor(Math.random() * 2 ** 31),
    ...(values.path !== undefined ? { path: values.path } : {}),
    generator: {
      inputsPerProgram: integerOption("inputs", values.inputs, 1) ?? 4,
      maxDepth: integerOption("depth", values.depth, 0) ?? 2,
      maxStatements: integerOption("statements", values.statements, 1) ?? 3,
    },
    shrink: !values["no-shrink"],
    json: values.json ?? false,
  };
}

/** The command line that replays a counterexample. */
function replayCommand(options: Options, seed: number, path: string): string {
  const g = options.generator;
  const extra = [
    g.inputsPerProgram !== 4 ? `--inputs ${g.inputsPerProgram}` : "",
    g.maxDepth !== 2 ? `--depth ${g.maxDepth}` : "",
    g.maxStatements !== 3 ? `--statements ${g.maxStatements}` : "",
  ].filter((s) => s !== "");
  return ["npm run fuzz -- --seed", String(seed), "--path", path, ...extra].join(" ");
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--soundness")) return soundnessMain(argv.filter((a) => a !== "--soundness"));
  if (argv.includes("--universal")) return universalMain(argv.filter((a) => a !== "--universal"));
  let options: Options;
  try {
    const parsed = parseOptions(argv);
    if (parsed === "help") {
      console.log(HELP);
      return 0;
    }
    options = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`fuzz: ${e.message} (npm run fuzz -- --help lists the options)`);
    return 2;
  }

  const start = performance.now();
  const totals = { programs: 0, inputs: 0, circuits: 0, checks: 0, rejectedBounds: 0 };
  const verdicts: Record<string, number> = {};
  let failing = false;
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  progress(
    `fuzz: ${options.path !== undefined ? `replaying path ${options.path} of` : `${options.runs} programs,`} seed ${options.seed}`,
  );

  const cases = differentialCase(options.generator);
  // While the property checks program i, a second worker builds the circuits of
  // program i + 1 (fc.sample with the same seed yields the same programs), so two
  // circom2 processes run at a time. It stops when a disagreement turns up.
  let finished = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const prefetch = async (): Promise<void> => {
    const upcoming = fc.sample(cases, { seed: options.seed, numRuns: options.runs });
    for (const [i, c] of upcoming.entries()) {
      while (i > finished + 1 && !failing && !stopped) await new Promise<void>((r) => (wake = r));
      if (failing || stopped) return;
      try {
        await buildCircuitsSettled(planCase(c).circuits, 1);
      } catch {
        // planCase threw: the property will meet and report the same error.
      }
    }
  };
  const prefetching = options.path === undefined ? prefetch() : Promise.resolve();

  const property = fc.asyncProperty(cases, async (c: DifferentialCase) => {
    let report: CaseReport;
    try {
      report = await checkCase(c);
    } catch (e) {
      if (!failing) progress(`  error: ${(e as Error).message.split("\n")[0]}`);
      failing = true;
      throw e;
    }
    const ok = report.disagreements.length === 0;
    if (failing) {
      progress(`  shrinking: ${ok ? "passes" : "still disagrees"}`);
    } else {
      totals.programs++;
      totals.inputs += c.inputs.length;
      totals.circuits += report.circuits;
      totals.checks += report.checks.length;
      totals.rejectedBounds += report.rejected;
      for (const { interpreter } of report.checks) {
        verdicts[interpreter] = (verdicts[interpreter] ?? 0) + 1;
      }
      progress(
        `  [${totals.programs}/${options.path !== undefined ? 1 : options.runs}] N = ${report.bounds.join(", ")}, W = ${c.width}: ${report.checks.length} checks ${ok ? "agree" : "DISAGREE"} (${((performance.now() - start) / 1000).toFixed(0)} s)`,
      );
    }
    if (!ok) failing = true;
    finished++;
    wake?.();
    return ok;
  });

  const result = await fc.check(property, {
    seed: options.seed,
    // A path leads straight to one counterexample: run just that one.
    ...(options.path !== undefined
      ? { path: options.path, numRuns: 1 }
      : { numRuns: options.runs }),
    endOnFailure: !options.shrink,
  });
  stopped = true;
  wake?.();
  await prefetching;

  let failure:
    | {
        seed: number;
        path: string;
        replay: string;
        source: string;
        width: number;
        inputs: ReadonlyArray<Record<string, bigint>>;
        disagreements: string[];
        error?: string;
      }
    | undefined;
  if (result.failed) {
    const c = result.counterexample?.[0];
    const path = result.counterexamplePath ?? "";
    // Re-check the (shrunk) counterexample for its report; its circuits are cached.
    const report = c !== undefined ? await checkCase(c).catch(() => undefined) : undefined;
    failure = {
      seed: result.seed,
      path,
      replay: replayCommand(options, result.seed, path),
      source: c?.program.source ?? "",
      width: c?.width ?? 0,
      inputs: c?.inputs ?? [],
      // Identical inputs disagree identically: each description once.
      disagreements: [...new Set(report?.disagreements.map(describeDisagreement) ?? [])],
      // No disagreement on record: the property threw (a compile or circom error, say).
      ...(report === undefined || report.disagreements.length === 0
        ? { error: errorText(result.errorInstance) }
        : {}),
    };
  }

  const elapsed = (performance.now() - start) / 1000;
  const disagreements = failure === undefined ? 0 : Math.max(1, failure.disagreements.length);
  const summary = `fuzz: ${totals.programs} programs, ${totals.inputs} inputs, ${disagreements} disagreement${disagreements === 1 ? "" : "s"} (seed ${options.seed})`;
  if (options.json) {
    console.log(
      stringify({
        ok: failure === undefined,
        seed: options.seed,
        ...totals,
        verdicts,
        elapsedSeconds: Number(elapsed.toFixed(1)),
        ...(failure !== undefined ? { failure } : {}),
      }),
    );
  } else {
    if (failure !== undefined) {
      console.log(`\nDISAGREEMENT (after ${result.numShrinks} shrinks)`);
      console.log(`program (W = ${failure.width}):\n${failure.source}`);
      console.log(`inputs: ${stringify(failure.inputs).replace(/\s+/g, " ")}`);
      for (const d of failure.disagreements) console.log(d);
      if (failure.error !== undefined) console.log(`error: ${failure.error}`);
      console.log(`seed ${failure.seed}, path ${failure.path}`);
      console.log(`reproduce: ${failure.replay}\n`);
    }
    const kinds = Object.entries(verdicts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    console.log(
      `${totals.circuits} circuits, ${totals.checks} checks (interpreter: ${kinds || "none"}), ${totals.rejectedBounds} bounds rejected as too small, ${elapsed.toFixed(1)} s`,
    );
    console.log(summary);
  }
  return failure === undefined ? 0 : 1;
}

let status = 1;
try {
  status = await main(process.argv.slice(2));
} catch (e) {
  console.error(e);
} finally {
  await terminateCurves();
}
process.exitCode = status;
