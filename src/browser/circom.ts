/**
 * circom2 in a page: the compiler's WASI wasm compiles the generated circuit
 * in memory (./circom-run.ts) on a worker, so a compile of a few seconds does
 * not freeze the page; where workers are unavailable it runs on the calling
 * thread. Returns the .r1cs and the witness generator as bytes.
 */
import circomWorkerSource from "zkvm-worker:circom";
import { PipelineError } from "../pipeline/errors.js";
import { runCircom, type CircomRun } from "./circom-run.js";

export interface CircomBuild {
  r1cs: Uint8Array;
  /** The witness generator (circom's `<name>_js/<name>.wasm`). */
  wasm: Uint8Array;
  /** circom's warnings, ANSI colours removed. */
  stderr: string;
}

const ANSI_RE = new RegExp(String.raw`\u001b\[[0-9;]*[A-Za-z]`, "g");

/** One run on a fresh worker, terminated afterwards (circom's memory goes with it). */
function runOnWorker(compiler: WebAssembly.Module, circom: string): Promise<CircomRun> {
  const url = URL.createObjectURL(new Blob([circomWorkerSource], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return new Promise<CircomRun>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ run?: CircomRun; crash?: string }>) => {
      if (e.data.run !== undefined) resolve(e.data.run);
      else reject(new Error(e.data.crash ?? "the compiler worker failed"));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message || "the compiler worker failed"));
    };
    worker.postMessage({ compiler, circom });
  }).finally(() => worker.terminate());
}

/** Compiles Circom text with circom2's compiler module; throws CIRCOM_FAILED with circom's message. */
export async function compileCircomText(
  compiler: WebAssembly.Module,
  circom: string,
): Promise<CircomBuild> {
  let result: CircomRun;
  try {
    result =
      typeof Worker === "function"
        ? await runOnWorker(compiler, circom)
        : await runCircom(compiler, circom);
  } catch (e) {
    throw new PipelineError("CIRCOM_FAILED", `circom2 crashed: ${String(e)}`, { cause: e });
  }
  const stderr = result.stderr.replace(ANSI_RE, "");
  if (result.exitCode !== 0 || result.r1cs === undefined || result.wasm === undefined) {
    const message = (stderr || result.stdout.replace(ANSI_RE, "")).trim().split("\n").slice(0, 12);
    throw new PipelineError(
      "CIRCOM_FAILED",
      `circom failed (exit ${result.exitCode}):\n${message.join("\n")}`,
    );
  }
  return { r1cs: result.r1cs, wasm: result.wasm, stderr };
}
