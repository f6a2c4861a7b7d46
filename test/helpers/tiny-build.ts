/**
 * A tiny set-up per-program build (examples/cubic.zkasm, N = 16: a few
 * hundred constraints, proofs in well under a second) in a temporary
 * directory, and circuit inputs for it: what the proving-pool and queue
 * tests prove many times.
 *
 *   tinyBuild(parent): Promise<{ dir, inputFor(x) }>  // dir = <parent>/cubic
 *   inputFor(x) is the circuit input of x; its proof's public signal is x^3 + x + 5.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildCircuit, setupCircuit } from "../../src/build/index.js";
import { circuitInput } from "../../src/compiler/input.js";
import { loadProgram } from "../../src/load.js";
import type { CircuitInput } from "../../src/pipeline/prove.js";
import { validate } from "../../src/validator.js";
import { EXAMPLES_DIR } from "./examples.js";

export interface TinyBuild {
  readonly dir: string;
  inputFor(x: bigint): CircuitInput;
}

export async function tinyBuild(parent: string, name = "cubic"): Promise<TinyBuild> {
  const program = validate(
    loadProgram(readFileSync(path.join(EXAMPLES_DIR, "cubic.zkasm"), "utf8")),
  );
  const dir = path.join(parent, name);
  await buildCircuit(program, dir, { steps: 16, name: "cubic" });
  await setupCircuit(dir);
  return { dir, inputFor: (x) => circuitInput(program.io, { x }) };
}

/** x^3 + x + 5: the public output of cubic's proof for x (small x). */
export const cubic = (x: bigint): string => (x * x * x + x + 5n).toString();
