/**
 * Solidity verifier export and calldata, using snarkjs's own Groth16 template
 * and calldata formatter (nothing hand-rolled).
 */

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import {
  loadSnarkjs,
  snarkjsPackageDir,
  type Groth16Proof,
  type Groth16VerificationKey,
} from "../pipeline/snarkjs.js";

export type { Groth16Proof, Groth16VerificationKey } from "../pipeline/snarkjs.js";

/**
 * Arguments of the generated `verifyProof(uint[2] _pA, uint[2][2] _pB, uint[2] _pC,
 * uint[N] _pubSignals)`, as 0x-prefixed 32-byte hex strings, exactly as snarkjs's
 * `exportSolidityCallData` orders them (each G2 coordinate pair of `b` is already
 * swapped to the EIP-197 order: imaginary part first).
 */
export interface SolidityCallArgs {
  a: [string, string];
  b: [[string, string], [string, string]];
  c: [string, string];
  input: string[];
}

let templateText: Promise<string> | undefined;

/** Path of snarkjs's `templates/verifier_groth16.sol.ejs`, resolved from the installed package. */
export function groth16TemplatePath(): string {
  return path.join(snarkjsPackageDir(), "templates", "verifier_groth16.sol.ejs");
}

function groth16Template(): Promise<string> {
  templateText ??= readFile(groth16TemplatePath(), "utf8");
  return templateText;
}

interface Ejs {
  render(template: string, data: object): string;
}

/** The ejs that snarkjs itself renders its templates with (a dependency of snarkjs). */
function snarkjsEjs(): Ejs {
  const requireFromSnarkjs = createRequire(path.join(snarkjsPackageDir(), "package.json"));
  return requireFromSnarkjs("ejs") as Ejs;
}

function isVerificationKey(value: unknown): value is Groth16VerificationKey {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["protocol"] === "string" && Array.isArray(v["IC"]);
}

/**
 * Solidity source of a Groth16 verifier contract (`contract Groth16Verifier`, with
 * `verifyProof(...) view returns (bool)`), rendered from snarkjs's template.
 *
 * - a string ending in `.json` is read as a `verification_key.json`;
 * - any other string is a `.zkey` path, handed to `snarkjs.zKey.exportSolidityVerifier`;
 * - an object is a verification key. snarkjs's `exportSolidityVerifier` only takes a
 *   zkey (it calls `exportVerificationKey(zkey)` and then `ejs.render(template, vkey)`),
 *   so for a key this function performs that same render with snarkjs's own ejs and
 *   template; the output is byte-identical to the zkey route.
 */
export async function exportSolidityVerifier(
  zkeyPathOrVkey: string | Groth16VerificationKey,
): Promise<string> {
  const template = await groth16Template();
  if (typeof zkeyPathOrVkey === "string" && !zkeyPathOrVkey.endsWith(".json")) {
    const snarkjs = await loadSnarkjs();
    return snarkjs.zKey.exportSolidityVerifier(zkeyPathOrVkey, { groth16: template });
  }
  const vkey: unknown =
    typeof zkeyPathOrVkey === "string"
      ? JSON.parse(await readFile(zkeyPathOrVkey, "utf8"))
      : zkeyPathOrVkey;
  if (!isVerificationKey(vkey) || vkey.protocol !== "groth16") {
    throw new Error("exportSolidityVerifier: not a Groth16 verification key");
  }
  return snarkjsEjs().render(template, vkey);
}

/**
 * snarkjs's `groth16.exportSolidityCallData` text: `[a0, a1],[[b..],[b..]],[c0, c1],[inputs..]`
 * (0x-prefixed hex, ready to paste into a call).
 */
export async function solidityCalldata(
  proof: Groth16Proof,
  publicSignals: readonly string[],
): Promise<string> {
  const snarkjs = await loadSnarkjs();
  return snarkjs.groth16.exportSolidityCallData(proof, publicSignals);
}

function isHexWord(v: unknown): v is string {
  return typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v);
}

function pair(v: unknown, what: string): [string, string] {
  if (!Array.isArray(v) || v.length !== 2 || !isHexWord(v[0]) || !isHexWord(v[1])) {
    throw new Error(`parseSolidityCalldata: ${what} is not a pair of hex words`);
  }
  return [v[0], v[1]];
}

/** Parses the text of `solidityCalldata` into its four arguments. */
export function parseSolidityCalldata(text: string): SolidityCallArgs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(`[${text}]`);
  } catch (e) {
    throw new Error("parseSolidityCalldata: not snarkjs calldata", { cause: e });
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) {
    throw new Error("parseSolidityCalldata: expected 4 arguments");
  }
  const [a, b, c, input] = parsed as unknown[];
  if (!Array.isArray(b) || b.length !== 2) {
    throw new Error("parseSolidityCalldata: b is not a 2x2 array");
  }
  if (!Array.isArray(input) || !input.every(isHexWord)) {
    throw new Error("parseSolidityCalldata: input is not a list of hex words");
  }
  return {
    a: pair(a, "a"),
    b: [pair(b[0], "b[0]"), pair(b[1], "b[1]")],
    c: pair(c, "c"),
    input: input.slice(),
  };
}

/** `solidityCalldata` parsed into `{ a, b, c, input }`, e.g. for ethers' ABI encoder. */
export async function solidityCallArgs(
  proof: Groth16Proof,
  publicSignals: readonly string[],
): Promise<SolidityCallArgs> {
  return parseSolidityCalldata(await solidityCalldata(proof, publicSignals));
}
