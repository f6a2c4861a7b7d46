/**
 * The child process that makes proofs for ./pool.ts (and for a queue
 * worker, src/distributed/worker.ts): forked by `ProverProcess`, it takes one
 * job at a time over IPC and answers with the proof or a typed error.
 *
 * A proof never runs in the parent's thread: a queue worker's main thread
 * must stay free to renew its job lock, and snarkjs does not run inside
 * BullMQ's worker-thread sandbox. The child exits as soon as its parent is
 * gone (IPC disconnect, or re-parented), so a killed worker leaves no prover
 * behind.
 */
import { pathToFileURL } from "node:url";
import { ZkvmError } from "../errors.js";
import { errorMessage } from "./errors.js";
import { proveInput, type ChildReply, type ChildRequest, type ProverModule } from "./pool.js";

// The parent died or closed the channel: nothing is waiting for a proof.
process.on("disconnect", () => process.exit(0));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();

let prover: Promise<ProverModule> | undefined;

function loadProver(module: string | undefined): Promise<ProverModule> {
  prover ??=
    module === undefined
      ? Promise.resolve<ProverModule>({ prove: proveInput })
      : (import(pathToFileURL(module).href) as Promise<ProverModule>);
  return prover;
}

function send(reply: ChildReply): void {
  process.send?.(reply);
}

process.on("message", (message: ChildRequest) => {
  void (async () => {
    try {
      const { prove: proveOne } = await loadProver(message.prover);
      const result = await proveOne(
        message.target,
        message.input,
        message.oneThread === true ? { oneThread: true } : {},
      );
      send({ kind: "proved", id: message.id, ...result });
    } catch (e) {
      send({
        kind: "failed",
        id: message.id,
        code: e instanceof ZkvmError ? e.code : "PROVE_FAILED",
        message: errorMessage(e),
      });
    }
  })();
});

send({ kind: "ready" });
