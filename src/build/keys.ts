/**
 * The Groth16 keys of a build: `zkvm setup` makes them (the direct
 * development setup by default, snarkjs's route from a powers-of-tau file
 * with `--ptau`), `zkvm setup --contribute` adds a contribution, and the
 * manifest records which kind made the key and how many contributions
 * followed.
 */
import path from "node:path";
import { directDomainPower } from "../groth16/index.js";
import { directSetupFiles } from "../groth16/node.js";
import {
  checkUserPtau,
  contributeToZkey,
  domainPower,
  groth16Setup,
  sharedCurve,
  sweepDeadTemporaries,
  withFileLock,
  writeFileAtomic,
  type Progress,
} from "../pipeline/index.js";
import { lockFile, openBuild, openSetUpBuild } from "./directory.js";
import { MANIFEST, sha256File, VKEY, type Manifest, type SetupRecord } from "./manifest.js";

export interface SetupOptions {
  /**
   * A phase-2-prepared powers-of-tau file (e.g. from a public ceremony): the
   * key is made by snarkjs from it, plus one random contribution. Default:
   * the direct development setup (no powers of tau at all).
   */
  readonly ptau?: string;
  /** Redo the setup even when the directory already has one (also replaces a damaged key). */
  readonly force?: boolean;
  readonly onProgress?: Progress;
}

export interface SetupResult {
  readonly manifest: Manifest & { readonly setup: SetupRecord };
  /** True when the directory already had a key of the kind asked for. */
  readonly cached: boolean;
}

/** Groth16 setup of a compiled build; see `SetupOptions`. */
export async function setupCircuit(dir: string, options: SetupOptions = {}): Promise<SetupResult> {
  return withFileLock(lockFile(dir), () => setupUnlocked(dir, options));
}

async function setupUnlocked(dir: string, options: SetupOptions): Promise<SetupResult> {
  // Temporary keys of a setup whose process died.
  await sweepDeadTemporaries(dir);
  // --force must be able to replace a damaged key: only the circuit is checked then.
  const build = await openBuild(dir, { withoutSetup: options.force === true });
  const { manifest } = build;
  const existing = manifest.setup;
  // Without --ptau any existing key is kept (a key from a public ceremony is
  // never silently replaced by a development one); --ptau asks for that file's key.
  if (
    existing !== undefined &&
    options.force !== true &&
    (options.ptau === undefined || path.resolve(options.ptau) === existing.ptau?.path)
  ) {
    return { manifest: { ...manifest, setup: existing }, cached: true };
  }
  const nPublic = manifest.publicSignals.length;
  const zkeyPath = path.join(dir, `${manifest.name}.zkey`);
  const vkeyPath = path.join(dir, VKEY);
  const onProgress = options.onProgress ? { onProgress: options.onProgress } : {};
  let made: Pick<SetupRecord, "kind" | "ptau" | "power" | "contributions" | "timings">;
  if (options.ptau === undefined) {
    const start = performance.now();
    // snarkjs's shared curve first: the direct setup sets it aside and puts it back (src/groth16/curve.ts).
    await sharedCurve();
    const { vkey } = await directSetupFiles(build.file("r1cs"), zkeyPath, onProgress);
    await writeFileAtomic(vkeyPath, `${JSON.stringify(vkey, null, 1)}\n`);
    made = {
      kind: "direct-development",
      power: directDomainPower(manifest.constraints, nPublic),
      contributions: 0,
      timings: { directMs: Math.round(performance.now() - start) },
    };
  } else {
    // Checked before snarkjs starts its curve's worker threads, so a bad file fails at once.
    const ptau = await checkUserPtau(options.ptau, domainPower(manifest.constraints, nPublic));
    const result = await groth16Setup({
      r1csPath: build.file("r1cs"),
      ptauPath: ptau.path,
      outDir: dir,
      name: manifest.name,
      ...onProgress,
    });
    made = {
      kind: "ptau",
      ptau: { path: path.resolve(ptau.path), power: ptau.power },
      power: result.power,
      contributions: 1,
      timings: result.timings,
    };
  }
  const setup: SetupRecord = {
    ...made,
    createdAt: new Date().toISOString(),
    zkey: path.relative(dir, zkeyPath),
    zkeySha256: await sha256File(zkeyPath),
    vkeySha256: await sha256File(vkeyPath),
  };
  return { manifest: await recordSetup(dir, manifest, setup), cached: false };
}

async function recordSetup(
  dir: string,
  manifest: Manifest,
  setup: SetupRecord,
): Promise<Manifest & { setup: SetupRecord }> {
  const updated = { ...manifest, setup };
  await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(updated, null, 2) + "\n");
  return updated;
}

/**
 * Adds one phase-2 contribution of crypto-random entropy to a build's key
 * (of either kind) and records it: the key is then safe unless this party
 * and every earlier one were dishonest. The previous key's randomness is
 * not needed; the proving and verification keys both change.
 */
export async function contributeToKey(
  dir: string,
  options: { name?: string; onProgress?: Progress } = {},
): Promise<SetupResult> {
  return withFileLock(lockFile(dir), async () => {
    await sweepDeadTemporaries(dir);
    const build = await openSetUpBuild(dir);
    const zkeyPath = path.join(dir, build.setup.zkey);
    const vkeyPath = path.join(dir, VKEY);
    const { elapsedMs } = await contributeToZkey(zkeyPath, vkeyPath, options);
    const setup: SetupRecord = {
      ...build.setup,
      contributions: build.setup.contributions + 1,
      timings: { ...build.setup.timings, lastContributionMs: elapsedMs },
      zkeySha256: await sha256File(zkeyPath),
      vkeySha256: await sha256File(vkeyPath),
    };
    return { manifest: await recordSetup(dir, build.manifest, setup), cached: false };
  });
}
