/// <reference lib="dom" />
/**
 * The development setup in a page. Whoever runs it knows the toxic waste and
 * could forge proofs: it is for trying things out, never for proofs anyone
 * else relies on (those use prebuilt artifacts from a public ceremony).
 */
import { PipelineError } from "../pipeline/errors.js";
import { snarkjs, type Groth16VerificationKey } from "./snarkjs.js";

export interface DevelopmentKeys {
  zkey: Uint8Array;
  vkey: Groth16VerificationKey;
}

/** Constraints and public signals from the .r1cs header (section 1), for the Groth16 domain. */
export function r1csHeader(r1cs: Uint8Array): { nConstraints: number; nPublic: number } {
  const view = new DataView(r1cs.buffer, r1cs.byteOffset, r1cs.byteLength);
  const magic = String.fromCharCode(...r1cs.subarray(0, 4));
  if (magic !== "r1cs" || r1cs.length < 12) {
    throw new PipelineError("R1CS_INVALID", "not an .r1cs file");
  }
  let at = 12;
  for (let s = 0; s < view.getUint32(8, true); s++) {
    const type = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    at += 12;
    if (type === 1) {
      const n8 = view.getUint32(at, true);
      const o = at + 4 + n8;
      const nOutputs = view.getUint32(o + 4, true);
      const nPublicInputs = view.getUint32(o + 8, true);
      return { nConstraints: view.getUint32(o + 24, true), nPublic: nOutputs + nPublicInputs };
    }
    at += size;
  }
  throw new PipelineError("R1CS_INVALID", "the .r1cs file has no header section");
}

/** snarkjs's domain power for a circuit: the smallest 2^k > constraints + public signals, at least 2^8. */
function domainPower(r1cs: Uint8Array): number {
  const { nConstraints, nPublic } = r1csHeader(r1cs);
  let k = 8;
  while (2 ** k <= nConstraints + nPublic) k++;
  return k;
}

function entropy(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A proving key and verification key for the circuit, made in the page. */
export async function developmentSetup(r1cs: Uint8Array): Promise<DevelopmentKeys> {
  try {
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    const ptau0 = { type: "mem" as const };
    const ptau1 = { type: "mem" as const };
    const ptau2 = { type: "mem" as const };
    await snarkjs.powersOfTau.newAccumulator(curve, domainPower(r1cs), ptau0);
    await snarkjs.powersOfTau.contribute(ptau0, ptau1, "zkvm page", entropy());
    await snarkjs.powersOfTau.preparePhase2(ptau1, ptau2);
    const zkey0: { type: "mem"; data?: Uint8Array } = { type: "mem" };
    const zkey1: { type: "mem"; data?: Uint8Array } = { type: "mem" };
    await snarkjs.zKey.newZKey({ type: "mem", data: r1cs }, ptau2, zkey0);
    await snarkjs.zKey.contribute(zkey0, zkey1, "zkvm page", entropy());
    if (zkey1.data === undefined) throw new Error("snarkjs wrote no proving key");
    const vkey = await snarkjs.zKey.exportVerificationKey(zkey1);
    return { zkey: zkey1.data, vkey };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("SETUP_FAILED", `development setup failed: ${String(e)}`, {
      cause: e,
    });
  }
}
