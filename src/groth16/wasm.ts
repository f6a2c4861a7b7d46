/**
 * WebAssembly added to ffjavascript's bn128 module (its plugin hook) for
 * fixed-base multiplication: every point of a Groth16 key is a scalar times
 * one of the two generators, so a table of signed-digit window multiples of
 * the generator turns each multiplication into one addition per window
 * (32 for 8-bit windows, 16 for 16-bit ones) instead of ~256 doublings and
 * ~128 additions, and batches of them share their field inversions.
 *
 * Table layout: window k (bits k·w .. k·w + w − 1 of the scalar) holds the
 * affine points j·2^(k·w)·G for j = 1 .. 2^(w−1). A scalar is recoded into
 * signed digits in [−2^(w−1), 2^(w−1)] (a digit above half borrows from the
 * next window), so a negative digit uses the negated table point. Scalars
 * are 32-byte little-endian integers below r < 2^254, so the top window
 * never carries out.
 *
 * The functions reuse the module's own field and curve arithmetic
 * (`f1m_mul`, `g1m_addMixed`, `g2m_negAffine`, ...).
 */
import type { WasmCodeBuilder, WasmModuleBuilder } from "ffjavascript";

export type GroupPrefix = "g1m" | "g2m";
export type WindowBits = 8 | 16;

/** Bytes of one base-field coordinate: Fq for G1, Fq2 for G2. */
export function coordBytes(group: GroupPrefix): number {
  return group === "g1m" ? 32 : 64;
}

export function windowTableFn(group: GroupPrefix): string {
  return `${group}_zkvmWindowMultiples`;
}

export function fixedBaseBatchFn(group: GroupPrefix, w: WindowBits): string {
  return `${group}_zkvmFixedBaseBatch${w}`;
}

/** Scratch bytes `fixedBaseBatchFn` needs for n scalars. */
export function fixedBaseBatchScratch(group: GroupPrefix, n: number): number {
  return n * (8 + coordBytes(group));
}

export const WIPE_FN = "zkvm_wipe";

/** The plugin: adds and exports every function above to the module. */
export function fixedBasePlugin(module: WasmModuleBuilder): void {
  for (const group of ["g1m", "g2m"] as const) {
    buildWindowMultiples(module, group);
    buildFixedBaseBatch(module, group, 8);
    buildFixedBaseBatch(module, group, 16);
  }
  buildWipe(module);
}

/** `for (local = from; local != limit; local++) body`, in wasm's block/loop/br_if form. */
function countUp(
  c: WasmCodeBuilder,
  local: string,
  from: number[],
  limit: number[],
  ...body: number[][]
): number[] {
  return [
    ...c.setLocal(local, from),
    ...c.block(
      c.loop(
        c.br_if(1, c.i32_eq(c.getLocal(local), limit)),
        ...body,
        c.setLocal(local, c.i32_add(c.getLocal(local), c.i32_const(1))),
        c.br(0),
      ),
    ),
  ];
}

/** out[j] = (j + 1)·base for j < count, Jacobian (count ≥ 1). */
function buildWindowMultiples(module: WasmModuleBuilder, group: GroupPrefix): void {
  const n8 = coordBytes(group);
  const f = module.addFunction(windowTableFn(group));
  f.addParam("pBase", "i32");
  f.addParam("count", "i32");
  f.addParam("pOut", "i32");
  f.addLocal("i", "i32");
  f.addLocal("pPrev", "i32");
  f.addLocal("pCur", "i32");
  const c = f.getCodeBuilder();
  f.addCode(
    c.call(`${group}_zero`, c.getLocal("pOut")),
    c.call(`${group}_addMixed`, c.getLocal("pOut"), c.getLocal("pBase"), c.getLocal("pOut")),
    c.setLocal("pPrev", c.getLocal("pOut")),
    c.setLocal("pCur", c.i32_add(c.getLocal("pOut"), c.i32_const(3 * n8))),
    countUp(
      c,
      "i",
      c.i32_const(1),
      c.getLocal("count"),
      c.call(`${group}_addMixed`, c.getLocal("pPrev"), c.getLocal("pBase"), c.getLocal("pCur")),
      c.setLocal("pPrev", c.getLocal("pCur")),
      c.setLocal("pCur", c.i32_add(c.getLocal("pCur"), c.i32_const(3 * n8))),
    ),
  );
  module.exportFunction(windowTableFn(group));
}

/**
 * out[i] = scalars[i]·G for i < n, from the window table of G, with affine
 * accumulators: window after window, every accumulator adds its table point
 * in affine coordinates, and the n slopes' denominators share one field
 * inversion (Montgomery's trick). An affine addition then costs about 6
 * field multiplications instead of a mixed Jacobian addition's 11, and the
 * results need no conversion to affine at the end.
 *
 * out: n affine points (all zeros is the point at infinity). scratch:
 * fixedBaseBatchScratch(group, n) bytes: the current window's signed digit
 * and carry per scalar (i32 each), and the running products of the
 * denominators. A zero denominator (accumulator = ± table point) cannot
 * occur for scalars below r — after k windows the accumulator is m·G with
 * |m| < 2^(k·w) ≤ |d|·2^(k·w) — but would only cost the general affine
 * addition, which doubles or cancels, so it is handled rather than assumed.
 */
function buildFixedBaseBatch(module: WasmModuleBuilder, group: GroupPrefix, w: WindowBits): void {
  const n8 = coordBytes(group);
  const field = group === "g1m" ? "f1m" : "f2m";
  const affineBytes = 2 * n8;
  const windows = 256 / w;
  const half = 1 << (w - 1);
  const f = module.addFunction(fixedBaseBatchFn(group, w));
  f.addParam("pTable", "i32");
  f.addParam("pScalars", "i32");
  f.addParam("n", "i32");
  f.addParam("pOut", "i32");
  f.addParam("pScratch", "i32");
  f.addLocal("i", "i32");
  f.addLocal("k", "i32");
  f.addLocal("d", "i32");
  f.addLocal("pDigits", "i32");
  f.addLocal("pCarries", "i32");
  f.addLocal("pPrefix", "i32");
  f.addLocal("pP", "i32");
  f.addLocal("pQ", "i32");
  const c = f.getCodeBuilder();
  const acc = c.i32_const(module.alloc(n8));
  const inv = c.i32_const(module.alloc(n8));
  const dx = c.i32_const(module.alloc(n8));
  const t = c.i32_const(module.alloc(n8));
  const lambda = c.i32_const(module.alloc(n8));
  const x3 = c.i32_const(module.alloc(n8));
  const negated = c.i32_const(module.alloc(affineBytes));
  const jacobian = c.i32_const(module.alloc(3 * n8));
  const idx4 = (base: string): number[] =>
    c.i32_add(c.getLocal(base), c.i32_mul(c.getLocal("i"), c.i32_const(4)));
  const pP = c.getLocal("pP");
  const pQ = c.getLocal("pQ");
  const yOf = (p: number[]): number[] => c.i32_add(p, c.i32_const(n8));
  const prefixAt = c.i32_add(c.getLocal("pPrefix"), c.i32_mul(c.getLocal("i"), c.i32_const(n8)));
  const digitBits =
    w === 16
      ? c.i32_load16_u(
          c.i32_add(
            c.i32_add(c.getLocal("pScalars"), c.i32_mul(c.getLocal("i"), c.i32_const(32))),
            c.i32_mul(c.getLocal("k"), c.i32_const(2)),
          ),
        )
      : c.i32_load8_u(
          c.i32_add(
            c.i32_add(c.getLocal("pScalars"), c.i32_mul(c.getLocal("i"), c.i32_const(32))),
            c.getLocal("k"),
          ),
        );
  // pQ = ± table entry |d| of window k (the negation goes to a temporary).
  const loadQ = (): number[] => [
    ...c.if(c.i32_gt_s(c.getLocal("d"), c.i32_const(0)), c.setLocal("pQ", entry(c.getLocal("d"))), [
      ...c.call(`${group}_negAffine`, entry(c.i32_sub(c.i32_const(0), c.getLocal("d"))), negated),
      ...c.setLocal("pQ", negated),
    ]),
  ];
  function entry(absDigit: number[]): number[] {
    return c.i32_add(
      c.getLocal("pTable"),
      c.i32_mul(
        c.i32_sub(
          c.i32_add(c.i32_mul(c.getLocal("k"), c.i32_const(half)), absDigit),
          c.i32_const(1),
        ),
        c.i32_const(affineBytes),
      ),
    );
  }
  const setP = c.setLocal(
    "pP",
    c.i32_add(c.getLocal("pOut"), c.i32_mul(c.getLocal("i"), c.i32_const(affineBytes))),
  );
  const setDigit = (v: number[]): number[] => c.i32_store(idx4("pDigits"), v);

  f.addCode(
    c.setLocal("pDigits", c.getLocal("pScratch")),
    c.setLocal(
      "pCarries",
      c.i32_add(c.getLocal("pScratch"), c.i32_mul(c.getLocal("n"), c.i32_const(4))),
    ),
    c.setLocal(
      "pPrefix",
      c.i32_add(c.getLocal("pScratch"), c.i32_mul(c.getLocal("n"), c.i32_const(8))),
    ),
    // accumulators and carries start at zero
    countUp(
      c,
      "i",
      c.i32_const(0),
      c.getLocal("n"),
      setP,
      c.call(`${group}_zeroAffine`, pP),
      c.i32_store(idx4("pCarries"), c.i32_const(0)),
    ),
    countUp(
      c,
      "k",
      c.i32_const(0),
      c.i32_const(windows),
      // Pass 1: digits; first points copied; the other denominators multiplied up.
      c.call(`${field}_one`, acc),
      countUp(
        c,
        "i",
        c.i32_const(0),
        c.getLocal("n"),
        c.block([
          ...c.setLocal("d", c.i32_add(digitBits, c.i32_load(idx4("pCarries")))),
          ...c.if(
            c.i32_gt_s(c.getLocal("d"), c.i32_const(half)),
            [
              ...c.setLocal("d", c.i32_sub(c.getLocal("d"), c.i32_const(1 << w))),
              ...c.i32_store(idx4("pCarries"), c.i32_const(1)),
            ],
            c.i32_store(idx4("pCarries"), c.i32_const(0)),
          ),
          ...setDigit(c.getLocal("d")),
          ...c.br_if(0, c.i32_eqz(c.getLocal("d"))),
          ...setP,
          ...loadQ(),
          ...c.if(c.call(`${group}_isZeroAffine`, pP), [
            ...c.call(`${group}_copyAffine`, pQ, pP),
            ...setDigit(c.i32_const(0)),
            ...c.br(1),
          ]),
          ...c.call(`${field}_sub`, pQ, pP, dx),
          ...c.if(c.call(`${field}_isZero`, dx), [
            ...c.call(`${group}_addAffine`, pP, pQ, jacobian),
            ...c.call(`${group}_toAffine`, jacobian, pP),
            ...setDigit(c.i32_const(0)),
            ...c.br(1),
          ]),
          ...c.call(`${field}_copy`, acc, prefixAt),
          ...c.call(`${field}_mul`, acc, dx, acc),
        ]),
      ),
      c.call(`${field}_inverse`, acc, inv),
      // Pass 2, backwards: each slope from the shared inverse, then the affine sum.
      c.setLocal("i", c.getLocal("n")),
      c.block(
        c.loop(
          c.br_if(1, c.i32_eqz(c.getLocal("i"))),
          c.setLocal("i", c.i32_sub(c.getLocal("i"), c.i32_const(1))),
          c.setLocal("d", c.i32_load(idx4("pDigits"))),
          c.if(c.i32_eqz(c.i32_eqz(c.getLocal("d"))), [
            ...setP,
            ...loadQ(),
            ...c.call(`${field}_sub`, pQ, pP, dx),
            ...c.call(`${field}_mul`, inv, prefixAt, t),
            ...c.call(`${field}_mul`, inv, dx, inv),
            ...c.call(`${field}_sub`, yOf(pQ), yOf(pP), lambda),
            ...c.call(`${field}_mul`, lambda, t, lambda),
            ...c.call(`${field}_square`, lambda, x3),
            ...c.call(`${field}_sub`, x3, pP, x3),
            ...c.call(`${field}_sub`, x3, pQ, x3),
            ...c.call(`${field}_sub`, pP, x3, t),
            ...c.call(`${field}_mul`, lambda, t, t),
            ...c.call(`${field}_sub`, t, yOf(pP), yOf(pP)),
            ...c.call(`${field}_copy`, x3, pP),
          ]),
          c.br(0),
        ),
      ),
    ),
  );
  module.exportFunction(fixedBaseBatchFn(group, w));
}

/** Zero `len` bytes (a multiple of 8) at p: scalars do not outlive their task in a worker's memory. */
function buildWipe(module: WasmModuleBuilder): void {
  const f = module.addFunction(WIPE_FN);
  f.addParam("p", "i32");
  f.addParam("len", "i32");
  f.addLocal("end", "i32");
  const c = f.getCodeBuilder();
  f.addCode(
    c.setLocal("end", c.i32_add(c.getLocal("p"), c.getLocal("len"))),
    c.block(
      c.loop(
        c.br_if(1, c.i32_eq(c.getLocal("p"), c.getLocal("end"))),
        c.i64_store(c.getLocal("p"), 0, 3, c.i64_const(0)),
        c.setLocal("p", c.i32_add(c.getLocal("p"), c.i32_const(8))),
        c.br(0),
      ),
    ),
  );
  module.exportFunction(WIPE_FN);
}
