/** The public API of zkvm: everything a user imports, nothing internal. */
export { ZKVM, DEFAULT_RUN_STEPS } from "./zkvm.js";
export type {
  ZKVMOptions,
  ExecuteOptions,
  Execution,
  ProveOptions,
  UniversalProveOptions,
  ZKVMProof,
} from "./zkvm.js";
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
export { readBuildVerifier, readVerifierBundle, verifyWithBundle } from "./build/index.js";
export type { CircuitLayout, ProofToCheck, VerifierBundle } from "./build/index.js";
export { assemble } from "./assembler.js";
export { disassemble } from "./disassembler.js";
export { decode, encode, parseHex, toHex } from "./bytecode.js";
export type { Instruction } from "./bytecode.js";
export { validate } from "./validator.js";
export type { ValidatedProgram, BasicBlock } from "./validator.js";
export { run, DEFAULT_WIDTH } from "./interpreter.js";
export type { RunOptions, RunResult, TraceStep } from "./interpreter.js";
export { loadProgram } from "./load.js";
export type { Program, IoLayout, InputDecl, OutputDecl, RawIoOptions } from "./program.js";
export type { Inputs, InputValue } from "./inputs.js";
export { Op } from "./opcodes.js";
export { P } from "./field.js";
export {
  ZkvmError,
  AssemblyError,
  ValidationError,
  InputError,
  RuntimeFault,
  CompileError,
} from "./errors.js";
