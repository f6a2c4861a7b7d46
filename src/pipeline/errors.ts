/**
 * Errors of the proving pipeline (circom, powers of tau, setup, witness, prove).
 *
 * Codes (stable, tests check these, never the wording):
 * - `CIRCOM_FAILED`      circom rejected the circuit or could not run
 * - `CIRCOM_NOT_FOUND`   the circom2 package could not be resolved
 * - `R1CS_INVALID`       a .r1cs file is not readable / not an r1cs file
 * - `PTAU_INVALID`       not a ptau file, truncated, or an unsupported curve
 * - `PTAU_NOT_PREPARED`  a ptau without phase-2 (Lagrange) sections 12..15
 * - `PTAU_TOO_SMALL`     a ptau whose power is below what the circuit needs
 * - `PTAU_FAILED`        generating a local ptau failed
 * - `PTAU_LOCK_TIMEOUT`  waited too long for another process's ptau generation
 * - `SETUP_FAILED`       Groth16 setup (zkey) failed
 * - `WITNESS_FAILED`     the witness could not be computed (assert failed, bad input)
 * - `PROVE_FAILED`       snarkjs could not produce a proof from the witness
 * - `FILE_NOT_FOUND`     an input file does not exist
 * - `BAD_JSON_FILE`      a JSON file is malformed or truncated
 * - `BUILD_NOT_FOUND`    a directory holds no zkvm build (no manifest.json)
 * - `BUILD_CORRUPT`      a build's artifacts do not match its manifest (changed, truncated, mixed)
 * - `NOT_A_BUILD_DIR`    a build would replace a file or a non-empty directory that is not a build
 * - `BUILD_HAS_KEY`      a compile would replace a build that holds a proving key or a proof (without --force)
 * - `FILE_UNWRITABLE`    an output file or directory cannot be created or written
 * - `NOT_SET_UP`         proving or verifying before `zkvm setup`
 * - `BAD_LAYOUT_FILE`    a layout.json (public-signal layout of a verifier bundle) is malformed
 * - `PROVER_DIED`        a prover child process exited mid-proof, again after a retry
 * - `PROOF_INVALID`      a prover kept returning proofs that do not verify with the build's key
 * - `BUILD_MISMATCH`     a queue job is for another build (circuit or keys) than the worker's;
 *                        a single proof asked of a segment build, or a chain of a universal one
 * - `BAD_CHAIN_FILE`     a chain.json is malformed (not a zkvm segment chain)
 * - `QUEUE_UNREACHABLE`  the Redis server of `--queue` cannot be reached
 * - `QUEUE_FAILED`       a queue job failed on a worker (its error is in the message)
 * - `RUN_NOT_FOUND`      `--resume RUN` names no run on the queue, or its jobs were lost
 */
import { ZkvmError } from "../errors.js";

export type PipelineErrorCode =
  | "CIRCOM_FAILED"
  | "CIRCOM_NOT_FOUND"
  | "R1CS_INVALID"
  | "PTAU_INVALID"
  | "PTAU_NOT_PREPARED"
  | "PTAU_TOO_SMALL"
  | "PTAU_FAILED"
  | "PTAU_LOCK_TIMEOUT"
  | "SETUP_FAILED"
  | "WITNESS_FAILED"
  | "PROVE_FAILED"
  | "FILE_NOT_FOUND"
  | "BAD_JSON_FILE"
  | "BUILD_NOT_FOUND"
  | "BUILD_CORRUPT"
  | "NOT_A_BUILD_DIR"
  | "BUILD_HAS_KEY"
  | "FILE_UNWRITABLE"
  | "NOT_SET_UP"
  | "BAD_LAYOUT_FILE"
  | "PROVER_DIED"
  | "PROOF_INVALID"
  | "BUILD_MISMATCH"
  | "QUEUE_UNREACHABLE"
  | "QUEUE_FAILED"
  | "RUN_NOT_FOUND"
  | "BAD_CHAIN_FILE";

export class PipelineError extends ZkvmError {
  declare readonly code: PipelineErrorCode;
  /**
   * A tool's full report (circom's error block), when the one-line message
   * summarises it; the CLI prints it under `--verbose`.
   */
  readonly details?: string;

  constructor(
    code: PipelineErrorCode,
    message: string,
    opts: { cause?: unknown; path?: string; details?: string } = {},
  ) {
    super(
      "pipeline",
      code,
      message,
      opts.path !== undefined ? { path: opts.path } : {},
      opts.cause !== undefined ? { cause: opts.cause } : undefined,
    );
    this.name = "PipelineError";
    if (opts.details !== undefined) this.details = opts.details;
  }
}

/** Message of any thrown value, for wrapping. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
