/**
 * GLV for BN254's MSMs: the curve has an endomorphism of order 3,
 * φ(x, y) = (β·x, y) with β a cube root of unity in Fq, which acts on the
 * order-r subgroups as multiplication by λ, a cube root of unity mod r.
 * A scalar k below r is split into k = k1 + k2·λ (mod r) with |k1|, |k2| below
 * 2^128, so Σ kᵢ·Pᵢ = Σ k1ᵢ·Pᵢ + k2ᵢ·φ(Pᵢ): twice the points, half the bits,
 * half the windows (and half the bucket sums) of a Pippenger MSM.
 *
 * - G1: φ(x, y) = (β·x, y) = λ·(x, y).
 * - G2 (the twist over Fq2): φ(x, y) = (β²·x, y) = λ·(x, y), β² applied to
 *   both Fq coordinates of x (β is in Fq).
 *
 * Constants (the same as arkworks' ark-bn254 GLVConfig and gnark-crypto's
 * bn254; they are also checked by test/prover.test.ts and at load below):
 * λ and β, and the short basis of the lattice {(a, b) : a + b·λ ≡ 0 mod r}:
 * v1 = (A1, −G), v2 = (G, A2), with A1·A2 + G² = r.
 *
 * Split (Babai rounding with floored, precomputed quotients): for exact
 * b1 = k·A2/r and b2 = k·G/r, q1 = ⌊k·M1 / 2^256⌋ and q2 = ⌊k·M2 / 2^256⌋
 * with M1 = ⌊A2·2^256/r⌋, M2 = ⌊G·2^256/r⌋, so 0 ≤ bᵢ − qᵢ < 1.25; then
 * k1 = k − q1·A1 − q2·G = (b1 − q1)·A1 + (b2 − q2)·G (in [0, 2^127.5)), and
 * k2 = q1·G − q2·A2 = (b2 − q2)·A2 − (b1 − q1)·G (|k2| < 2^127.5). Both are
 * checked against 2^128 anyway.
 */

/** bn254's group order r. */
export const GLV_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** bn254's base field modulus q. */
export const GLV_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** λ: φ = λ· on G1 and G2. */
export const GLV_LAMBDA =
  21888242871839275217838484774961031246154997185409878258781734729429964517155n;
/** β: G1's φ multiplies x by β. */
export const GLV_BETA =
  21888242871839275220042445260109153167277707414472061641714758635765020556616n;
/** G2's φ multiplies x by β². */
export const GLV_BETA_G2 = (GLV_BETA * GLV_BETA) % GLV_Q;

const A1 = 147946756881789319000765030803803410728n;
const A2 = 147946756881789319010696353538189108491n;
const G = 9931322734385697763n;
const M1 = (A2 << 256n) / GLV_R;
const M2 = (G << 256n) / GLV_R;
const LIMIT = 1n << 128n;
const MASK64 = (1n << 64n) - 1n;

// The lattice basis must be one: a mistyped digit would make every MSM wrong.
if (A1 * A2 + G * G !== GLV_R || (A1 - G * GLV_LAMBDA) % GLV_R !== 0n) {
  throw new Error("GLV constants are inconsistent");
}

/** Half-scalar bits: every |k1|, |k2| is below 2^GLV_BITS. */
export const GLV_BITS = 128;

/** k = k1 + k2·λ (mod r), |k1|, |k2| < 2^128, for 0 ≤ k < r. */
export function glvSplit(k: bigint): [bigint, bigint] {
  const q1 = (k * M1) >> 256n;
  const q2 = (k * M2) >> 256n;
  const k1 = k - q1 * A1 - q2 * G;
  const k2 = q1 * G - q2 * A2;
  if (k1 >= LIMIT || -k1 >= LIMIT || k2 >= LIMIT || -k2 >= LIMIT) {
    throw new Error(`GLV split out of range for scalar ${k}`);
  }
  return [k1, k2];
}

/**
 * Scalars split for a GLV MSM: for scalar i, |k1| at 32-byte slot 2i and
 * |k2| at slot 2i + 1 (little-endian, the upper 16 bytes zero), and in
 * signs[i] bit 0 set when k1 < 0, bit 1 when k2 < 0. `halves` has 8 bytes
 * of padding after the last slot (the MSM's digit loads read past a scalar)
 * and `signs` is padded to a multiple of 8 bytes (the wipe works in words).
 */
export interface GlvScalars {
  n: number;
  halves: Uint8Array;
  signs: Uint8Array;
}

/** Splits n 32-byte little-endian scalars (each below r). */
export function glvScalars(scalars: Uint8Array, n: number): GlvScalars {
  const halves = new Uint8Array(n * 64 + 8);
  const signs = new Uint8Array(Math.ceil(n / 8) * 8 || 8);
  const src = new DataView(scalars.buffer, scalars.byteOffset, scalars.byteLength);
  const dst = new DataView(halves.buffer);
  for (let i = 0; i < n; i++) {
    const p = i * 32;
    const w0 = src.getBigUint64(p, true);
    const w1 = src.getBigUint64(p + 8, true);
    const w2 = src.getBigUint64(p + 16, true);
    const w3 = src.getBigUint64(p + 24, true);
    if ((w1 | w2 | w3) === 0n) {
      // 0 and small scalars (most of a sparse witness): k1 = k, k2 = 0
      dst.setBigUint64(i * 64, w0, true);
      continue;
    }
    const k = w0 | (w1 << 64n) | (w2 << 128n) | (w3 << 192n);
    let [k1, k2] = glvSplit(k);
    let s = 0;
    if (k1 < 0n) {
      k1 = -k1;
      s |= 1;
    }
    if (k2 < 0n) {
      k2 = -k2;
      s |= 2;
    }
    signs[i] = s;
    dst.setBigUint64(i * 64, k1 & MASK64, true);
    dst.setBigUint64(i * 64 + 8, k1 >> 64n, true);
    dst.setBigUint64(i * 64 + 32, k2 & MASK64, true);
    dst.setBigUint64(i * 64 + 40, k2 >> 64n, true);
  }
  return { n, halves, signs };
}

/** Zeroes a split's buffers (they are derived from the witness). */
export function wipeGlv(s: GlvScalars): void {
  s.halves.fill(0);
  s.signs.fill(0);
}
