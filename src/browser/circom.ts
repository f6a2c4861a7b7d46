/**
 * circom2 in a page: the compiler's WASI wasm runs over an in-memory file
 * system holding the generated circuit and the templates it includes (this
 * package's templates/zkvm.circom and the circomlib files it pulls in, bundled
 * as text), and returns the .r1cs and the witness generator's .wasm as bytes.
 * Same arguments as the Node pipeline (src/pipeline/circom.ts): --r1cs --wasm --O2.
 */
import aliascheck from "circomlib/circuits/aliascheck.circom";
import binsum from "circomlib/circuits/binsum.circom";
import bitify from "circomlib/circuits/bitify.circom";
import comparators from "circomlib/circuits/comparators.circom";
import compconstant from "circomlib/circuits/compconstant.circom";
import zkvmTemplates from "../../templates/zkvm.circom";
import { PipelineError } from "../pipeline/errors.js";
import { MemoryFileSystem, runWasi } from "./wasi.js";

/** Every file a zkvm circuit includes, transitively (zkvm.circom → comparators, bitify → ...). */
const LIBRARY: Readonly<Record<string, string>> = {
  "zkvm.circom": zkvmTemplates,
  "comparators.circom": comparators,
  "bitify.circom": bitify,
  "binsum.circom": binsum,
  "aliascheck.circom": aliascheck,
  "compconstant.circom": compconstant,
};

export interface CircomBuild {
  r1cs: Uint8Array;
  /** The witness generator (circom's `<name>_js/<name>.wasm`). */
  wasm: Uint8Array;
  /** circom's warnings, ANSI colours removed. */
  stderr: string;
}

const ANSI_RE = new RegExp(String.raw`\u001b\[[0-9;]*[A-Za-z]`, "g");

/** Compiles Circom text with circom2's compiler module; throws CIRCOM_FAILED with circom's message. */
export async function compileCircomText(
  compiler: WebAssembly.Module,
  circom: string,
): Promise<CircomBuild> {
  const fs = new MemoryFileSystem();
  fs.writeFile("circuit.circom", circom);
  for (const [name, text] of Object.entries(LIBRARY)) fs.writeFile(`lib/${name}`, text);
  fs.mkdirs("out");
  const args = ["circom2", "circuit.circom", "--r1cs", "--wasm", "--O2", "-o", "out", "-l", "lib"];
  let result;
  try {
    result = await runWasi(compiler, args, fs);
  } catch (e) {
    throw new PipelineError("CIRCOM_FAILED", `circom2 crashed: ${String(e)}`, { cause: e });
  }
  const stderr = result.stderr.replace(ANSI_RE, "");
  const r1cs = fs.readFile("out/circuit.r1cs");
  const wasm = fs.readFile("out/circuit_js/circuit.wasm");
  if (result.exitCode !== 0 || r1cs === undefined || wasm === undefined) {
    const message = (stderr || result.stdout.replace(ANSI_RE, "")).trim().split("\n").slice(0, 12);
    throw new PipelineError(
      "CIRCOM_FAILED",
      `circom failed (exit ${result.exitCode}):\n${message.join("\n")}`,
    );
  }
  return { r1cs, wasm, stderr };
}
