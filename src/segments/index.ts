/**
 * Segment chains (SPEC "Segment chains (v3)"): a long run proven as k proofs
 * of one segment circuit (templates/segment.circom), tied together by salted
 * commitments to the machine state at each boundary. The pipeline: run and
 * cut (state.ts) → segment inputs (witness.ts) → prove (chain.ts's
 * proveSegments) → check, batched (chain.ts, batch.ts).
 */
export {
  CHAIN_FORMAT,
  proveChain,
  proveSegments,
  segmentLayout,
  signalIndex,
  verifyChain,
  type ChainProof,
  type ChainVerifyResult,
  type ProveChainOptions,
  type SegmentChain,
  type SegmentProgress,
  type SegmentProof,
} from "./chain.js";
export { batchVerify } from "./batch.js";
export {
  freshSalt,
  segmentRun,
  segmentsFor,
  stateCommitment,
  stateElements,
  stateHash,
  type BoundaryState,
  type SegmentedRun,
} from "./state.js";
export { segmentInput, segmentInputs, type SegmentInput } from "./witness.js";
export { segmentCircuit, type SegmentCircuit, type SegmentCircuitOptions } from "./library.js";
