/**
 * The library's side of universal circuits: `ZKVM.universal(bounds)` compiles
 * and sets up (once, cached by bounds) and returns a handle that
 * `vm.generateProof(inputs, { circuit })` proves with and `vm.verifyProof`
 * checks against.
 */
import path from "node:path";
import { cacheDir, type Progress } from "../pipeline/index.js";
import { checkBoundValues, DEFAULT_BOUNDS, type UniversalBounds } from "./encode.js";
import { loadProgram, type ProgramSource } from "../load.js";
import type { RawIoOptions } from "../program.js";
import { compileUniversal, prepareProgram, setupUniversal, universalBuildName } from "./build.js";

/** A compiled and set-up universal circuit. */
export interface UniversalCircuit {
  readonly kind: "universal";
  readonly dir: string;
  readonly bounds: UniversalBounds;
  readonly constraints: number;
}

export interface UniversalOptions {
  /** Where the build is cached (default: the zkvm cache directory, under circuits/). */
  readonly cacheDir?: string;
  readonly onProgress?: Progress;
}

const preparing = new Map<string, Promise<UniversalCircuit>>();

/** The universal circuit for `bounds` (defaults for the rest), compiled and set up on first use. */
export function universalCircuit(
  bounds: Partial<UniversalBounds> = {},
  options: UniversalOptions = {},
): Promise<UniversalCircuit> {
  const full: UniversalBounds = { ...DEFAULT_BOUNDS, ...bounds };
  checkBoundValues(full);
  const root = options.cacheDir ?? path.join(cacheDir(), "circuits");
  const dir = path.join(root, universalBuildName(full));
  let ready = preparing.get(dir);
  if (ready === undefined) {
    const progress = options.onProgress ? { onProgress: options.onProgress } : {};
    ready = (async () => {
      await compileUniversal(dir, full, progress);
      const { manifest } = await setupUniversal(dir, progress);
      return { kind: "universal" as const, dir, bounds: full, constraints: manifest.constraints };
    })();
    preparing.set(dir, ready);
    ready.catch(() => preparing.delete(dir));
  }
  return ready;
}

/**
 * The program hash a universal proof of this program carries (as `zkvm hash`
 * prints it): a decimal string, for a consumer contract to expect.
 */
export async function universalProgramHash(
  source: ProgramSource,
  io: RawIoOptions = {},
): Promise<string> {
  return (await prepareProgram(loadProgram(source, io))).hash.toString();
}
