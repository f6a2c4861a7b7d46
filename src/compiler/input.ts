/** Named inputs → the circom input JSON of a compiled circuit (negative values mapped per SPEC). */
import { inputCells, type Inputs } from "../inputs.js";
import type { IoLayout } from "../program.js";
import { inputSignal } from "./lower.js";

export function circuitInput(io: IoLayout, inputs: Inputs): Record<string, string> {
  const cells = inputCells(io, inputs);
  const json: Record<string, string> = {};
  for (const decl of io.inputs) json[inputSignal(decl.name)] = cells.get(decl.cell)!.toString();
  return json;
}
