/**
 * Batch verification of k Groth16 proofs under one verification key, by a
 * random linear combination of their pairing equations. Proof i holds when
 *
 *   e(A_i, B_i) = e(alpha, beta) · e(L_i, gamma) · e(C_i, delta),
 *   L_i = IC_0 + sum_j s_ij IC_j,
 *
 * so with random weights r_i, all k hold (but with probability about k/2^128
 * over the weights) when
 *
 *   prod_i e(-r_i A_i, B_i) · e(sum r_i alpha, beta) · e(sum r_i L_i, gamma)
 *     · e(sum r_i C_i, delta) = 1,
 *
 * one product of k + 3 Miller loops and a single final exponentiation
 * (ffjavascript's pairingEq), instead of k products of 4. The weights are
 * drawn from the operating system's CSPRNG here; the Solidity chain verifier
 * (src/segments/solidity.ts) derives them from keccak over all proofs and
 * inputs, since a contract has no private randomness.
 */
import { randomBytes } from "node:crypto";
import { loadSnarkjs, sharedCurve, type Groth16VerificationKey } from "../pipeline/snarkjs.js";
import { BN128_R, proofProblem, publicSignalsProblem } from "../proofshape.js";

/** The part of ffjavascript's bn128 curve used here (it ships no types). */
interface Group {
  fromObject(o: unknown): Uint8Array;
  isValid(p: Uint8Array): boolean;
  neg(p: Uint8Array): Uint8Array;
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  timesScalar(p: Uint8Array, s: bigint): Uint8Array;
  zero: Uint8Array;
}
interface Curve {
  G1: Group;
  G2: Group;
  pairingEq(...points: Uint8Array[]): Promise<boolean>;
}

export interface BatchProof {
  readonly proof: unknown;
  readonly publicSignals: readonly string[];
}

function weight(): bigint {
  // 128 bits, never zero.
  return BigInt(`0x${randomBytes(16).toString("hex")}`) | 1n;
}

type Point = [string, string, string];
type Point2 = [[string, string], [string, string], [string, string]];

/**
 * Whether every proof verifies under `vkey` (one batched pairing check).
 * Malformed proofs or signals give `{ valid: false, index, reason }`; a
 * failed batch does not say which proof is bad (verify them one by one for that).
 */
export async function batchVerify(
  vkey: Groth16VerificationKey,
  proofs: readonly BatchProof[],
): Promise<{ valid: boolean; index?: number; reason?: string }> {
  const snarkjs = await loadSnarkjs();
  await sharedCurve();
  const curve = (await snarkjs.curves.getCurveFromName("bn128")) as unknown as Curve;
  const { G1, G2 } = curve;
  const ic = (vkey.IC as Point[]).map((p) => G1.fromObject(p.map(BigInt)));
  const nPublic = ic.length - 1;
  // Per public signal j, sum_i r_i s_ij; and sum_i r_i for IC_0 and alpha.
  const icWeights = new Array<bigint>(ic.length).fill(0n);
  let sumC = G1.zero;
  const pairs: Uint8Array[] = [];
  for (const [index, { proof, publicSignals }] of proofs.entries()) {
    const shape = proofProblem(proof) ?? publicSignalsProblem(publicSignals, nPublic);
    if (shape !== undefined) return { valid: false, index, reason: shape };
    const p = proof as { pi_a: Point; pi_b: Point2; pi_c: Point };
    const a = G1.fromObject(p.pi_a.map(BigInt));
    const b = G2.fromObject(p.pi_b.map((c) => c.map(BigInt)));
    const c = G1.fromObject(p.pi_c.map(BigInt));
    if (!G1.isValid(a) || !G2.isValid(b) || !G1.isValid(c)) {
      return { valid: false, index, reason: "a proof point is not on the curve" };
    }
    const r = weight();
    pairs.push(G1.neg(G1.timesScalar(a, r)), b);
    sumC = G1.add(sumC, G1.timesScalar(c, r));
    icWeights[0] = (icWeights[0]! + r) % BN128_R;
    publicSignals.forEach((s, j) => {
      icWeights[j + 1] = (icWeights[j + 1]! + r * BigInt(s)) % BN128_R;
    });
  }
  const sumA = G1.timesScalar(
    G1.fromObject((vkey.vk_alpha_1 as string[]).map(BigInt)),
    icWeights[0]!,
  );
  let sumL = G1.zero;
  ic.forEach((point, j) => {
    if (icWeights[j] !== 0n) sumL = G1.add(sumL, G1.timesScalar(point, icWeights[j]!));
  });
  const g2 = (p: unknown) => G2.fromObject((p as string[][]).map((c) => c.map(BigInt)));
  pairs.push(sumA, g2(vkey.vk_beta_2), sumL, g2(vkey.vk_gamma_2), sumC, g2(vkey.vk_delta_2));
  const valid = await curve.pairingEq(...pairs);
  return valid
    ? { valid }
    : { valid, reason: "the batched pairing check fails: a proof is invalid" };
}
