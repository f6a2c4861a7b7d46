/**
 * The library's side of segment chains: `ZKVM.segmentCircuit(bounds)`
 * compiles and sets up a segment build (once, cached by bounds) and returns a
 * handle that `vm.generateProof(inputs, { circuit, segments })` proves a
 * chain with and `vm.verifyProof(chain)` checks.
 */
import path from "node:path";
import { cacheDir, type Progress } from "../pipeline/index.js";
import { checkBoundValues, DEFAULT_BOUNDS, type UniversalBounds } from "../universal/encode.js";
import { compileUniversal, segmentBuildName, setupUniversal } from "../universal/build.js";

/** A compiled and set-up segment circuit: bounds.steps is L, the steps per segment. */
export interface SegmentCircuit {
  readonly kind: "segment";
  readonly dir: string;
  readonly bounds: UniversalBounds;
  readonly constraints: number;
}

export interface SegmentCircuitOptions {
  /** Where the build is cached (default: the zkvm cache directory, under circuits/). */
  readonly cacheDir?: string;
  readonly onProgress?: Progress;
}

const preparing = new Map<string, Promise<SegmentCircuit>>();

/** The segment circuit for `bounds` (L = bounds.steps; defaults for the rest), compiled and set up on first use. */
export function segmentCircuit(
  bounds: Partial<UniversalBounds> = {},
  options: SegmentCircuitOptions = {},
): Promise<SegmentCircuit> {
  const full: UniversalBounds = { ...DEFAULT_BOUNDS, ...bounds };
  checkBoundValues(full);
  const root = options.cacheDir ?? path.join(cacheDir(), "circuits");
  const dir = path.join(root, segmentBuildName(full));
  let ready = preparing.get(dir);
  if (ready === undefined) {
    const progress = options.onProgress ? { onProgress: options.onProgress } : {};
    ready = (async () => {
      await compileUniversal(dir, full, { ...progress, segment: true });
      const { manifest } = await setupUniversal(dir, progress);
      return { kind: "segment" as const, dir, bounds: full, constraints: manifest.constraints };
    })();
    preparing.set(dir, ready);
    ready.catch(() => preparing.delete(dir));
  }
  return ready;
}
