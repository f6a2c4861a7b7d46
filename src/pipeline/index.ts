/**
 * The external toolchain: circom2 (compile), snarkjs (powers of tau, Groth16
 * setup, proving, verification), the witness generator, and the file-system
 * primitives they share (atomic replacement, temporaries, locks).
 */
export { PipelineError, type PipelineErrorCode } from "./errors.js";
export { type Progress, type ProgressEvent } from "./progress.js";
export {
  circomCompilerVersion,
  circomlibCircuitsDir,
  circomVersion,
  compileCircom,
  defaultIncludePaths,
  type CircomOptimization,
  type CompileCircomOptions,
  type CompileCircomResult,
} from "./circom.js";
export { readR1csInfo, readR1csWireLabels, type R1csInfo } from "./r1cs.js";
export {
  cacheDir,
  checkUserPtau,
  domainPower,
  localPtau,
  localPtauFileName,
  MAX_PTAU_POWER,
  MIN_PTAU_POWER,
  readPtauInfo,
  requiredPower,
  type LocalPtauOptions,
  type LocalPtauResult,
  type PtauInfo,
} from "./ptau.js";
export {
  contributeToZkey,
  groth16Setup,
  type Groth16SetupOptions,
  type Groth16SetupResult,
} from "./setup.js";
export {
  computeWitness,
  proofProblem,
  prove,
  proveWitness,
  publicSignalsProblem,
  readJsonFile,
  verify,
  type CircuitInput,
  type CircuitInputValue,
  type ProveOptions,
  type ProveResult,
  type VerifyResult,
  type Witness,
  type WitnessOptions,
} from "./prove.js";
export {
  sharedCurve,
  snarkjsPackageDir,
  terminateCurves,
  type Groth16Proof,
  type Groth16VerificationKey,
} from "./snarkjs.js";
export { errorMessage } from "./errors.js";
export {
  isErrnoException,
  pathExists,
  replaceWith,
  sweepDeadTemporaries,
  tempSibling,
  withFileLock,
  writeFileAtomic,
} from "./fsutil.js";
export { packageRoot, snarkjsVersion, zkvmVersion } from "./package.js";
export { readZkeyInfo, type ZkeyInfo } from "./zkey.js";
export { verificationKeyHash } from "./vkey.js";
