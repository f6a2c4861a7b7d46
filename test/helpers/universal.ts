/**
 * The universal circuit the tests share: one build for the bounds below,
 * compiled and set up once per version of templates/universal.circom (cached
 * under os.tmpdir(), across test files and runs), and the circuit's verdict on
 * a program and inputs from its witness alone (no Groth16).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Inputs } from "../../src/inputs.js";
import { computeWitness, defaultIncludePaths, PipelineError } from "../../src/pipeline/index.js";
import type { Program } from "../../src/program.js";
import {
  openUniversal,
  prepareProgram,
  universalInput,
  type UniversalBounds,
  type UniversalManifest,
} from "../../src/universal/index.js";
import { universalCircuit, type UniversalCircuit } from "../../src/universal/library.js";
import type { Outcome } from "./witness.js";

/** Big enough for every example (power and countdown need 64 steps; wrap has 3 outputs). */
export const TEST_BOUNDS: UniversalBounds = {
  steps: 64,
  maxInstructions: 32,
  maxCells: 8,
  maxStack: 6,
  maxInputs: 3,
  maxOutputs: 3,
  width: 64,
};

function templateFingerprint(): string {
  const text = readFileSync(path.join(defaultIncludePaths()[0]!, "universal.circom"));
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Where the shared builds live: keyed by the template, so an edited template is rebuilt. */
export function testCacheDir(): string {
  return path.join(os.tmpdir(), "zkvm-universal-tests", templateFingerprint());
}

/** The shared universal circuit for `bounds`, compiled and set up (once). */
export function testCircuit(bounds: UniversalBounds = TEST_BOUNDS): Promise<UniversalCircuit> {
  return universalCircuit(bounds, { cacheDir: testCacheDir() });
}

/** Each shared build's manifest, its artifacts hashed once per run rather than before every witness. */
const manifests = new Map<string, Promise<UniversalManifest>>();

function openedBuild(dir: string): Promise<UniversalManifest> {
  let manifest = manifests.get(dir);
  if (manifest === undefined) {
    manifest = openUniversal(dir);
    manifests.set(dir, manifest);
  }
  return manifest;
}

/** The universal circuit's witness for a program and inputs: its public signals, or WITNESS_FAILED. */
export async function universalWitness(
  circuit: UniversalCircuit,
  program: Program,
  inputs: Inputs,
): Promise<{ values: bigint[]; hash: bigint } | "WITNESS_FAILED"> {
  const manifest = await openedBuild(circuit.dir);
  const prepared = await prepareProgram(program, circuit.bounds);
  const input = universalInput(prepared.canonical, prepared.program.io, circuit.bounds, inputs);
  try {
    const { values } = await computeWitness(
      path.join(circuit.dir, manifest.files.wasm.path),
      input,
    );
    return { values, hash: prepared.hash };
  } catch (e) {
    if (e instanceof PipelineError && e.code === "WITNESS_FAILED") return "WITNESS_FAILED";
    throw e;
  }
}

/**
 * The universal circuit's verdict, in the differential helpers' terms: its
 * outputs and public inputs by name (read from the fixed-size slots), or a
 * fault when no witness exists. Also checks what the slots must hold: the
 * program hash first, zero in every unused slot.
 */
export async function universalOutcome(
  circuit: UniversalCircuit,
  program: Program,
  inputs: Inputs,
): Promise<Outcome & { slotProblem?: string }> {
  const w = await universalWitness(circuit, program, inputs);
  if (w === "WITNESS_FAILED") return { kind: "fault", code: w, message: "no witness" };
  const { maxOutputs, maxInputs } = circuit.bounds;
  const signals = w.values.slice(1, 2 + maxOutputs + maxInputs);
  const outputs = program.io.outputs;
  const publics = program.io.inputs.filter((i) => i.visibility === "public");
  const problems: string[] = [];
  if (signals[0] !== w.hash) problems.push(`slot 0 is ${signals[0]}, not the program hash`);
  for (let k = outputs.length; k < maxOutputs; k++) {
    if (signals[1 + k] !== 0n) problems.push(`unused output slot ${k} is ${signals[1 + k]}`);
  }
  for (let k = publics.length; k < maxInputs; k++) {
    const v = signals[1 + maxOutputs + k];
    if (v !== 0n) problems.push(`unused public input slot ${k} is ${v}`);
  }
  return {
    kind: "halt",
    outputs: Object.fromEntries(outputs.map((o, k) => [o.name, signals[1 + k]!])),
    publicInputs: Object.fromEntries(publics.map((p, k) => [p.name, signals[1 + maxOutputs + k]!])),
    publicSignals: signals,
    ...(problems.length > 0 ? { slotProblem: problems.join("; ") } : {}),
  };
}
