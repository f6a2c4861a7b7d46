/**
 * Named inputs → initial memory cells (SPEC "Values" and "I/O"): unknown and
 * missing names, non-integers and values outside (-p, p) are errors; -v means p - v.
 */
import { InputError } from "./errors.js";
import { parseInteger, toFieldElement } from "./field.js";
import type { IoLayout } from "./program.js";

export type InputValue = bigint | number | string;
export type Inputs = Readonly<Record<string, InputValue>>;

export function parseInputValue(name: string, raw: InputValue): bigint {
  let value: bigint | undefined;
  if (typeof raw === "bigint") value = raw;
  else if (typeof raw === "number") value = Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
  else if (typeof raw === "string") value = parseInteger(raw);
  if (value === undefined) {
    throw new InputError("BAD_INPUT_VALUE", `input '${name}' = '${String(raw)}' is not an integer`);
  }
  const element = toFieldElement(value);
  if (element === undefined) {
    throw new InputError("INPUT_OUT_OF_FIELD", `input '${name}' is outside (-p, p)`);
  }
  return element;
}

/** Initial memory: each declared input's cell holds its value; every other cell is 0. */
export function inputCells(io: IoLayout, inputs: Inputs): Map<number, bigint> {
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw new InputError(
      "BAD_INPUTS",
      `inputs are an object of name: value pairs, not ${Array.isArray(inputs) ? "an array" : String(inputs)}`,
    );
  }
  const declared = new Map(io.inputs.map((d) => [d.name, d]));
  for (const name of Object.keys(inputs)) {
    if (!declared.has(name)) {
      const known = io.inputs.map((d) => d.name).join(", ") || "none";
      throw new InputError(
        "UNKNOWN_INPUT",
        `the program has no input '${name}' (inputs: ${known})`,
      );
    }
  }
  const cells = new Map<number, bigint>();
  for (const decl of io.inputs) {
    // Own properties only: an input named `constructor` is not Object.prototype's.
    const raw = Object.hasOwn(inputs, decl.name) ? inputs[decl.name] : undefined;
    if (raw === undefined) {
      throw new InputError(
        "MISSING_INPUT",
        `input '${decl.name}' (cell ${decl.cell}) is not given`,
      );
    }
    cells.set(decl.cell, parseInputValue(decl.name, raw));
  }
  return cells;
}
