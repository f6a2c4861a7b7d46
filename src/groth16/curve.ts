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
 * which would clear snarkjs's cached curve too.
 */
import { type Bn128Curve, buildBn128, type TaskCommand } from "ffjavascript";
import {
  coordBytes,
  fixedBaseMulFn,
  fixedBasePlugin,
  type GroupPrefix,
  WIPE_FN,
  windowTableFn,
  type WindowBits,
} from "./wasm.js";

export interface FixedBaseTable {
  group: GroupPrefix;
  w: WindowBits;
  /** Affine points (ffjavascript's LEM layout), window after window. */
  points: Uint8Array;
}

export class SetupCurve {
  private constructor(readonly curve: Bn128Curve) {}

  static async build(): Promise<SetupCurve> {
    const g = globalThis as { curve_bn128?: unknown };
    const cached = g.curve_bn128;
    g.curve_bn128 = null;
    try {
      return new SetupCurve(await buildBn128(false, fixedBasePlugin));
    } finally {
      g.curve_bn128 = cached ?? null;
    }
  }

  /** Workers available for multiplication tasks. */
  get concurrency(): number {
    return this.curve.tm.concurrency;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await this.curve.tm.terminate();
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
    const task: TaskCommand[] = [
      { cmd: "ALLOCSET", var: 0, buff: table.points },
      { cmd: "ALLOCSET", var: 1, buff: scalars },
      { cmd: "ALLOC", var: 2, len: m * 3 * n8 },
      {
        cmd: "CALL",
        fnName: fixedBaseMulFn(table.group, table.w),
        params: [{ var: 0 }, { var: 1 }, { val: m }, { var: 2 }],
      },
      { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 1 }, { val: m * 32 }] },
      {
        cmd: "CALL",
        fnName: `${table.group}_batchToAffine`,
        params: [{ var: 2 }, { val: m }, { var: 2 }],
      },
      { cmd: "GET", out: 0, var: 2, len: m * 2 * n8 },
    ];
    const [res] = await this.curve.tm.queueAction(task);
    return res as Uint8Array;
  }
}
