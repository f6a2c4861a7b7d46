/** The public API of zkvm: everything a user imports, nothing internal. */
export { ZKVM, DEFAULT_RUN_STEPS } from "./zkvm.js";
export type {
  ZKVMOptions,
  ExecuteOptions,
  Execution,
  ProveOptions,
  UniversalProveOptions,
  ZKVMProof,
  ChainProveOptions,
  ZKVMChain,
} from "./zkvm.js";
export type { SegmentCircuit, SegmentCircuitOptions } from "./segments/library.js";
export type {
  ChainVerifyResult,
  SegmentChain,
  SegmentProgress,
  SegmentProof,
} from "./segments/chain.js";
export { verifyChain } from "./segments/chain.js";
export type { UniversalCircuit, UniversalOptions } from "./universal/library.js";
export { universalProgramHash } from "./universal/library.js";
export type { UniversalBounds } from "./universal/encode.js";
export { DEFAULT_BOUNDS as DEFAULT_UNIVERSAL_BOUNDS } from "./universal/encode.js";
export type {
  VerifyResult,
  Progress,
  ProgressEvent,
  Groth16Proof,
  Groth16VerificationKey,
} from "./pipeline/index.js";
/**
 * Stops snarkjs's worker threads now. Optional: they keep a script alive only
 * while they work, so a script exits by itself; a long-lived process may free
 * them early. Never while a proof or verification is running; the next one
 * starts fresh workers.
 */
export { terminateCurves as close } from "./pipeline/index.js";
export { readBuildVerifier, readVerifierBundle, verifyWithBundle } from "./build/index.js";
export type { CircuitLayout, ProofToCheck, VerifierBundle } from "./build/index.js";
// The bytecode, assembler, validator, interpreter and errors, as the browser entry has them too.
export * from "./language.js";
