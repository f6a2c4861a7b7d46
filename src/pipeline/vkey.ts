/**
 * The identity of a Groth16 verification key: a sha256 over its fields in a
 * fixed order, so the same key hashes the same whatever its JSON formatting.
 * A proof carries the hash of the key it was made for, and a checker rejects
 * it, with a reason, when its own key differs (no Node APIs: runs in a browser).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Groth16VerificationKey } from "./snarkjs.js";

/** sha256 (hex) of the key's protocol, curve, nPublic, α, β, γ, δ and IC. */
export function verificationKeyHash(vkey: Groth16VerificationKey): string {
  const canonical = JSON.stringify([
    vkey.protocol,
    vkey.curve,
    vkey.nPublic,
    vkey.vk_alpha_1,
    vkey.vk_beta_2,
    vkey.vk_gamma_2,
    vkey.vk_delta_2,
    vkey.IC,
  ]);
  return bytesToHex(sha256(utf8ToBytes(canonical)));
}
