/**
 * The example programs of examples/: each `<name>.zkasm` (or the raw
 * `seed.hex`) with `<name>.json` beside it:
 *
 *     { "description": string,
 *       "steps": N,          // the step bound the example's circuit is compiled for
 *       "cases": [ { "inputs": { name: "decimal" }, "outputs": { name: "decimal" }, "steps": n }
 *                | { "inputs": { ... }, "error": "ERROR_CODE" } ] }
 *
 * Every case is meant to be run with the step bound N; an error case names the
 * code of the InputError or RuntimeFault it ends in.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");

export type ExampleCase =
  | {
      readonly inputs: Readonly<Record<string, string>>;
      readonly outputs: Readonly<Record<string, string>>;
      readonly steps: number;
    }
  | { readonly inputs: Readonly<Record<string, string>>; readonly error: string };

export interface Example {
  /** File name without its extension: `cubic`, `seed`, ... */
  readonly name: string;
  /** Path of the program file (`.zkasm` assembly or `.hex` bytecode). */
  readonly path: string;
  /** The program file's text: assembly, or hex for seed.hex. */
  readonly source: string;
  readonly description: string;
  /** Step bound N for the example's circuit; every case halts or faults within it. */
  readonly steps: number;
  readonly cases: readonly ExampleCase[];
}

/** Every example program that has a `<name>.json` beside it, sorted by name. */
export function loadExamples(): Example[] {
  const files = readdirSync(EXAMPLES_DIR);
  return files
    .filter((f) => f.endsWith(".zkasm") || f.endsWith(".hex"))
    .sort()
    .flatMap((file) => {
      const name = file.replace(/\.(zkasm|hex)$/, "");
      if (!files.includes(`${name}.json`)) return [];
      const spec = JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), "utf8")) as Omit<
        Example,
        "name" | "path" | "source"
      >;
      const path = join(EXAMPLES_DIR, file);
      return [{ name, path, source: readFileSync(path, "utf8"), ...spec }];
    });
}

export function isErrorCase(c: ExampleCase): c is Extract<ExampleCase, { error: string }> {
  return "error" in c;
}
