/** Proving and verifying with a set-up build. */
import path from "node:path";
import { circuitInput } from "../compiler/input.js";
import { inputCells, type Inputs } from "../inputs.js";
import { executeProgram, type ProofResult } from "../machine.js";
import {
  PipelineError,
  prove,
  readJsonFile,
  verificationKeyHash,
  verify,
  type CircuitInput,
  type Groth16Proof,
  type Groth16VerificationKey,
  type Progress,
  type VerifyResult,
} from "../pipeline/index.js";
import { openSetUpBuild } from "./directory.js";
import { readBuildVerifier, verifyWithBundle } from "./verifier.js";
import { VKEY } from "./manifest.js";

/**
 * Proves a circuit input somewhere else (`zkvm prove --queue`: on a queue's
 * workers); the proof is checked here like one made in this process.
 */
export type ExternalProver = (input: CircuitInput) => Promise<{
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
  readonly timings?: { readonly witnessMs: number; readonly proveMs: number };
}>;

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
  options: { onProgress?: Progress; prover?: ExternalProver } = {},
): Promise<ProofResult & { readonly vkeyHash: string }> {
  const build = await openSetUpBuild(dir);
  const { manifest, program } = build;
  const execution = executeProgram(program, inputs, {
    steps: manifest.steps,
    width: manifest.width,
  });
  const input = circuitInput(program.io, inputs);
  const result = options.prover
    ? await options.prover(input)
    : await prove(
        path.join(dir, build.setup.zkey),
        build.file("wasm"),
        input,
        options.onProgress ? { onProgress: options.onProgress } : {},
      );
  const vkey = await checkFreshProof(dir, result, path.join(dir, build.setup.zkey));
  if (options.prover) {
    // A proof from elsewhere (a resumed queue run) must be of these inputs' execution.
    const cells = inputCells(program.io, inputs);
    const expected = manifest.publicSignals.map((s) =>
      String(s.kind === "output" ? execution.outputs[s.name] : cells.get(s.cell)),
    );
    if (expected.join() !== result.publicSignals.join()) {
      throw new PipelineError(
        "PROOF_INVALID",
        `the proof's public signals (${result.publicSignals.join(", ")}) are not those of this execution (${expected.join(", ")}): a run of other inputs`,
        { path: dir },
      );
    }
  }
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    outputs: execution.outputs,
    steps: execution.steps,
    timings: result.timings ?? { witnessMs: 0, proveMs: 0 },
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
