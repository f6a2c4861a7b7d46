/**
 * Groth16 proofs and verification keys as snarkjs writes them: their types,
 * shape checks for them and for public signals, and verification that returns a reason instead of
 * throwing on a malformed one. No Node imports: the Node pipeline
 * (src/pipeline/prove.ts) and the browser entry (src/browser/groth16.ts) both
 * verify through this module, each with its own snarkjs build.
 */
import { P } from "./field.js";
import { errorMessage } from "./pipeline/errors.js";

/** BN254 (bn128) base field modulus q: proof and key coordinates live below it. */
export const BN128_Q =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** BN254 (bn128) scalar field modulus r: public signals live below it (the machine's p). */
export const BN128_R = P;

/** A Groth16 proof as snarkjs writes it (decimal strings, projective coordinates). */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** The content of snarkjs's verification_key.json for a Groth16 zkey. */
export interface Groth16VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12?: string[][][];
  IC: string[][];
}

export interface VerifyResult {
  valid: boolean;
  /** Why the proof was rejected (absent when valid). */
  reason?: string;
}

/** snarkjs's logger interface (any subset of these methods). */
export interface SnarkjsLogger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

/**
 * A logger that records snarkjs's error/warn lines (snarkjs reports many
 * failures by logging and returning -1 / false instead of throwing).
 */
export function collectingLogger(): SnarkjsLogger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    error: (m: string) => void errors.push(String(m)),
    warn: (m: string) => void errors.push(String(m)),
    info: () => undefined,
    debug: () => undefined,
  };
}

const DECIMAL_RE = /^(0|[1-9][0-9]{0,77})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `undefined` if `v` is a decimal string < modulus, else what is wrong. */
function checkElement(v: unknown, modulus: bigint, what: string): string | undefined {
  if (typeof v !== "string") return `${what} is not a decimal string`;
  if (!DECIMAL_RE.test(v))
    return `${what} is not a decimal string: ${JSON.stringify(v).slice(0, 40)}`;
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
  if (!Array.isArray(v) || v.length !== 3) {
    return `${what} must be an array of 3 pairs of decimal strings`;
  }
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

/** What is wrong with a verification key (shape, coordinates below q), if anything. */
export function verificationKeyProblem(vkey: unknown): string | undefined {
  if (!isRecord(vkey)) return "verification key is not an object";
  if (vkey.protocol !== "groth16") return "verification key: protocol is not groth16";
  if (vkey.curve !== "bn128") return "verification key: curve is not bn128";
  const n = vkey.nPublic;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    return "verification key: nPublic is not a non-negative integer";
  }
  const ic = vkey.IC;
  if (!Array.isArray(ic) || ic.length !== n + 1) {
    return `verification key: IC must have nPublic + 1 = ${n + 1} points`;
  }
  for (let i = 0; i < ic.length; i++) {
    const r = checkG1(ic[i], `verification key IC[${i}]`);
    if (r !== undefined) return r;
  }
  return (
    checkG1(vkey.vk_alpha_1, "verification key vk_alpha_1") ??
    checkG2(vkey.vk_beta_2, "verification key vk_beta_2") ??
    checkG2(vkey.vk_gamma_2, "verification key vk_gamma_2") ??
    checkG2(vkey.vk_delta_2, "verification key vk_delta_2")
  );
}

/** What is wrong with a proof as proof.json holds it (shape, coordinates below q), if anything. */
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

/**
 * What is wrong with public signals as public.json holds them (decimal
 * strings below r; exactly `nPublic` of them when given), if anything.
 */
export function publicSignalsProblem(signals: unknown, nPublic?: number): string | undefined {
  if (!Array.isArray(signals)) return "public signals are not an array";
  if (nPublic !== undefined && signals.length !== nPublic) {
    return `expected ${nPublic} public signals, got ${signals.length}`;
  }
  for (let i = 0; i < signals.length; i++) {
    const r = checkElement(signals[i], BN128_R, `public signal ${i}`);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** snarkjs's `groth16.verify`, from whichever build (Node or browser) the caller loaded. */
export type Groth16Verify = (
  vkey: unknown,
  publicSignals: unknown,
  proof: unknown,
  logger: SnarkjsLogger,
) => Promise<boolean>;

/**
 * Verify a Groth16 proof with `groth16Verify`. Never throws: malformed keys,
 * proofs or public signals (wrong shape, non-decimal, out of field, wrong
 * count) and snarkjs exceptions all give `{ valid: false, reason }`.
 */
export async function verifyChecked(
  groth16Verify: () => Promise<Groth16Verify>,
  vkey: unknown,
  publicSignals: unknown,
  proof: unknown,
): Promise<VerifyResult> {
  try {
    const bad =
      verificationKeyProblem(vkey) ??
      proofProblem(proof) ??
      publicSignalsProblem(publicSignals, (vkey as { nPublic: number }).nPublic);
    if (bad !== undefined) return { valid: false, reason: bad };
    const verify = await groth16Verify();
    const logger = collectingLogger();
    if ((await verify(vkey, publicSignals, proof, logger)) === true) return { valid: true };
    const why = logger.errors.join("; ");
    return {
      valid: false,
      reason:
        why === "" || why === "Invalid proof"
          ? "pairing check failed: the proof does not match these public signals and key"
          : why,
    };
  } catch (e) {
    return { valid: false, reason: `verification error: ${errorMessage(e)}` };
  }
}
