/**
 * Universal circuits (SPEC "Universal circuits (v2)"): one circuit, one setup
 * and one verifier for every program within size bounds. The pipeline:
 * canonicalize (encode.ts) → hash (hash.ts) → circuit input (witness.ts);
 * the circuit itself is templates/universal.circom, instantiated by
 * generate.ts; build.ts keeps build directories, setup, proving, verifying.
 */
export {
  BOUND_OPTIONS,
  BoundError,
  canonicalize,
  checkBounds,
  checkBoundValues,
  DEFAULT_BOUNDS,
  type CanonicalProgram,
  type Row,
  type UniversalBounds,
} from "./encode.js";
export { hashedSequences, programHash, PROGRAM_HASH_TAG } from "./hash.js";
export { interpolate, publicSignalLayout, universalInput, type UniversalInput } from "./witness.js";
export { segmentCircom, stepBudget, universalCircom, type StepBudget } from "./generate.js";
export {
  compileUniversal,
  isSegmentDir,
  isUniversalDir,
  openUniversal,
  prepareProgram,
  proveUniversal,
  segmentBuildName,
  setUp,
  setupUniversal,
  universalBuildName,
  universalVerificationKey,
  UNIVERSAL_FORMAT,
  verifyUniversal,
  type UniversalBuildResult,
  type UniversalManifest,
  type UniversalProgram,
  type UniversalProof,
} from "./build.js";
