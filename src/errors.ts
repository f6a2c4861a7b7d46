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

/** `line 3, offset 4` for a message: where in the program, not which file (paths often are in the text). */
function programLocation(location: ErrorLocation): string {
  const where: string[] = [];
  if (location.line !== undefined) where.push(`line ${location.line}`);
  if (location.offset !== undefined) where.push(`offset ${location.offset}`);
  if (location.step !== undefined) where.push(`step ${location.step}`);
  if (location.pc !== undefined) where.push(`pc ${location.pc}`);
  return where.join(", ");
}

export class ZkvmError extends Error {
  readonly stage: Stage;
  readonly code: string;
  /** The message without its location; `message` starts with the location (`line 3: ...`), so `String(e)` has it. */
  readonly detail: string;
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
    const where = programLocation(location);
    super(where === "" ? message : `${where}: ${message}`, options);
    this.name = "ZkvmError";
    this.stage = stage;
    this.code = code;
    this.detail = message;
    if (location.offset !== undefined) this.offset = location.offset;
    if (location.line !== undefined) this.line = location.line;
    if (location.step !== undefined) this.step = location.step;
    if (location.pc !== undefined) this.pc = location.pc;
    if (location.path !== undefined) this.path = location.path;
  }

  /**
   * Adds where the error happened when it was not known at the throw (the
   * file, the source line of an offset); `message` follows.
   */
  locate(more: ErrorLocation): this {
    const self = this as unknown as Record<keyof ErrorLocation, unknown>;
    for (const key of ["offset", "line", "step", "pc", "path"] as const) {
      if (more[key] !== undefined && this[key] === undefined) self[key] = more[key];
    }
    const where = programLocation(this);
    this.message = where === "" ? this.detail : `${where}: ${this.detail}`;
    return this;
  }

  /** One line for a terminal: `CODE at line 3 (offset 0x0004): message`. */
  describe(): string {
    const where: string[] = [];
    if (this.path !== undefined) where.push(this.path);
    if (this.line !== undefined) where.push(`line ${this.line}`);
    if (this.offset !== undefined) where.push(`offset ${this.offset}`);
    if (this.step !== undefined) where.push(`step ${this.step}`);
    if (this.pc !== undefined) where.push(`pc ${this.pc}`);
    return `${this.code}${where.length > 0 ? ` at ${where.join(", ")}` : ""}: ${this.detail}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      stage: this.stage,
      code: this.code,
      message: this.detail,
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
