/**
 * Groth16 in a page with snarkjs's browser build: witness, proof and
 * verification over in-memory files, and the shape checks that make
 * verification return a reason instead of throwing on a malformed proof.
 * The checks are those of the Node pipeline (src/pipeline/prove.ts), in a
 * module with no Node imports.
 */
import { PipelineError } from "../pipeline/errors.js";
import {
  collectingLogger,
  snarkjs,
  type Groth16Proof,
  type Groth16VerificationKey,
} from "./snarkjs.js";

/** BN254 base field modulus (proof coordinates). */
const BN128_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** BN254 scalar field modulus (public signals). */
const BN128_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export interface VerifyResult {
  valid: boolean;
  /** Why the proof was rejected (absent when valid). */
  reason?: string;
}

const DECIMAL_RE = /^(0|[1-9][0-9]{0,77})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkElement(v: unknown, modulus: bigint, what: string): string | undefined {
  if (typeof v !== "string" || !DECIMAL_RE.test(v)) return `${what} is not a decimal string`;
  if (BigInt(v) >= modulus) return `${what} is not below the field modulus`;
  return undefined;
}

function checkG1(v: unknown, what: string): string | undefined {
  if (!Array.isArray(v) || v.length !== 3) return `${what} must be an array of 3 decimal strings`;
  for (let i = 0; i < 3; i++) {
    const r = checkElement(v[i], BN128_Q, `${what}[${i}]`);
    if (r !== undefined) return r;
  }
  return undefined;
}

function checkG2(v: unknown, what: string): string | undefined {
  if (!Array.isArray(v) || v.length !== 3) return `${what} must be an array of 3 pairs`;
  for (let i = 0; i < 3; i++) {
    const pair: unknown = v[i];
    if (!Array.isArray(pair) || pair.length !== 2) return `${what}[${i}] must be a pair`;
    for (let j = 0; j < 2; j++) {
      const r = checkElement(pair[j], BN128_Q, `${what}[${i}][${j}]`);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** What is wrong with a proof as snarkjs writes it, if anything. */
export function proofProblem(proof: unknown): string | undefined {
  if (!isRecord(proof)) return "proof is not an object";
  if (proof.protocol !== undefined && proof.protocol !== "groth16") {
    return "proof: protocol is not groth16";
  }
  if (proof.curve !== undefined && proof.curve !== "bn128") return "proof: curve is not bn128";
  return (
    checkG1(proof.pi_a, "proof pi_a") ??
    checkG2(proof.pi_b, "proof pi_b") ??
    checkG1(proof.pi_c, "proof pi_c")
  );
}

function publicSignalsProblem(signals: unknown, nPublic: number): string | undefined {
  if (!Array.isArray(signals)) return "public signals are not an array";
  if (signals.length !== nPublic) {
    return `expected ${nPublic} public signals, got ${signals.length}`;
  }
  for (let i = 0; i < signals.length; i++) {
    const r = checkElement(signals[i], BN128_R, `public signal ${i}`);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** What is wrong with a verification key, if anything. */
export function verificationKeyProblem(vkey: unknown): string | undefined {
  if (!isRecord(vkey)) return "verification key is not an object";
  if (vkey.protocol !== "groth16") return "verification key: protocol is not groth16";
  if (vkey.curve !== "bn128") return "verification key: curve is not bn128";
  const n = vkey.nPublic;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    return "verification key: nPublic is not a non-negative integer";
  }
  if (!Array.isArray(vkey.IC) || vkey.IC.length !== n + 1) {
    return `verification key: IC must have nPublic + 1 = ${n + 1} points`;
  }
  for (let i = 0; i < vkey.IC.length; i++) {
    const r = checkG1(vkey.IC[i], `verification key IC[${i}]`);
    if (r !== undefined) return r;
  }
  return (
    checkG1(vkey.vk_alpha_1, "verification key vk_alpha_1") ??
    checkG2(vkey.vk_beta_2, "verification key vk_beta_2") ??
    checkG2(vkey.vk_gamma_2, "verification key vk_gamma_2") ??
    checkG2(vkey.vk_delta_2, "verification key vk_delta_2")
  );
}

/** Verifies a Groth16 proof; never throws: anything wrong is `{ valid: false, reason }`. */
export async function verifyGroth16(
  vkey: Groth16VerificationKey,
  publicSignals: unknown,
  proof: unknown,
): Promise<VerifyResult> {
  try {
    const bad =
      verificationKeyProblem(vkey) ??
      proofProblem(proof) ??
      publicSignalsProblem(publicSignals, vkey.nPublic);
    if (bad !== undefined) return { valid: false, reason: bad };
    const logger = collectingLogger();
    if ((await snarkjs.groth16.verify(vkey, publicSignals, proof, logger)) === true) {
      return { valid: true };
    }
    const why = logger.errors.join("; ");
    return {
      valid: false,
      reason:
        why === "" || why === "Invalid proof"
          ? "pairing check failed: the proof does not match these public signals and key"
          : why,
    };
  } catch (e) {
    return { valid: false, reason: `verification error: ${String(e)}` };
  }
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

/** A Groth16 proof of the witness with the proving key. */
export async function proveGroth16(
  zkey: Uint8Array,
  wtns: Uint8Array,
): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  try {
    return await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns });
  } catch (e) {
    throw new PipelineError("PROVE_FAILED", `groth16 prove failed: ${String(e)}`, { cause: e });
  }
}
