/**
 * The Groth16 keys of a build: `zkvm setup` makes them and records how in
 * the manifest.
 */
import path from "node:path";
import {
  checkUserPtau,
  domainPower,
  groth16Setup,
  localPtau,
  requiredPower,
  sweepDeadTemporaries,
  withFileLock,
  writeFileAtomic,
  type Progress,
} from "../pipeline/index.js";
import { lockFile, openBuild } from "./directory.js";
import { MANIFEST, sha256File, type Manifest, type SetupRecord } from "./manifest.js";

export interface SetupOptions {
  /** A phase-2-prepared powers-of-tau file (e.g. from a public ceremony); default: the local development ceremony. */
  readonly ptau?: string;
  /** Redo the setup even when the directory already has one. */
  readonly force?: boolean;
  readonly onProgress?: Progress;
}

/** Groth16 setup of a compiled build: powers of tau (user's or local, cached), phase 2, verification key. */
export async function setupCircuit(
  dir: string,
  options: SetupOptions = {},
): Promise<{ manifest: Manifest; cached: boolean }> {
  return withFileLock(lockFile(dir), () => setupUnlocked(dir, options));
}

async function setupUnlocked(
  dir: string,
  options: SetupOptions,
): Promise<{ manifest: Manifest; cached: boolean }> {
  // --force must be able to replace a damaged key: only the circuit is checked then.
  // Temporary keys of a setup whose process died.
  await sweepDeadTemporaries(dir);
  const build = await openBuild(dir, { withoutSetup: options.force === true });
  const { manifest } = build;
  const samePtau =
    options.ptau === undefined || path.resolve(options.ptau) === manifest.setup?.ptau.path;
  if (manifest.setup && !options.force && samePtau) return { manifest, cached: true };
  const nPublic = manifest.publicSignals.length;
  // A user's file needs only the circuit's own domain (the local ceremony has a
  // floor: one small cached file for every tiny circuit). It is checked before
  // the curve's worker threads start, so a bad file fails at once.
  const userPtau = options.ptau
    ? await checkUserPtau(options.ptau, domainPower(manifest.constraints, nPublic))
    : undefined;
  const power = requiredPower(manifest.constraints, nPublic);
  const ptau = userPtau
    ? {
        path: path.resolve(userPtau.path),
        power: userPtau.power,
        source: "user" as const,
        cached: true,
      }
    : {
        ...(await localPtau(power, options.onProgress ? { onProgress: options.onProgress } : {})),
        source: "local-development" as const,
      };
  const result = await groth16Setup({
    r1csPath: build.file("r1cs"),
    ptauPath: ptau.path,
    outDir: dir,
    name: manifest.name,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const setup: SetupRecord = {
    ptau: {
      source: ptau.source,
      path: ptau.path,
      power: ptau.power,
      reused: ptau.source === "user" || ptau.cached,
    },
    power: result.power,
    contributions: 1,
    createdAt: new Date().toISOString(),
    timings: result.timings,
    zkey: path.relative(dir, result.zkeyPath),
    zkeySha256: await sha256File(result.zkeyPath),
    vkeySha256: await sha256File(result.vkeyPath),
  };
  const updated: Manifest = { ...manifest, setup };
  await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(updated, null, 2) + "\n");
  return { manifest: updated, cached: false };
}
