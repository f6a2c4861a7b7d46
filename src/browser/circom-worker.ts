/**
 * The compiler worker: runs circom2 off the page's main thread so the page
 * stays responsive while a circuit compiles. It gets the compiled
 * WebAssembly.Module and the Circom text, and posts back the run
 * (./circom-run.ts) or the message of what crashed. The build
 * (scripts/build-web.ts) bundles this file into a string that ./circom.ts
 * starts as a blob: worker, so it needs no file of its own.
 */
import { runCircom } from "./circom-run.js";

interface WorkerScope {
  onmessage: ((e: { data: { compiler: WebAssembly.Module; circom: string } }) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (e) => {
  runCircom(e.data.compiler, e.data.circom).then(
    (run) => {
      const transfer = [run.r1cs?.buffer, run.wasm?.buffer].filter(
        (b): b is ArrayBuffer => b instanceof ArrayBuffer,
      );
      scope.postMessage({ run }, transfer);
    },
    (error: unknown) => scope.postMessage({ crash: String(error) }),
  );
};
