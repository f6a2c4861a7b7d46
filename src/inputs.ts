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
      throw new InputError(
        "UNKNOWN_INPUT",
        io.inputs.length > 0
          ? `the program has no input '${name}' (inputs: ${io.inputs.map((d) => d.name).join(", ")})`
          : `the program has no input '${name}': it declares no inputs (assembly declares them with .private/.public; raw bytecode takes their cells as options, --private ADDR or --public ADDR, and names them by address, as in --input 0=5)`,
      );
    }
  }
  // Own properties only: an input named `constructor` is not Object.prototype's.
  const given = (name: string) => (Object.hasOwn(inputs, name) ? inputs[name] : undefined);
  const missing = io.inputs.filter((d) => given(d.name) === undefined);
  if (missing.length > 0) {
    const list = missing.map((d) => `'${d.name}' (cell ${d.cell})`);
    throw new InputError(
      "MISSING_INPUT",
      missing.length === 1
        ? `input ${list[0]} is not given`
        : `inputs ${list.slice(0, -1).join(", ")} and ${list.at(-1)} are not given`,
    );
  }
  const cells = new Map<number, bigint>();
  for (const decl of io.inputs) cells.set(decl.cell, parseInputValue(decl.name, given(decl.name)!));
  return cells;
}
