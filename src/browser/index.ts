/// <reference lib="dom" />
// The browser modules use the DOM library's WebAssembly, fetch and IndexedDB types.
/**
 * zkvm/browser: the library for a page. The same ZKVM API as the Node entry
 * (compile with circom2 in the page, development setup, witness, Groth16
 * proof, verification) plus prebuilt artifacts; no Node built-in on any path.
 */
export { ZKVM, DEFAULT_RUN_STEPS } from "./zkvm.js";
export type {
  ArtifactSource,
  Compilation,
  ExecuteOptions,
  Execution,
  PrebuiltArtifacts,
  ProveOptions,
  ZKVMOptions,
  ZKVMProof,
} from "./zkvm.js";
export type { VerifyResult } from "./groth16.js";
export type { Groth16Proof, Groth16VerificationKey } from "./snarkjs.js";
export type { Progress, ProgressEvent } from "../pipeline/progress.js";
export type { CompiledCircuit, PublicSignal } from "../compiler/index.js";
export type { ProfileEntry } from "../compiler/lower.js";
// The bytecode, assembler, validator, interpreter and errors, as the Node entry has them too.
export * from "../language.js";
export { PipelineError } from "../pipeline/errors.js";
