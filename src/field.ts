/** The BN254 scalar field, which circom and snarkjs use by default (SPEC "Values"). */
export const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export function mod(x: bigint): bigint {
  const r = x % P;
  return r < 0n ? r + P : r;
}

/**
 * Parses a decimal or 0x-hex integer, with an optional leading minus.
 * Returns undefined when the text is not an integer at all.
 */
export function parseInteger(text: string): bigint | undefined {
  const t = text.trim();
  const m = /^(-?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(t);
  if (!m) return undefined;
  const magnitude = BigInt(m[2]!);
  return m[1] === "-" ? -magnitude : magnitude;
}

/**
 * SPEC: an input written as -v (0 < v < p) means p - v; anything outside
 * (-p, p) is rejected, never reduced. Returns undefined when out of range.
 */
export function toFieldElement(value: bigint): bigint | undefined {
  if (value <= -P || value >= P) return undefined;
  return value < 0n ? P + value : value;
}
