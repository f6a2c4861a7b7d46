/**
 * A typed view of the part of snarkjs that src/evm uses.
 *
 * snarkjs ships no TypeScript declarations. Rather than declaring an ambient
 * `module "snarkjs"` (which would clash with any declaration another module
 * adds), this file loads snarkjs through a non-literal specifier, so the
 * compiler does not resolve it, and casts it to the small interface below.
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

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

export interface SnarkjsCurve {
  terminate(): Promise<void>;
}

export interface Snarkjs {
  groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasmFile: string,
      zkeyFile: string,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      vkey: Groth16VerificationKey,
      publicSignals: readonly string[],
      proof: Groth16Proof,
    ): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: readonly string[]): Promise<string>;
  };
  zKey: {
    newZKey(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string): Promise<unknown>;
    exportVerificationKey(zkeyFile: string): Promise<Groth16VerificationKey>;
    exportSolidityVerifier(zkeyFile: string, templates: { groth16: string }): Promise<string>;
  };
  powersOfTau: {
    newAccumulator(curve: SnarkjsCurve, power: number, ptauFile: string): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string): Promise<unknown>;
  };
  curves: {
    getCurveFromName(name: string): Promise<SnarkjsCurve>;
  };
}

const SNARKJS_SPECIFIER: string = "snarkjs";

let loaded: Promise<Snarkjs> | undefined;

/** The snarkjs ESM entry point (one shared instance, loaded on first use). */
export function loadSnarkjs(): Promise<Snarkjs> {
  loaded ??= import(SNARKJS_SPECIFIER) as Promise<Snarkjs>;
  return loaded;
}

/**
 * Directory of the installed snarkjs package, resolved from this module's
 * location (not cwd). snarkjs's "exports" hide its package.json, so this walks
 * up from the resolved entry point. It uses createRequire, not
 * `import.meta.resolve`, which is missing when a loader runs this module as
 * CommonJS (tsx under mocha's require(esm)).
 */
export function snarkjsPackageDir(): string {
  const entry = createRequire(import.meta.url).resolve(SNARKJS_SPECIFIER);
  let dir = path.dirname(entry);
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "snarkjs"
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no snarkjs package.json above ${entry}`);
    dir = parent;
  }
}

/**
 * Stops the worker threads of the BN254 curve snarkjs caches in
 * `globalThis.curve_bn128` (they keep a Node process alive). Safe to call at
 * any time: snarkjs rebuilds the curve on its next use.
 */
export async function terminateSnarkjsCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: SnarkjsCurve | null };
  const curve = g.curve_bn128;
  if (curve) await curve.terminate();
  g.curve_bn128 = null;
}
