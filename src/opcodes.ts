/** The v1 instruction set, one row per opcode of SPEC's encoding table. */
export enum Op {
  PUSH = 0x01,
  ADD = 0x02,
  MUL = 0x03,
  STORE = 0x04,
  LOAD = 0x05,
  JUMP = 0x06,
  JUMPI = 0x07,
  EQ = 0x08,
  LT = 0x09,
  GT = 0x0a,
  STOP = 0xff,
}

/** What an immediate means: a field value, a memory address, or a code offset. */
export type ImmediateKind = "none" | "value" | "address" | "target";

export interface OpcodeInfo {
  readonly op: Op;
  readonly mnemonic: string;
  readonly immediate: ImmediateKind;
  /** Values popped from the stack. */
  readonly pops: number;
  /** Values pushed onto the stack. */
  readonly pushes: number;
}

function info(op: Op, immediate: ImmediateKind, pops: number, pushes: number): [Op, OpcodeInfo] {
  return [op, { op, mnemonic: Op[op], immediate, pops, pushes }];
}

export const OPCODES: ReadonlyMap<Op, OpcodeInfo> = new Map([
  info(Op.PUSH, "value", 0, 1),
  info(Op.ADD, "none", 2, 1),
  info(Op.MUL, "none", 2, 1),
  info(Op.STORE, "address", 1, 0),
  info(Op.LOAD, "address", 0, 1),
  info(Op.JUMP, "target", 0, 0),
  info(Op.JUMPI, "target", 1, 0),
  info(Op.EQ, "none", 2, 1),
  info(Op.LT, "none", 2, 1),
  info(Op.GT, "none", 2, 1),
  info(Op.STOP, "none", 0, 0),
]);

export const MNEMONICS: ReadonlyMap<string, OpcodeInfo> = new Map(
  [...OPCODES.values()].map((i) => [i.mnemonic, i]),
);

export function opcodeInfo(op: Op): OpcodeInfo {
  const i = OPCODES.get(op);
  if (i === undefined) throw new Error(`not an opcode: ${op}`);
  return i;
}

/** SPEC: STORE/LOAD addresses are below 2^32. */
export const ADDRESS_LIMIT = 1n << 32n;
/** SPEC: the stack never holds more than 1024 values. */
export const MAX_STACK = 1024;
