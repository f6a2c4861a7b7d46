/**
 * What the soundness tests' forgers need: circom2 builds of a circuit and of
 * its forgers (the circuit with one guard taken out), compiled a few at a
 * time and cached by text and optimisation level, and the witness
 * generator's outcome on an input. test/soundness.test.ts and
 * test/universal-soundness.test.ts use it.
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
    { wasm = true }: { readonly wasm?: boolean } = {},
  ): Promise<ForgerBuild> {
    const hash = createHash("sha256").update(circom);
    for (const [name, text] of Object.entries(beside)) hash.update(`\0${name}\0${text}`);
    const key = `${hash.digest("hex").slice(0, 16)}-${optimize}${wasm ? "" : "-r1cs"}`;
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
            ...(this.options.inspect === true ? { inspect: true } : {}),
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
