/**
 * Groth16 in a page with snarkjs's browser build: witness, proof and
 * verification over in-memory files. Verification goes through the shape
 * checks of src/proofshape.ts, which the Node pipeline uses too.
 */
import { groth16Prove, type ProverChoice } from "../groth16/prover.js";
import { PipelineError } from "../pipeline/errors.js";
import { verifyChecked, type VerifyResult } from "../proofshape.js";
import { snarkjs, type Groth16Proof, type Groth16VerificationKey } from "./snarkjs.js";

export { proofProblem, verificationKeyProblem, type VerifyResult } from "../proofshape.js";

/** Verifies a Groth16 proof; never throws: anything wrong is `{ valid: false, reason }`. */
export async function verifyGroth16(
  vkey: Groth16VerificationKey,
  publicSignals: unknown,
  proof: unknown,
): Promise<VerifyResult> {
  return verifyChecked(
    () => Promise.resolve((v, signals, p, logger) => snarkjs.groth16.verify(v, signals, p, logger)),
    vkey,
    publicSignals,
    proof,
  );
}

/** Computes the witness with circom's generator; WITNESS_FAILED when the circuit rejects the input. */
export async function computeWitness(
  wasm: Uint8Array,
  input: Record<string, string>,
): Promise<Uint8Array> {
  const wtns: { type: "mem"; data?: Uint8Array } = { type: "mem" };
  try {
    await snarkjs.wtns.calculate(input, { type: "mem", data: wasm }, wtns);
  } catch (e) {
    throw new PipelineError("WITNESS_FAILED", `witness computation failed: ${String(e)}`, {
      cause: e,
    });
  }
  if (wtns.data === undefined) {
    throw new PipelineError("WITNESS_FAILED", "witness computation produced no witness");
  }
  return wtns.data;
}

/**
 * A Groth16 proof of the witness with the proving key: zkvm's own prover
 * (default; WebAssembly, on web workers for large keys) or snarkjs's.
 */
export async function proveGroth16(
  zkey: Uint8Array,
  wtns: Uint8Array,
  prover: ProverChoice = "zkvm",
): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  try {
    if (prover === "zkvm") {
      const { proof, publicSignals } = await groth16Prove(zkey, wtns);
      return { proof, publicSignals };
    }
    return await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns });
  } catch (e) {
    throw new PipelineError("PROVE_FAILED", `groth16 prove failed: ${String(e)}`, { cause: e });
  }
}
