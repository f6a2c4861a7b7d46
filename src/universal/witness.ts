/**
 * The universal circuit's input for one program and its named inputs
 * (templates/universal.circom, template Universal): the program as the
 * coefficients of op(i) and arg(i), its cells and outputs, the input
 * thermometers, and the input values by renumbered cell. circom's witness
 * generator computes the rest (the N steps) from these.
 */
import { mod, P } from "../field.js";
import { inv } from "../groth16/field.js";
import { inputCells, type Inputs } from "../inputs.js";
import type { IoLayout } from "../program.js";
import type { CanonicalProgram, UniversalBounds } from "./encode.js";
import { hashedSequences } from "./hash.js";

export type UniversalInput = Record<string, string | string[]>;

/**
 * Coefficients c[0..n-1] (lowest first) of the polynomial of degree < n with
 * c(i) = values[i] for i = 0..n-1 (Lagrange interpolation, O(n^2)).
 */
export function interpolate(values: readonly bigint[]): bigint[] {
  const n = values.length;
  // master(X) = prod_j (X - j), degree n, lowest coefficient first.
  let master: bigint[] = [1n];
  for (let j = 0; j < n; j++) {
    const next = new Array<bigint>(master.length + 1).fill(0n);
    master.forEach((c, k) => {
      next[k + 1] = mod(next[k + 1]! + c);
      next[k] = mod(next[k]! - BigInt(j) * c);
    });
    master = next;
  }
  const coefficients = new Array<bigint>(n).fill(0n);
  const factorial = [1n];
  for (let k = 1; k <= n; k++) factorial.push((factorial[k - 1]! * BigInt(k)) % P);
  for (let i = 0; i < n; i++) {
    const y = mod(values[i]!);
    if (y === 0n) continue;
    // prod_{j != i} (i - j) = i! (n-1-i)! (-1)^(n-1-i)
    let denominator = (factorial[i]! * factorial[n - 1 - i]!) % P;
    if ((n - 1 - i) % 2 === 1) denominator = mod(-denominator);
    const weight = (y * inv(denominator)) % P;
    // master / (X - i), by synthetic division from the top.
    let carry = 0n;
    for (let k = n; k >= 1; k--) {
      carry = mod(master[k]! + carry * BigInt(i));
      coefficients[k - 1] = mod(coefficients[k - 1]! + weight * carry);
    }
  }
  return coefficients;
}

const pad = (xs: readonly bigint[], n: number) => [
  ...xs,
  ...new Array<bigint>(n - xs.length).fill(0n),
];
const strings = (xs: readonly bigint[]) => xs.map((x) => x.toString());

/** The circuit input; the program must fit the bounds (checkBounds) and the inputs its declaration. */
export function universalInput(
  program: CanonicalProgram,
  io: IoLayout,
  bounds: UniversalBounds,
  inputs: Inputs,
): UniversalInput {
  const values = inputCells(io, inputs);
  const byCell = new Array<bigint>(bounds.maxInputs).fill(0n);
  for (const [address, value] of values) byCell[program.cellOf.get(address)!] = value;
  const thermometer = (count: number) =>
    Array.from({ length: bounds.maxInputs }, (_, j) => (j < count ? "1" : "0"));
  const rows = pad(
    program.rows.map((r) => BigInt(r.op)),
    bounds.maxInstructions,
  );
  const args = pad(
    program.rows.map((r) => r.arg),
    bounds.maxInstructions,
  );
  // The circuit hashes these slots as they are, so they carry the hash's encoding (+1).
  const hashed = hashedSequences(program);
  return {
    opC: strings(interpolate(rows)),
    argC: strings(interpolate(args)),
    cellAddress: strings(pad(hashed.cells, bounds.maxCells)),
    outputCell: strings(pad(hashed.outputs, bounds.maxOutputs)),
    isIn: thermometer(program.inputs),
    isPublic: thermometer(program.publicInputs),
    maxHeight: program.maxHeight.toString(),
    publicIn: strings(byCell.map((v, j) => (j < program.publicInputs ? v : 0n))),
    privateIn: strings(
      byCell.map((v, j) => (j >= program.publicInputs && j < program.inputs ? v : 0n)),
    ),
  };
}

/**
 * The public signals a proof of this program has (snarkjs public.json order):
 * hash, the outputs' values in OUT slots, the public inputs in IN slots.
 */
export function publicSignalLayout(
  io: IoLayout,
  bounds: UniversalBounds,
): Array<{ name: string; kind: "program-hash" | "output" | "public-input" | "unused" }> {
  const outputs = io.outputs.map((o) => ({ name: o.name, kind: "output" as const }));
  const publics = io.inputs
    .filter((i) => i.visibility === "public")
    .map((i) => ({ name: i.name, kind: "public-input" as const }));
  const unused = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, k) => ({ name: `${prefix}${k}`, kind: "unused" as const }));
  return [
    { name: "programHash", kind: "program-hash" },
    ...outputs,
    ...unused("out", bounds.maxOutputs - outputs.length).map((u, k) => ({
      ...u,
      name: `out[${outputs.length + k}]`,
    })),
    ...publics,
    ...unused("publicIn", bounds.maxInputs - publics.length).map((u, k) => ({
      ...u,
      name: `publicIn[${publics.length + k}]`,
    })),
  ];
}
