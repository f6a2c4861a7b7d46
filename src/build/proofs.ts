/** Proving and verifying with a set-up build. */
import path from "node:path";
import { circuitInput } from "../compiler/input.js";
import type { Inputs } from "../inputs.js";
import { executeProgram, type ProofResult } from "../machine.js";
import {
  PipelineError,
  prove,
  readJsonFile,
  verificationKeyHash,
  verify,
  type Groth16Proof,
  type Groth16VerificationKey,
  type Progress,
  type VerifyResult,
} from "../pipeline/index.js";
import type { ProverChoice } from "../groth16/prover.js";
import { openSetUpBuild } from "./directory.js";
import { readBuildVerifier, verifyWithBundle } from "./verifier.js";
import { VKEY } from "./manifest.js";

/** The pipeline's prove options without undefined members (exactOptionalPropertyTypes). */
export function proveOptions(options: { onProgress?: Progress; prover?: ProverChoice }): {
  onProgress?: Progress;
  prover?: ProverChoice;
} {
  return {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.prover ? { prover: options.prover } : {}),
  };
}

/** A per-program proof: public.json lists the outputs, then the public inputs. */
export type { ProofResult } from "../machine.js";

/**
 * Proves one execution: the interpreter runs first, so a fault or a step
 * bound that is too small is a clear typed error rather than a failed witness.
 * `vkeyHash` is the `verificationKeyHash` of the key the proof was checked with.
 */
export async function proveCircuit(
  dir: string,
  inputs: Inputs,
  options: { onProgress?: Progress; prover?: ProverChoice } = {},
): Promise<ProofResult & { readonly vkeyHash: string }> {
  const build = await openSetUpBuild(dir);
  const { manifest, program } = build;
  const execution = executeProgram(program, inputs, {
    steps: manifest.steps,
    width: manifest.width,
  });
  const result = await prove(
    path.join(dir, build.setup.zkey),
    build.file("wasm"),
    circuitInput(program.io, inputs),
    proveOptions(options),
  );
  const vkey = await checkFreshProof(dir, result, path.join(dir, build.setup.zkey));
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    outputs: execution.outputs,
    steps: execution.steps,
    timings: result.timings,
    vkeyHash: verificationKeyHash(vkey),
  };
}

/**
 * snarkjs proves whatever witness it is given: a proving key from another
 * circuit with as many wires (a manifest edited to match it) gives a proof
 * that never verifies. Checking a fresh proof with the build's verification
 * key means no command reports success and writes a proof.json that its own
 * build rejects. Per-program and universal builds both check this way;
 * returns the verification key it checked with.
 */
export async function checkFreshProof(
  dir: string,
  result: { readonly proof: Groth16Proof; readonly publicSignals: readonly string[] },
  zkeyPath: string,
): Promise<Groth16VerificationKey> {
  const vkey = await readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY));
  const check = await verify(vkey, result.publicSignals, result.proof);
  if (!check.valid) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proof does not verify with the build's verification key (${check.reason ?? "invalid"}); the proving key does not belong to this circuit: run 'zkvm setup ${dir} --force'`,
      { path: zkeyPath },
    );
  }
  return vkey;
}

/** A build's verification key, checked against its manifest (no other artifact read). */
export async function readVerificationKey(dir: string): Promise<Groth16VerificationKey> {
  return (await readBuildVerifier(dir)).vkey;
}

/**
 * Verifies a proof against a build's verification key and public-signal
 * layout only (the zkey, wasm and r1cs are neither read nor hashed); says
 * why when it does not verify.
 */
export async function verifyCircuit(
  dir: string,
  proof: unknown,
  publicSignals: unknown,
): Promise<VerifyResult> {
  return verifyWithBundle(await readBuildVerifier(dir), { proof, publicSignals });
}
