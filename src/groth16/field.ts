/**
 * Arithmetic in BN254's scalar field Fr (bigint), the small part of the
 * setup that is not a group multiplication: the Lagrange basis at τ, the QAP
 * polynomials at τ and the scalars of every key section.
 */
import { mod, P } from "../field.js";

export { mod };
/** BN254 scalar field modulus r: the machine's field P (circom's prime). */
export const R = P;
/** 2^256 mod r: the Montgomery factor of ffjavascript's wasm field (32-byte elements). */
export const MONT = (1n << 256n) % R;
/** Two-adicity of r − 1: the largest power-of-two domain is 2^28. */
export const TWO_ADICITY = 28;

export function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if ((e & 1n) === 1n) result = (result * b) % R;
    b = (b * b) % R;
    e >>= 1n;
  }
  return result;
}

/** Inverse by Fermat (a ≠ 0). */
export function inv(a: bigint): bigint {
  if (mod(a) === 0n) throw new Error("inverse of zero");
  return pow(a, R - 2n);
}

/**
 * Invert every element in place with one field inversion (Montgomery's
 * trick). Every element must be non-zero.
 */
export function batchInvert(xs: bigint[]): void {
  const n = xs.length;
  if (n === 0) return;
  const prefix = new Array<bigint>(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = (acc * (xs[i] as bigint)) % R;
  }
  let accInv = inv(acc);
  for (let i = n - 1; i >= 0; i--) {
    const x = xs[i] as bigint;
    xs[i] = (accInv * (prefix[i] as bigint)) % R;
    accInv = (accInv * x) % R;
  }
}

/**
 * The primitive 2^k-th root of unity ffjavascript uses (`Fr.w[k]`): g^t for
 * the smallest quadratic non-residue g and r − 1 = 2^28·t, squared down to
 * order 2^k. The prover's FFTs use exactly these roots, so the setup must too.
 */
export function rootOfUnity(k: number): bigint {
  if (!Number.isInteger(k) || k < 0 || k > TWO_ADICITY) throw new Error(`no 2^${k}-th root`);
  let g = 2n;
  while (pow(g, (R - 1n) >> 1n) !== R - 1n) g += 1n;
  let w = pow(g, (R - 1n) >> BigInt(TWO_ADICITY));
  for (let i = TWO_ADICITY; i > k; i--) w = (w * w) % R;
  return w;
}

/** `x` as 32 little-endian bytes at `out[offset..]` (x in [0, 2^256)). */
export function writeLE(out: Uint8Array, offset: number, x: bigint): void {
  const dv = new DataView(out.buffer, out.byteOffset + offset, 32);
  dv.setBigUint64(0, BigInt.asUintN(64, x), true);
  dv.setBigUint64(8, BigInt.asUintN(64, x >> 64n), true);
  dv.setBigUint64(16, BigInt.asUintN(64, x >> 128n), true);
  dv.setBigUint64(24, BigInt.asUintN(64, x >> 192n), true);
}

/** The 32 little-endian bytes at `buf[offset..]` as a bigint. */
export function readLE(buf: Uint8Array, offset: number): bigint {
  const dv = new DataView(buf.buffer, buf.byteOffset + offset, 32);
  return (
    dv.getBigUint64(0, true) |
    (dv.getBigUint64(8, true) << 64n) |
    (dv.getBigUint64(16, true) << 128n) |
    (dv.getBigUint64(24, true) << 192n)
  );
}
