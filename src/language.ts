/**
 * The part of the public API that the Node entry (src/index.ts) and the
 * browser entry (src/browser/index.ts) share: the bytecode and assembly
 * formats, the validator, the reference interpreter, the field and the
 * errors. No Node imports.
 */
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
