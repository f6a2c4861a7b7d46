/**
 * What the soundness tests' forgers need: circom2 builds of a circuit and of
 * its forgers (the circuit with one guard taken out), compiled a few at a
 * time and cached by text and optimisation level, and the witness
 * generator's outcome on an input. test/soundness.test.ts,
 * test/universal-soundness.test.ts and test/segment-soundness.test.ts use it.
 *
 * A suite's forgers are compiled together, as one circuit
 * (`ForgerBuilds.together`): most of a circom2 build is fixed cost (reading
 * circomlib, 1.9 MB of Poseidon constants alone, and generating the witness
 * generator's code for each template), so fourteen forgers of the universal
 * circuit build in about the time of one. Each forger's templates are renamed
 * apart (`Universal` becomes `Universal_v3`), one main instantiates each as
 * `f3` with its own inputs (`v3_opC`), and `Circuit.parts` (`main.f3.` for f3) gives
 * back each forger's constraints and signals as its own build would name them.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  compileCircom,
  computeWitness,
  PipelineError,
  type CircomOptimization,
} from "../../src/pipeline/index.js";
import { loadCircuit, type Circuit } from "./r1cs.js";

/** One circuit among several compiled together (`ForgerBuilds.together`). */
export interface Variant {
  /** Its main file: includes, and `component main … = Template(args);`. */
  readonly main: string;
  /** Files of its own that the main file includes (name to text); their templates are renamed with it. */
  readonly beside?: Readonly<Record<string, string>>;
  /** Its circuit input (needed for the shapes of its input signals, and for the witness). */
  readonly input: Readonly<Record<string, unknown>>;
}

/** Several circuits built as one: each one's part of the R1CS, and a witness of all of them at once. */
export interface TogetherBuild {
  /** Variant k's constraints and signals, named as in a build of its own (`Circuit.parts`). */
  readonly parts: readonly Circuit[];
  /** The witness generator's outcome on every variant's input at once (absent with `wasm: false`). */
  readonly witness: () => Promise<bigint[] | string>;
}

/** The dimensions of an input value: `[7]` for a list of 7, `[]` for a number. */
function shapeOf(value: unknown): number[] {
  return Array.isArray(value) ? [value.length, ...shapeOf(value[0])] : [];
}

const INCLUDE = /^\s*include\s+"([^"]+)"\s*;\s*$/;
const MAIN = /component\s+main\s*(?:\{[^}]*\})?\s*=\s*(\w+)\s*\(([^)]*)\)\s*;/;

/**
 * One Circom file that instantiates every variant: their own files inlined
 * with every template and function they define renamed `<name>_v<k>`, the
 * other includes once, and a main whose component `f<k>` is variant k, fed
 * from the main's inputs `v<k>_<name>`. The input for it is `input`.
 */
export function combineVariants(variants: readonly Variant[]): {
  circom: string;
  input: Record<string, unknown>;
} {
  let pragma = "pragma circom 2.1.0;";
  const includes = new Set<string>();
  const bodies: string[] = [];
  const mainLines: string[] = [];
  const input: Record<string, unknown> = {};
  variants.forEach((v, k) => {
    const files = { ...v.beside, "main.circom": v.main };
    const own = new Set(Object.keys(files));
    const m = MAIN.exec(v.main);
    if (m === null) throw new Error(`variant ${k}: no 'component main = T(...)' line`);
    const texts = Object.values(files).map((text) =>
      text
        .replace(MAIN, "")
        .split("\n")
        .filter((line) => {
          if (/^\s*pragma\s+circom\b/.test(line)) {
            pragma = line.trim();
            return false;
          }
          const inc = INCLUDE.exec(line);
          if (inc === null) return true;
          if (!own.has(path.basename(inc[1]!))) includes.add(inc[1]!);
          return false;
        })
        .join("\n"),
    );
    const names = new Set(
      texts.flatMap((t) =>
        [...t.matchAll(/^\s*(?:template|function)\s+(\w+)\s*\(/gm)].map((x) => x[1]!),
      ),
    );
    const rename = (t: string) =>
      names.size === 0
        ? t
        : t.replace(
            new RegExp(`\\b(${[...names].join("|")})(?=\\s*\\()`, "g"),
            (name) => `${name}_v${k}`,
          );
    bodies.push(`// ---- variant ${k}`, ...texts.map(rename));
    mainLines.push(`    component f${k} = ${rename(`${m[1]!}(`)}${m[2]!});`);
    for (const [name, value] of Object.entries(v.input)) {
      const dims = shapeOf(value)
        .map((d) => `[${d}]`)
        .join("");
      mainLines.push(
        `    signal input v${k}_${name}${dims};`,
        `    f${k}.${name} <== v${k}_${name};`,
      );
      input[`v${k}_${name}`] = value;
    }
  });
  const circom = [
    pragma,
    ...[...includes].map((i) => `include "${i}";`),
    ...bodies,
    "template Variants() {",
    ...mainLines,
    "}",
    "component main = Variants();",
    "",
  ].join("\n");
  return { circom, input };
}

export interface ForgerBuild {
  readonly circuit: Circuit;
  readonly r1csPath: string;
  /** The witness generator (absent for a build made with `wasm: false`). */
  readonly wasm: string;
  /** circom's warnings (with `inspect`). */
  readonly warnings: readonly string[];
}

/** circom2 compiles running at once: each is a single-threaded child process. */
const COMPILE_SLOTS = Math.max(1, Math.min(4, os.availableParallelism()));
let compiling = 0;
const waiting: Array<() => void> = [];

async function inCompileSlot<T>(f: () => Promise<T>): Promise<T> {
  while (compiling >= COMPILE_SLOTS) await new Promise<void>((wake) => waiting.push(wake));
  compiling++;
  try {
    return await f();
  } finally {
    compiling--;
    waiting.shift()?.();
  }
}

export interface ForgerBuildsOptions {
  /** The directory the builds go under (asked on each build: tests make it in `before`). */
  readonly root: () => string;
  readonly includePaths: () => string[];
  /** Compile with circom's --inspect (its warnings land in `ForgerBuild.warnings`). */
  readonly inspect?: boolean;
  /** compileCircom's hint for every build (e.g. per-program circuits of a few hundred constraints). */
  readonly expectedConstraints?: number;
}

/** circom2 builds cached by Circom text, the files beside it and the optimisation level. */
export class ForgerBuilds {
  private readonly builds = new Map<string, Promise<ForgerBuild>>();

  constructor(private readonly options: ForgerBuildsOptions) {}

  /**
   * Compiles `circom` as the main file, with `beside` (file name to text)
   * written next to it, where its includes find them first. `wasm: false`
   * skips the witness generator (half of circom2's time on these circuits)
   * for a build that is only counted or checked against, never run.
   */
  build(
    circom: string,
    optimize: CircomOptimization,
    beside: Readonly<Record<string, string>> = {},
    {
      wasm = true,
      inspect = this.options.inspect === true,
    }: { readonly wasm?: boolean; readonly inspect?: boolean } = {},
  ): Promise<ForgerBuild> {
    const hash = createHash("sha256").update(circom);
    for (const [name, text] of Object.entries(beside)) hash.update(`\0${name}\0${text}`);
    const key = `${hash.digest("hex").slice(0, 16)}-${optimize}${wasm ? "" : "-r1cs"}${inspect ? "-inspect" : ""}`;
    let pending = this.builds.get(key);
    if (pending === undefined) {
      pending = (async () => {
        const dir = path.join(this.options.root(), key);
        await fsp.mkdir(dir, { recursive: true });
        for (const [name, text] of Object.entries(beside)) {
          await fsp.writeFile(path.join(dir, name), text);
        }
        const circomFile = path.join(dir, "main.circom");
        await fsp.writeFile(circomFile, circom);
        const built = await inCompileSlot(() =>
          compileCircom({
            circomFile,
            outDir: path.join(dir, "build"),
            includePaths: this.options.includePaths(),
            optimize,
            wasm,
            ...(inspect ? { inspect: true } : {}),
            ...(this.options.expectedConstraints !== undefined
              ? { expectedConstraints: this.options.expectedConstraints }
              : {}),
          }),
        );
        return {
          circuit: await loadCircuit(built.r1csPath, built.symPath),
          r1csPath: built.r1csPath,
          wasm: built.wasmPath,
          warnings: built.warnings,
        };
      })();
      this.builds.set(key, pending);
    }
    return pending;
  }

  /**
   * Compiles the variants as one circuit (`combineVariants`): one circom2
   * run for all of them. Build at --O0, where each variant keeps its own
   * signals and constraints.
   */
  async together(
    variants: readonly Variant[],
    optimize: CircomOptimization,
    { wasm = true }: { readonly wasm?: boolean } = {},
  ): Promise<TogetherBuild> {
    const { circom, input } = combineVariants(variants);
    // Never with --inspect: only the real circuits' warnings are checked.
    const built = await this.build(circom, optimize, {}, { wasm, inspect: false });
    let witness: Promise<bigint[] | string> | undefined;
    return {
      parts: built.circuit.parts(variants.map((_, k) => `main.f${k}.`)),
      witness: () => {
        if (!wasm) throw new Error("built without the witness generator (wasm: false)");
        witness ??= witnessOutcome(built.wasm, input);
        return witness;
      },
    };
  }
}

/** Variants compiled together, each under a key of the test's choosing. */
export interface KeyedBuild {
  readonly together: TogetherBuild;
  readonly index: ReadonlyMap<string, number>;
}

/**
 * Variant `key`'s part of a build compiled together, and the witness of all
 * the variants (throws when that witness fails, naming the failure).
 */
export async function keyedPart(
  build: Promise<KeyedBuild>,
  key: string,
): Promise<{ circuit: Circuit; values: bigint[] }> {
  const { together, index } = await build;
  const k = index.get(key);
  if (k === undefined) throw new Error(`no variant ${key}`);
  const values = await together.witness();
  if (typeof values === "string") {
    throw new Error(`the witness of the circuits compiled together failed: ${values}`);
  }
  return { circuit: together.parts[k]!, values };
}

/** The witness generator's outcome: the values, or the PipelineError code (WITNESS_FAILED). */
export async function witnessOutcome(
  wasm: string,
  input: Record<string, unknown>,
): Promise<bigint[] | string> {
  try {
    return (await computeWitness(wasm, input as never)).values;
  } catch (e) {
    if (e instanceof PipelineError) return e.code;
    throw e;
  }
}
