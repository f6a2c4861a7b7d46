/**
 * Every failure a user can cause is a `ZkvmError`: a stage, a stable code, a
 * message, and where it happened (byte offset, source line, step, pc, path).
 * Tests check `code`, never the wording.
 */

export type Stage =
  "assemble" | "decode" | "validate" | "input" | "run" | "compile" | "pipeline" | "usage";

export interface ErrorLocation {
  /** Byte offset in the bytecode. */
  offset?: number;
  /** 1-based line in the assembly source. */
  line?: number;
  /** 0-based step at which a run-time fault happened. */
  step?: number;
  /** Program counter at a run-time fault. */
  pc?: number;
  /** File the error is about. */
  path?: string;
}

export class ZkvmError extends Error {
  readonly stage: Stage;
  readonly code: string;
  readonly offset?: number;
  readonly line?: number;
  readonly step?: number;
  readonly pc?: number;
  readonly path?: string;

  constructor(
    stage: Stage,
    code: string,
    message: string,
    location: ErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ZkvmError";
    this.stage = stage;
    this.code = code;
    if (location.offset !== undefined) this.offset = location.offset;
    if (location.line !== undefined) this.line = location.line;
    if (location.step !== undefined) this.step = location.step;
    if (location.pc !== undefined) this.pc = location.pc;
    if (location.path !== undefined) this.path = location.path;
  }

  /** One line for a terminal: `CODE at line 3 (offset 0x0004): message`. */
  describe(): string {
    const where: string[] = [];
    if (this.path !== undefined) where.push(this.path);
    if (this.line !== undefined) where.push(`line ${this.line}`);
    if (this.offset !== undefined) where.push(`offset ${this.offset}`);
    if (this.step !== undefined) where.push(`step ${this.step}`);
    if (this.pc !== undefined) where.push(`pc ${this.pc}`);
    return `${this.code}${where.length > 0 ? ` at ${where.join(", ")}` : ""}: ${this.message}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      stage: this.stage,
      code: this.code,
      message: this.message,
      offset: this.offset,
      line: this.line,
      step: this.step,
      pc: this.pc,
      path: this.path,
    };
  }
}

/** Bad assembly text: syntax, unknown mnemonic, undefined label or name. */
export class AssemblyError extends ZkvmError {
  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super("assemble", code, message, location);
    this.name = "AssemblyError";
  }
}

/** A rule of SPEC's static validation (or decoding) is broken. */
export class ValidationError extends ZkvmError {
  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super("validate", code, message, location);
    this.name = "ValidationError";
  }
}

/** Inputs that do not fit the program's I/O declarations or the field. */
export class InputError extends ZkvmError {
  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super("input", code, message, location);
    this.name = "InputError";
  }
}

/** A run-time fault per SPEC: comparison operand out of range, step bound exceeded. */
export class RuntimeFault extends ZkvmError {
  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super("run", code, message, location);
    this.name = "RuntimeFault";
  }
}

/** The circuit compiler cannot produce a circuit for these options. */
export class CompileError extends ZkvmError {
  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super("compile", code, message, location);
    this.name = "CompileError";
  }
}
