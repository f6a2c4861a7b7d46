/**
 * The development setup in a page. Whoever runs it knows the toxic waste and
 * could forge proofs: it is for trying things out, never for proofs anyone
 * else relies on (those use prebuilt artifacts from a public ceremony).
 */
import { PipelineError } from "../pipeline/errors.js";
import { directSetup } from "../groth16/index.js";
import type { Progress } from "../pipeline/progress.js";
import type { Groth16VerificationKey } from "./snarkjs.js";

export interface DevelopmentKeys {
  zkey: Uint8Array;
  vkey: Groth16VerificationKey;
}

/**
 * A proving key and verification key for the circuit, made in the page by
 * the direct setup (src/groth16): secrets sampled with crypto.getRandomValues
 * and the key computed from the R1CS, with no powers of tau to generate or download.
 */
export async function developmentSetup(
  r1cs: Uint8Array,
  onProgress?: Progress,
): Promise<DevelopmentKeys> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const sink = {
    write(chunk: Uint8Array): void {
      // The stream may reuse its buffers: keep a copy.
      chunks.push(chunk.slice());
      size += chunk.length;
    },
  };
  try {
    const { vkey } = await directSetup(r1cs, sink, onProgress ? { onProgress } : {});
    const zkey = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      zkey.set(chunk, at);
      at += chunk.length;
    }
    return { zkey, vkey };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("SETUP_FAILED", `development setup failed: ${String(e)}`, {
      cause: e,
    });
  }
}
