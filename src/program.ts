/**
 * A program as the rest of the pipeline sees it: bytecode plus its I/O
 * declarations (SPEC "I/O"), and for assembly a map from byte offsets to
 * source lines so that every later error can point at a line.
 */
import { decode } from "./bytecode.js";
import { ZkvmError } from "./errors.js";
import { Op } from "./opcodes.js";

export interface InputDecl {
  readonly name: string;
  readonly cell: number;
  readonly visibility: "private" | "public";
}

export interface OutputDecl {
  readonly name: string;
  readonly cell: number;
}

export interface IoLayout {
  readonly inputs: readonly InputDecl[];
  readonly outputs: readonly OutputDecl[];
}

export interface Program {
  readonly code: Uint8Array;
  readonly io: IoLayout;
  /** Byte offset of an instruction → 1-based source line (assembly only). */
  readonly lines?: ReadonlyMap<number, number>;
}

/** I/O for raw bytecode given as cell addresses (the CLI's --private/--public/--output). */
export interface RawIoOptions {
  readonly private?: readonly number[];
  readonly public?: readonly number[];
  readonly outputs?: readonly number[];
}

/**
 * SPEC: raw bytecode has no directives. Declared cells are named by their
 * decimal address; without any declaration every cell named by a STORE is a
 * public output, in address order, and there are no inputs.
 */
export function rawIoLayout(code: Uint8Array, options: RawIoOptions = {}): IoLayout {
  const inputs: InputDecl[] = [
    ...(options.private ?? []).map((cell) => ({
      name: String(cell),
      cell,
      visibility: "private" as const,
    })),
    ...(options.public ?? []).map((cell) => ({
      name: String(cell),
      cell,
      visibility: "public" as const,
    })),
  ];
  const anyDeclared =
    (options.private?.length ?? 0) +
      (options.public?.length ?? 0) +
      (options.outputs?.length ?? 0) >
    0;
  const outputCells = anyDeclared
    ? [...(options.outputs ?? [])]
    : [
        ...new Set(
          decode(code)
            .filter((i) => i.op === Op.STORE)
            .map((i) => Number(i.arg)),
        ),
      ].sort((a, b) => a - b);
  const outputs = outputCells.map((cell) => ({ name: String(cell), cell }));
  return { inputs, outputs };
}

/** Adds the source line of `offset` to an error raised about a program. */
export function locate<E extends ZkvmError>(error: E, program: Program): E {
  if (error.offset !== undefined && error.line === undefined && program.lines !== undefined) {
    const line = program.lines.get(error.offset);
    if (line !== undefined) error.locate({ line });
  }
  return error;
}
