/**
 * Direct Groth16 development setup (browser-safe: no Node APIs on this
 * module's import path). See ./setup.ts for the construction.
 */
export {
  directDomainPower,
  directSetup,
  type ByteSink,
  type DirectSetupOptions,
  type DirectSetupResult,
  type Groth16Secrets,
} from "./setup.js";
export type { Groth16VerificationKey } from "../proofshape.js";
export {
  closeSharedProvers,
  groth16Prove,
  Prover,
  PROVER_CHOICES,
  ProverInputError,
  type ProverChoice,
  readProvingKey,
  readWitness,
  type ZkvmProveResult,
} from "./prover.js";
