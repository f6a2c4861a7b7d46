/**
 * A typed view of the part of snarkjs that zkvm uses.
 *
 * snarkjs ships no TypeScript declarations; an ambient `declare module
 * "snarkjs"` could clash with other modules' declarations, so snarkjs is
 * loaded through a non-literal specifier (the compiler does not resolve it)
 * and cast to the interface below. The specifier is resolved by Node from
 * this file's location, never from the process's cwd. src/evm uses it too.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { releaseWhenIdle } from "../groth16/workers.js";
import { closeSharedProvers } from "../groth16/prover.js";
import type { Groth16Proof, Groth16VerificationKey, SnarkjsLogger } from "../proofshape.js";

export {
  collectingLogger,
  type Groth16Proof,
  type Groth16VerificationKey,
  type SnarkjsLogger,
} from "../proofshape.js";

export interface SnarkjsCurve {
  terminate(): Promise<void>;
}

/** snarkjs's in-memory file descriptor (fastfile "mem" type). */
export interface MemFile {
  type: "mem";
  data?: Uint8Array;
}

export interface Snarkjs {
  groth16: {
    prove(
      zkeyFile: string,
      witness: string | MemFile,
      logger?: SnarkjsLogger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      vkey: unknown,
      publicSignals: unknown,
      proof: unknown,
      logger?: SnarkjsLogger,
    ): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: readonly string[]): Promise<string>;
  };
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkjsLogger): Promise<unknown>;
    contribute(
      oldZkey: string,
      newZkey: string,
      name: string,
      entropy: string,
      logger?: SnarkjsLogger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: string, logger?: SnarkjsLogger): Promise<Groth16VerificationKey>;
    exportSolidityVerifier(zkey: string, templates: { groth16: string }): Promise<string>;
  };
  powersOfTau: {
    newAccumulator(
      curve: SnarkjsCurve,
      power: number,
      ptau: string,
      logger?: SnarkjsLogger,
    ): Promise<unknown>;
    contribute(
      oldPtau: string,
      newPtau: string,
      name: string,
      entropy: string,
      logger?: SnarkjsLogger,
    ): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: SnarkjsLogger): Promise<unknown>;
  };
  wtns: {
    calculate(
      input: unknown,
      wasmFile: string,
      wtns: string | MemFile,
      options?: Record<string, unknown>,
    ): Promise<void>;
    exportJson(wtns: string | MemFile): Promise<bigint[]>;
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

let curveInFlight: Promise<unknown> | undefined;

/**
 * Builds snarkjs's bn128 curve once before setup, proving or verification.
 * ffjavascript caches the curve (and its worker threads) in
 * `globalThis.curve_bn128` only when a build finishes, so concurrent first
 * uses (`Promise.all` of proofs) each build one; all but the last are never
 * terminated and their workers keep the process alive after `terminateCurves`.
 */
export async function sharedCurve(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: unknown }).curve_bn128;
  if (cached) return releaseWhenIdle(cached);
  curveInFlight ??= loadSnarkjs()
    .then((snarkjs) => snarkjs.curves.getCurveFromName("bn128"))
    // Its workers keep Node alive only while they work: a script exits once done.
    .then(releaseWhenIdle)
    .finally(() => {
      curveInFlight = undefined;
    });
  await curveInFlight;
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
 * Stop the worker threads of the bn128 curve that snarkjs/ffjavascript cache
 * in `globalThis.curve_bn128`. Without this, a Node process that has done any
 * setup/prove/verify never exits on its own (the workers keep the event loop
 * alive, except while they work: see `releaseWhenIdle`). A script need not
 * call it; a long-lived process may, to free the workers early (CLI exit,
 * test `after` hook, the library's `close()`); the next snarkjs operation
 * simply builds a fresh curve. Never call it while a snarkjs operation is
 * still running.
 */
export async function terminateCurves(): Promise<void> {
  // zkvm's prover keeps its own curve and workers (src/groth16/prover.ts).
  await closeSharedProvers();
  const g = globalThis as {
    curve_bn128?: SnarkjsCurve | null;
    curve_bls12381?: SnarkjsCurve | null;
  };
  const curves = [g.curve_bn128, g.curve_bls12381];
  for (const c of curves) {
    if (c !== null && c !== undefined) await c.terminate();
  }
}
