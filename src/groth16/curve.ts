/**
 * A private bn128 curve instance (ffjavascript, with worker threads) that
 * carries the fixed-base plugin of ./wasm.ts, and the batched fixed-base
 * multiplication that runs on its workers.
 *
 * ffjavascript's `buildBn128(false, plugins)` returns the process-wide curve
 * cached in `globalThis.curve_bn128` when snarkjs has built one (dropping
 * the plugins), and caches the curve it builds. So the cache is set aside
 * while this curve is built and restored right after: snarkjs keeps its own
 * curve, and this one is never shared. It is stopped with `close()` (its
 * workers die with every scalar they were sent), not `curve.terminate()`,
 * which would clear snarkjs's cached curve too. The cache is empty only for
 * buildBn128's synchronous start (see `build`), so snarkjs operations running
 * concurrently in the process (the library proves while it sets up another
 * circuit) keep one shared curve.
 */
import {
  type Bn128Curve,
  buildBn128,
  type TaskCommand,
  type WasmModuleBuilder,
} from "ffjavascript";
import { fp29Plugin } from "./fp29.js";
import { msmPlugin } from "./msm.js";
import {
  coordBytes,
  fixedBaseBatchFn,
  fixedBaseBatchScratch,
  fixedBasePlugin,
  type GroupPrefix,
  WIPE_FN,
  windowTableFn,
  type WindowBits,
} from "./wasm.js";
import { releaseWhenIdle } from "./workers.js";

export interface FixedBaseTable {
  group: GroupPrefix;
  w: WindowBits;
  /** Affine points (ffjavascript's LEM layout), window after window. */
  points: Uint8Array;
}

/** Every function the project adds to ffjavascript's bn128 module (setup and prover). */
function zkvmPlugin(module: WasmModuleBuilder): void {
  fixedBasePlugin(module);
  fp29Plugin(module);
  msmPlugin(module);
}

export class SetupCurve {
  private constructor(
    readonly curve: Bn128Curve,
    private readonly singleThread: boolean,
  ) {}

  /**
   * singleThread: run the tasks on this thread (ffjavascript's single-thread
   * mode, which never touches the global cache): for small keys, starting
   * the workers and compiling the module in each costs more than they save.
   */
  static async build(singleThread = false): Promise<SetupCurve> {
    if (singleThread) return new SetupCurve(await buildBn128(true, zkvmPlugin), true);
    const g = globalThis as { curve_bn128?: unknown };
    const cached = g.curve_bn128;
    // buildBn128 reads the cache synchronously, before its first await, and
    // writes it when done: the cache is emptied only for that synchronous
    // start. Left empty across the await, a snarkjs operation running
    // meanwhile (a proof of another circuit) would build a second shared
    // curve, which the restore below would then orphan with its workers.
    g.curve_bn128 = null;
    const building = buildBn128(false, zkvmPlugin);
    g.curve_bn128 = cached ?? null;
    try {
      const curve = await building;
      // Until close(), its workers keep Node alive only while they work (./workers.ts).
      releaseWhenIdle(curve);
      return new SetupCurve(curve, false);
    } finally {
      g.curve_bn128 = cached ?? null;
    }
  }

  /** Runs one task on a worker (or this thread); `transfers` are moved, not copied. */
  queue(task: TaskCommand[], transfers?: ArrayBufferLike[]): Promise<Uint8Array[]> {
    return this.curve.tm.queueAction(task, transfers);
  }

  /** Workers available for multiplication tasks. */
  get concurrency(): number {
    return this.curve.tm.concurrency;
  }

  /**
   * Stop the workers. ffjavascript's terminate posts each worker its
   * TERMINATE message at once and then only sleeps 200 ms; nothing here
   * needs that wait.
   */
  close(): void {
    if (!this.singleThread) void this.curve.tm.terminate();
  }

  /**
   * The window table of the group's generator: 256/w windows of 2^(w−1)
   * points, one task per window (the window bases 2^(k·w)·G come from the
   * main thread's curve, a few hundred doublings).
   */
  async table(group: GroupPrefix, w: WindowBits): Promise<FixedBaseTable> {
    const G = group === "g1m" ? this.curve.G1 : this.curve.G2;
    const n8 = coordBytes(group);
    const half = 1 << (w - 1);
    const windows = 256 / w;
    const points = new Uint8Array(windows * half * 2 * n8);
    const tasks: Promise<void>[] = [];
    for (let k = 0; k < windows; k++) {
      const base = G.toAffine(G.timesScalar(G.g, 1n << BigInt(k * w)));
      const task: TaskCommand[] = [
        { cmd: "ALLOCSET", var: 0, buff: base },
        { cmd: "ALLOC", var: 1, len: half * 3 * n8 },
        {
          cmd: "CALL",
          fnName: windowTableFn(group),
          params: [{ var: 0 }, { val: half }, { var: 1 }],
        },
        {
          cmd: "CALL",
          fnName: `${group}_batchToAffine`,
          params: [{ var: 1 }, { val: half }, { var: 1 }],
        },
        { cmd: "GET", out: 0, var: 1, len: half * 2 * n8 },
      ];
      tasks.push(
        this.curve.tm.queueAction(task).then(([res]) => {
          points.set(res as Uint8Array, k * half * 2 * n8);
        }),
      );
    }
    await Promise.all(tasks);
    return { group, w, points };
  }

  /**
   * scalars[i]·G for each 32-byte little-endian scalar (below r), as affine
   * points in the file layout (the point at infinity is all zeros). The
   * worker zeroes its copy of the scalars before answering.
   */
  async multiply(table: FixedBaseTable, scalars: Uint8Array): Promise<Uint8Array> {
    const n8 = coordBytes(table.group);
    const m = scalars.byteLength / 32;
    const scratch = fixedBaseBatchScratch(table.group, m);
    const task: TaskCommand[] = [
      { cmd: "ALLOCSET", var: 0, buff: table.points },
      { cmd: "ALLOCSET", var: 1, buff: scalars },
      { cmd: "ALLOC", var: 2, len: m * 2 * n8 },
      { cmd: "ALLOC", var: 3, len: scratch },
      {
        cmd: "CALL",
        fnName: fixedBaseBatchFn(table.group, table.w),
        params: [{ var: 0 }, { var: 1 }, { val: m }, { var: 2 }, { var: 3 }],
      },
      { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 1 }, { val: m * 32 }] },
      { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 3 }, { val: scratch }] },
      { cmd: "GET", out: 0, var: 2, len: m * 2 * n8 },
    ];
    const [res] = await this.curve.tm.queueAction(task);
    return res as Uint8Array;
  }
}
