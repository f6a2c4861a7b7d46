/**
 * The part of ffjavascript (no TypeScript declarations of its own) that the
 * direct setup uses: a bn128 curve built with extra wasm code, its thread
 * manager, and the group/field helpers for the few points handled on the
 * main thread.
 */
declare module "ffjavascript" {
  /** wasmbuilder's ModuleBuilder, as ffjavascript hands it to a plugin. */
  export interface WasmModuleBuilder {
    addFunction(name: string): WasmFunctionBuilder;
    exportFunction(name: string, exportName?: string): void;
    alloc(size: number): number;
    alloc(bytes: ArrayLike<number>): number;
  }
  export interface WasmFunctionBuilder {
    addParam(name: string, type: "i32" | "i64"): void;
    addLocal(name: string, type: "i32" | "i64"): void;
    setReturnType(type: "i32" | "i64"): void;
    getCodeBuilder(): WasmCodeBuilder;
    addCode(...code: number[][]): void;
  }
  /** Emits wasm instructions as byte arrays (see wasmbuilder's codebuilder.js). */
  export interface WasmCodeBuilder {
    getLocal(name: string): number[];
    setLocal(name: string, value: number[]): number[];
    call(fn: string, ...args: number[][]): number[];
    if(cond: number[], then: number[], otherwise?: number[]): number[];
    block(code: number[]): number[];
    loop(...code: number[][]): number[];
    br_if(depth: number, cond: number[]): number[];
    br(depth: number): number[];
    i32_const(n: number): number[];
    i32_add(a: number[], b: number[]): number[];
    i32_sub(a: number[], b: number[]): number[];
    i32_mul(a: number[], b: number[]): number[];
    i32_eq(a: number[], b: number[]): number[];
    i32_eqz(a: number[]): number[];
    i32_gt_s(a: number[], b: number[]): number[];
    i32_lt_s(a: number[], b: number[]): number[];
    i32_load8_u(addr: number[], offset?: number, align?: number): number[];
    i32_load16_u(addr: number[], offset?: number, align?: number): number[];
    i32_store8(addr: number[], value: number[]): number[];
    i32_load(addr: number[], offset?: number, align?: number): number[];
    i32_store(addr: number[], value: number[]): number[];
    i32_store(addr: number[], offset: number, align: number, value: number[]): number[];
    i32_and(a: number[], b: number[]): number[];
    i32_or(a: number[], b: number[]): number[];
    i32_shl(a: number[], b: number[]): number[];
    i32_shr_u(a: number[], b: number[]): number[];
    i32_ge_u(a: number[], b: number[]): number[];
    i32_gt_u(a: number[], b: number[]): number[];
    i32_wrap_i64(a: number[]): number[];
    i64_load(addr: number[], offset?: number, align?: number): number[];
    i64_and(a: number[], b: number[]): number[];
    i64_or(a: number[], b: number[]): number[];
    i64_eq(a: number[], b: number[]): number[];
    i64_eqz(a: number[]): number[];
    i64_shr_u(a: number[], b: number[]): number[];
    i64_extend_i32_u(a: number[]): number[];
    i64_store(addr: number[], offset: number, align: number, value: number[]): number[];
    i64_const(n: number | bigint): number[];
    i64_add(a: number[], b: number[]): number[];
    i64_sub(a: number[], b: number[]): number[];
    i64_mul(a: number[], b: number[]): number[];
    i64_shl(a: number[], b: number[]): number[];
    i64_shr_s(a: number[], b: number[]): number[];
    i64_ne(a: number[], b: number[]): number[];
    teeLocal(name: string, value: number[]): number[];
    drop(code: number[]): number[];
    ret(code: number[]): number[];
  }

  export type TaskCommand =
    | { cmd: "ALLOCSET"; var: number; buff: Uint8Array }
    | { cmd: "ALLOC"; var: number; len: number }
    | { cmd: "SET"; var: number; buff: Uint8Array }
    | {
        cmd: "CALL";
        fnName: string;
        params: ({ var: number; offset?: number } | { val: number })[];
      }
    | { cmd: "GET"; out: number; var: number; len: number };

  export interface ThreadManager {
    concurrency: number;
    queueAction(task: TaskCommand[], transfers?: ArrayBufferLike[]): Promise<Uint8Array[]>;
    terminate(): Promise<void>;
  }

  export interface WasmField {
    n8: number;
    toObject(a: Uint8Array): bigint;
  }

  export interface WasmFr extends WasmField {
    one: Uint8Array;
    /** 2-adicity and the roots of unity w[k] of order 2^k; the coset shift (Montgomery form). */
    s: number;
    w: Uint8Array[];
    shift: Uint8Array;
    e(v: bigint | number | string): Uint8Array;
    mul(a: Uint8Array, b: Uint8Array): Uint8Array;
    neg(a: Uint8Array): Uint8Array;
    random(): Uint8Array;
    fromRprLE(buff: Uint8Array, offset?: number): Uint8Array;
  }

  export interface WasmGroup {
    F: WasmField;
    /** The generator (Jacobian). */
    g: Uint8Array;
    zero: Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    eq(a: Uint8Array, b: Uint8Array): boolean;
    timesFr(a: Uint8Array, s: Uint8Array): Uint8Array;
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
    timesScalar(a: Uint8Array, s: bigint | Uint8Array): Uint8Array;
    toAffine(a: Uint8Array): Uint8Array;
    toObject(a: Uint8Array): unknown;
  }

  export interface Bn128Curve {
    name: string;
    tm: ThreadManager;
    Fr: WasmFr;
    G1: WasmGroup;
    G2: WasmGroup;
    Gt: { toObject(a: Uint8Array): unknown };
    /** Synchronous in ffjavascript 0.3 (snarkjs awaits it anyway). */
    pairing(a: Uint8Array, b: Uint8Array): Uint8Array;
    terminate(): Promise<void>;
  }

  /** ChaCha20 random stream (snarkjs draws beacon secrets from it). */
  export class ChaCha {
    constructor(seed?: number[]);
    nextU32(): number;
    nextU64(): bigint;
  }

  export function buildBn128(
    singleThread?: boolean,
    plugins?: (module: WasmModuleBuilder) => void,
  ): Promise<Bn128Curve>;
}
