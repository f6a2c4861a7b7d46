/**
 * Build directories (./directory.ts), their manifests (./manifest.ts), keys
 * (./keys.ts) and proofs (./proofs.ts): the layer between the library and
 * the external toolchain (../pipeline).
 */
export {
  buildCircuit,
  openBuild,
  type Build,
  type BuildOptions,
  type BuildResult,
} from "./directory.js";
export { contributeToKey, setupCircuit, type SetupOptions, type SetupResult } from "./keys.js";
export {
  backendOf,
  BACKENDS,
  MANIFEST,
  VKEY,
  type Backend,
  type Manifest,
  type SetupRecord,
} from "./manifest.js";
export { proveCircuit, readVerificationKey, verifyCircuit, type ProofResult } from "./proofs.js";
export {
  bundleFiles,
  LAYOUT,
  readBuildVerifier,
  readVerifierBundle,
  verifyWithBundle,
  type CircuitLayout,
  type ProofToCheck,
  type VerifierBundle,
} from "./verifier.js";
