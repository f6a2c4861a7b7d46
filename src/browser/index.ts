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
export { assemble } from "../assembler.js";
export { disassemble } from "../disassembler.js";
export { decode, encode, parseHex, toHex } from "../bytecode.js";
export type { Instruction } from "../bytecode.js";
export { validate } from "../validator.js";
export type { ValidatedProgram, BasicBlock } from "../validator.js";
export { run, DEFAULT_WIDTH } from "../interpreter.js";
export type { RunOptions, RunResult, TraceStep } from "../interpreter.js";
export { loadProgram } from "../load.js";
export type { Program, IoLayout, InputDecl, OutputDecl, RawIoOptions } from "../program.js";
export type { Inputs, InputValue } from "../inputs.js";
export { Op } from "../opcodes.js";
export { P } from "../field.js";
export {
  ZkvmError,
  AssemblyError,
  ValidationError,
  InputError,
  RuntimeFault,
  CompileError,
} from "../errors.js";
export { PipelineError } from "../pipeline/errors.js";
