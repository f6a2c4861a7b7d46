/**
 * Groth16 circuit-specific setup: zkey from r1cs + prepared ptau, one
 * contribution with crypto-random entropy, verification key export.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { errorMessage, PipelineError } from "./errors.js";
import { replaceWith, tempSibling, writeFileAtomic } from "./fsutil.js";
import { type Progress, timed } from "./progress.js";
import { checkUserPtau, domainPower } from "./ptau.js";
import { readR1csInfo } from "./r1cs.js";
import {
  collectingLogger,
  type Groth16VerificationKey,
  loadSnarkjs,
  sharedCurve,
} from "./snarkjs.js";

export interface Groth16SetupOptions {
  r1csPath: string;
  /** A phase-2-prepared ptau of sufficient power (see `localPtau`, `checkUserPtau`). */
  ptauPath: string;
  /** Receives `<name>.zkey` and `verification_key.json` (created if missing). */
  outDir: string;
  /** Base name of the zkey (default: the r1cs file name without `.r1cs`). */
  name?: string;
  onProgress?: Progress;
}

export interface Groth16SetupResult {
  zkeyPath: string;
  vkeyPath: string;
  vkey: Groth16VerificationKey;
  constraints: number;
  nPublic: number;
  /** Power of tau the circuit needs (its Groth16 domain is 2^power). */
  power: number;
  timings: {
    /** snarkjs zKey.newZKey (phase-2 initial zkey from r1cs + ptau). */
    newZkeyMs: number;
    /** One phase-2 contribution. */
    contributeMs: number;
    /** Verification key export. */
    exportVkeyMs: number;
    totalMs: number;
  };
}

/**
 * Run the Groth16 setup. Both outputs are written to temporary files and
 * renamed into place, so a failed or interrupted setup never leaves half a
 * zkey and does not replace a previous good one. The ptau is checked first
 * (typed PTAU_* errors instead of snarkjs's silent -1).
 */
export async function groth16Setup(opts: Groth16SetupOptions): Promise<Groth16SetupResult> {
  const r1csPath = path.resolve(opts.r1csPath);
  const ptauPath = path.resolve(opts.ptauPath);
  const outDir = path.resolve(opts.outDir);
  const name = opts.name ?? path.basename(r1csPath).replace(/\.r1cs$/, "");
  const { onProgress } = opts;
  const start = performance.now();

  const r1cs = await readR1csInfo(r1csPath);
  // The exact domain power (requiredPower adds a floor for cache sharing; setup needs only this).
  const power = domainPower(r1cs.nConstraints, r1cs.nPublic);
  await checkUserPtau(ptauPath, power);

  await fsp.mkdir(outDir, { recursive: true });
  const zkeyPath = path.join(outDir, `${name}.zkey`);
  const vkeyPath = path.join(outDir, "verification_key.json");
  const z0 = tempSibling(zkeyPath, ".0.zkey");
  const z1 = tempSibling(zkeyPath, ".1.zkey");
  const snarkjs = await loadSnarkjs();
  await sharedCurve();
  try {
    const t0 = await timed(onProgress, "zkey:setup", `groth16 setup ${name}`, async () => {
      const logger = collectingLogger();
      const res = await snarkjs.zKey.newZKey(r1csPath, ptauPath, z0, logger);
      if (res === -1 || logger.errors.length > 0) {
        throw new PipelineError(
          "SETUP_FAILED",
          `groth16 setup failed: ${logger.errors.join("; ") || "snarkjs returned an error"}`,
          { path: r1csPath },
        );
      }
    });
    const t1 = await timed(onProgress, "zkey:contribute", `zkey contribution ${name}`, () =>
      contribute(z0, z1, "zkvm contribution", r1csPath),
    );
    const t2 = await timed(onProgress, "zkey:vkey", "export verification key", () =>
      snarkjs.zKey.exportVerificationKey(z1),
    );
    const vkey = t2.result;
    // Each file is replaced atomically (the pair is not: a crash between the two
    // renames leaves a new zkey next to the previous verification key).
    await replaceWith(z1, zkeyPath);
    await writeFileAtomic(vkeyPath, `${JSON.stringify(vkey, null, 1)}\n`);
    return {
      zkeyPath,
      vkeyPath,
      vkey,
      constraints: r1cs.nConstraints,
      nPublic: r1cs.nPublic,
      power,
      timings: {
        newZkeyMs: t0.elapsedMs,
        contributeMs: t1.elapsedMs,
        exportVkeyMs: t2.elapsedMs,
        totalMs: Math.round(performance.now() - start),
      },
    };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("SETUP_FAILED", `groth16 setup failed: ${errorMessage(e)}`, {
      cause: e,
      path: r1csPath,
    });
  } finally {
    await Promise.all([z0, z1].map((f) => fsp.rm(f, { force: true })));
  }
}

/** One phase-2 contribution of crypto-random entropy: `next` is `previous` with it added. */
async function contribute(previous: string, next: string, name: string, at: string): Promise<void> {
  const snarkjs = await loadSnarkjs();
  await sharedCurve();
  const logger = collectingLogger();
  const res = await snarkjs.zKey.contribute(
    previous,
    next,
    name,
    randomBytes(64).toString("hex"),
    logger,
  );
  if (res === -1 || logger.errors.length > 0) {
    throw new PipelineError(
      "SETUP_FAILED",
      `zkey contribution failed: ${logger.errors.join("; ") || "snarkjs returned an error"}`,
      { path: at },
    );
  }
}

/**
 * Adds one phase-2 contribution of crypto-random entropy to `zkeyPath`, in
 * place (a temporary key renamed over it only once complete), and writes
 * its new verification key to `vkeyPath`. Works on a key from either setup
 * route: each party that runs it is one more that must be dishonest for
 * proofs to be forgeable.
 */
export async function contributeToZkey(
  zkeyPath: string,
  vkeyPath: string,
  options: { name?: string; onProgress?: Progress } = {},
): Promise<{ vkey: Groth16VerificationKey; elapsedMs: number }> {
  const next = tempSibling(zkeyPath, ".zkey");
  const start = performance.now();
  try {
    await timed(options.onProgress, "zkey:contribute", "zkey contribution", () =>
      contribute(zkeyPath, next, options.name ?? "zkvm contribution", zkeyPath),
    );
    const snarkjs = await loadSnarkjs();
    const vkey = await snarkjs.zKey.exportVerificationKey(next);
    await replaceWith(next, zkeyPath);
    await writeFileAtomic(vkeyPath, `${JSON.stringify(vkey, null, 1)}\n`);
    return { vkey, elapsedMs: Math.round(performance.now() - start) };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("SETUP_FAILED", `zkey contribution failed: ${errorMessage(e)}`, {
      cause: e,
      path: zkeyPath,
    });
  } finally {
    await fsp.rm(next, { force: true });
  }
}
