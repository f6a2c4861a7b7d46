/**
 * Verifying needs only the verification key and the layout of the public
 * signals (their names, kinds and cells, and which circuit and key they
 * belong to): a "verifier bundle". It is read from a build directory
 * (manifest.json + verification_key.json, nothing else read or hashed) or
 * from the two files `zkvm export-bundle` writes (verification_key.json +
 * layout.json), so a verifier who was sent those two files can check a proof.
 */
import path from "node:path";
import type { PublicSignal } from "../compiler/index.js";
import {
  PipelineError,
  pathExists,
  readJsonFile,
  verificationKeyHash,
  verify,
  type Groth16VerificationKey,
  type VerifyResult,
} from "../pipeline/index.js";
import { openSetUpManifest } from "./directory.js";
import { SHA256_RE, sha256File, VKEY } from "./manifest.js";

export const LAYOUT = "layout.json";
const LAYOUT_FORMAT = "zkvm-layout/1";

/** What the public signals of a circuit are, and which circuit and key they belong to. */
export interface CircuitLayout {
  readonly format: typeof LAYOUT_FORMAT;
  /** sha256 of the generated Circom (program, I/O declaration, N, W). */
  readonly circuitHash: string;
  readonly programHash: string;
  readonly steps: number;
  readonly width: number;
  /** In public.json's order: the outputs, then the public inputs. */
  readonly publicSignals: readonly PublicSignal[];
  /** `verificationKeyHash` of the key these signals are checked with. */
  readonly vkeyHash: string;
}

export interface VerifierBundle {
  readonly vkey: Groth16VerificationKey;
  readonly layout: CircuitLayout;
}

/** A proof to check: snarkjs's proof and public signals, and (from the library) the circuit it names. */
export interface ProofToCheck {
  readonly proof: unknown;
  readonly publicSignals: unknown;
  readonly circuit?: { readonly circuitHash?: unknown; readonly vkeyHash?: unknown };
}

/** What is wrong with a parsed layout.json, if anything. */
function layoutProblem(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not an object";
  const r = v as Record<string, unknown>;
  if (r.format !== LAYOUT_FORMAT) return `format is not ${LAYOUT_FORMAT}`;
  for (const key of ["circuitHash", "programHash", "vkeyHash"]) {
    if (typeof r[key] !== "string" || !SHA256_RE.test(r[key])) return `bad ${key}`;
  }
  if (!Number.isSafeInteger(r.steps) || !Number.isSafeInteger(r.width)) {
    return "bad steps or width";
  }
  if (
    !Array.isArray(r.publicSignals) ||
    !r.publicSignals.every(
      (s: unknown) =>
        typeof s === "object" &&
        s !== null &&
        typeof (s as PublicSignal).name === "string" &&
        ((s as PublicSignal).kind === "output" || (s as PublicSignal).kind === "public-input"),
    )
  ) {
    return "bad publicSignals";
  }
  return undefined;
}

/** The bundle of a set-up build: its manifest and verification key, checked against each other. */
export async function readBuildVerifier(dir: string): Promise<VerifierBundle> {
  const manifest = await openSetUpManifest(dir);
  const vkeyFile = path.join(dir, VKEY);
  if (!(await pathExists(vkeyFile))) {
    throw new PipelineError("BUILD_CORRUPT", `${VKEY} is missing from the build`, {
      path: vkeyFile,
    });
  }
  if ((await sha256File(vkeyFile)) !== manifest.setup.vkeySha256) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `${VKEY} does not match the build manifest (changed, truncated or from another build); run 'zkvm setup ${dir} --force'`,
      { path: vkeyFile },
    );
  }
  const vkey = await readJsonFile<Groth16VerificationKey>(vkeyFile);
  return {
    vkey,
    layout: {
      format: LAYOUT_FORMAT,
      circuitHash: manifest.files.circom.sha256,
      programHash: manifest.programHash,
      steps: manifest.steps,
      width: manifest.width,
      publicSignals: manifest.publicSignals,
      vkeyHash: verificationKeyHash(vkey),
    },
  };
}

/** A bundle from its two files (what `zkvm export-bundle` writes). */
export async function readVerifierBundle(files: {
  vkey: string;
  layout: string;
}): Promise<VerifierBundle> {
  const vkey = await readJsonFile<Groth16VerificationKey>(files.vkey);
  const layout = await readJsonFile(files.layout);
  const problem = layoutProblem(layout);
  if (problem !== undefined) {
    throw new PipelineError("BAD_LAYOUT_FILE", `not a zkvm ${LAYOUT} (${problem})`, {
      path: files.layout,
    });
  }
  return { vkey, layout: layout as CircuitLayout };
}

/** The bundle's two files, as JSON text, by file name. */
export function bundleFiles(bundle: VerifierBundle): Record<string, string> {
  return {
    [VKEY]: `${JSON.stringify(bundle.vkey, null, 1)}\n`,
    [LAYOUT]: `${JSON.stringify(bundle.layout, null, 2)}\n`,
  };
}

/**
 * Checks a proof with a bundle alone; says why not. The key must be the one
 * the layout names, and a proof that names its circuit and key (the
 * library's) must name these: a proof for another circuit is rejected before
 * any pairing, with the reason.
 */
export async function verifyWithBundle(
  bundle: VerifierBundle,
  proof: ProofToCheck,
): Promise<VerifyResult> {
  let keyHash: string;
  try {
    keyHash = verificationKeyHash(bundle.vkey);
  } catch {
    return { valid: false, reason: "the verification key is not a Groth16 key" };
  }
  if (keyHash !== bundle.layout.vkeyHash) {
    return {
      valid: false,
      reason: "the verification key is not the one the layout was made for",
    };
  }
  const circuit = proof.circuit;
  if (circuit !== undefined && circuit.circuitHash !== bundle.layout.circuitHash) {
    return {
      valid: false,
      reason:
        "the proof is for another circuit (another program, I/O declaration, step bound or width)",
    };
  }
  if (circuit !== undefined && circuit.vkeyHash !== keyHash) {
    return {
      valid: false,
      reason:
        "the proof was made for another verification key than this circuit's (set up again since, or edited)",
    };
  }
  if (bundle.vkey.nPublic !== bundle.layout.publicSignals.length) {
    return {
      valid: false,
      reason: `the layout names ${bundle.layout.publicSignals.length} public signals, the key takes ${bundle.vkey.nPublic}`,
    };
  }
  return verify(bundle.vkey, proof.publicSignals, proof.proof);
}
