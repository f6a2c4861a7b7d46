/**
 * One circom2 run over an in-memory file system: the generated circuit and
 * the templates it includes (this package's templates/zkvm.circom and the
 * circomlib files it pulls in, bundled as text) go in; circom's exit code,
 * output, .r1cs and witness generator come out. Same arguments as the Node
 * pipeline (src/pipeline/circom.ts): --r1cs --wasm --O2. Runs in the page's
 * compiler worker (./circom-worker.ts), or on the main thread without workers.
 */
import aliascheck from "circomlib/circuits/aliascheck.circom";
import binsum from "circomlib/circuits/binsum.circom";
import bitify from "circomlib/circuits/bitify.circom";
import comparators from "circomlib/circuits/comparators.circom";
import compconstant from "circomlib/circuits/compconstant.circom";
import zkvmTemplates from "../../templates/zkvm.circom";
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

export interface CircomRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  r1cs?: Uint8Array;
  /** The witness generator (circom's `<name>_js/<name>.wasm`). */
  wasm?: Uint8Array;
}

export async function runCircom(compiler: WebAssembly.Module, circom: string): Promise<CircomRun> {
  const fs = new MemoryFileSystem();
  fs.writeFile("circuit.circom", circom);
  for (const [name, text] of Object.entries(LIBRARY)) fs.writeFile(`lib/${name}`, text);
  fs.mkdirs("out");
  const args = ["circom2", "circuit.circom", "--r1cs", "--wasm", "--O2", "-o", "out", "-l", "lib"];
  const result = await runWasi(compiler, args, fs);
  const r1cs = fs.readFile("out/circuit.r1cs");
  const wasm = fs.readFile("out/circuit_js/circuit.wasm");
  return {
    ...result,
    ...(r1cs !== undefined ? { r1cs } : {}),
    ...(wasm !== undefined ? { wasm } : {}),
  };
}
