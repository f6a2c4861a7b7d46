/**
 * The direct backend: a compiled program's .r1cs, .sym and witness written
 * straight from the compiler's intermediate form, without circom2 (see
 * circuit.ts for how it matches circom --O2). No Node APIs: the page uses it too.
 */
import type { CompiledCircuit } from "../compiler/index.js";
import { Layout } from "./circuit.js";
import { r1csParts, symChunks, wtnsBytes } from "./files.js";
import { simplify } from "./simplify.js";
import { computeValues, WitnessError } from "./witness.js";

export { WitnessError } from "./witness.js";
export { readWireLabels } from "./files.js";

export interface DirectArtifacts {
  /** The .r1cs file, in parts to write one after the other. */
  readonly r1cs: readonly Uint8Array[];
  /** The .sym file's text, in parts. */
  readonly sym: readonly string[];
  readonly nWires: number;
  readonly nConstraints: number;
  readonly nLabels: number;
  /** Wire → signal label (the .r1cs's map section). */
  readonly labelOfWire: Int32Array;
}

function irOf(compiled: CompiledCircuit) {
  if (compiled.ir === undefined) {
    throw new Error("the direct backend needs the circuit compiled with keepNodes");
  }
  return compiled.ir;
}

/** The .r1cs and .sym circom --O2 would make of the compiled circuit's text. */
export function directArtifacts(compiled: CompiledCircuit): DirectArtifacts {
  const ir = irOf(compiled);
  const layout = new Layout(ir);
  const r1cs = simplify(layout, ir.nodes);
  return {
    r1cs: r1csParts(layout, r1cs),
    sym: symChunks(layout, r1cs),
    nWires: r1cs.nWires,
    nConstraints: r1cs.nConstraints,
    nLabels: layout.size,
    labelOfWire: r1cs.labelOfWire,
  };
}

/**
 * The witness of `input` (main input signal name → decimal value) in wire
 * order, and as snarkjs's .wtns; `labelOfWire` comes from the circuit's .r1cs
 * (readWireLabels). Throws WitnessError when the circuit rejects the input.
 */
export function directWitness(
  compiled: CompiledCircuit,
  input: Readonly<Record<string, string | bigint | number>>,
  labelOfWire: Int32Array,
): { values: bigint[]; wtns: Uint8Array } {
  const ir = irOf(compiled);
  const layout = new Layout(ir);
  const inputs: Record<string, bigint> = {};
  for (const [name, value] of Object.entries(input)) {
    try {
      inputs[name] = BigInt(value);
    } catch {
      throw new WitnessError(`input ${name} is not an integer: ${String(value)}`);
    }
  }
  const all = computeValues(layout, ir.nodes, inputs);
  const values = Array.from(labelOfWire, (l) => all[l]!);
  return { values, wtns: wtnsBytes(all, labelOfWire) };
}

/**
 * For tests: the direct R1CS's wire → label map, and `expand`, which gives
 * every signal's value (by label) from values of the wires (see simplify.ts).
 */
export function directExpansion(compiled: CompiledCircuit): {
  labelOfWire: Int32Array;
  expand: (wires: readonly bigint[], rest: readonly bigint[]) => bigint[];
} {
  const ir = irOf(compiled);
  const r1cs = simplify(new Layout(ir), ir.nodes);
  return { labelOfWire: r1cs.labelOfWire, expand: r1cs.expand };
}

/** Every signal's value by full name (`main.lt2`), eliminated ones included: for tests and debugging. */
export function directNamedValues(
  compiled: CompiledCircuit,
  inputs: Readonly<Record<string, bigint>>,
): Map<string, bigint> {
  const ir = irOf(compiled);
  const layout = new Layout(ir);
  const all = computeValues(layout, ir.nodes, inputs);
  return new Map(layout.names.map((n, l) => [n, all[l]!] as [string, bigint]).slice(1));
}
