/**
 * WebAssembly added to ffjavascript's bn128 module (its plugin hook) for
 * fixed-base multiplication: every point of a Groth16 key is a scalar times
 * one of the two generators, so a table of signed-digit window multiples of
 * the generator turns each multiplication into one mixed addition per
 * window (16 for 16-bit windows) instead of ~256 doublings and ~128 additions.
 *
 * Table layout: window k (bits k·w .. k·w + w − 1 of the scalar) holds the
 * affine points j·2^(k·w)·G for j = 1 .. 2^(w−1). A scalar is recoded into
 * signed digits in [−2^(w−1), 2^(w−1)] (a digit above half borrows from the
 * next window), so a negative digit uses the negated table point. Scalars
 * are 32-byte little-endian integers below r < 2^254, so the top window
 * never carries out.
 *
 * The functions reuse the module's own curve arithmetic (`g1m_addMixed`,
 * `g2m_negAffine`, ...), which handles the point at infinity and doubling.
 */
import type { WasmModuleBuilder } from "ffjavascript";

export type GroupPrefix = "g1m" | "g2m";
export type WindowBits = 8 | 16;

/** Bytes of one base-field coordinate: Fq for G1, Fq2 for G2. */
export function coordBytes(group: GroupPrefix): number {
  return group === "g1m" ? 32 : 64;
}

export function windowTableFn(group: GroupPrefix): string {
  return `${group}_zkvmWindowMultiples`;
}

export function fixedBaseMulFn(group: GroupPrefix, w: WindowBits): string {
  return `${group}_zkvmFixedBaseMul${w}`;
}

export const WIPE_FN = "zkvm_wipe";

/** The plugin: adds and exports every function above to the module. */
export function fixedBasePlugin(module: WasmModuleBuilder): void {
  for (const group of ["g1m", "g2m"] as const) {
    buildWindowMultiples(module, group);
    buildFixedBaseMul(module, group, 8);
    buildFixedBaseMul(module, group, 16);
  }
  buildWipe(module);
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
    c.setLocal("i", c.i32_const(1)),
    c.setLocal("pPrev", c.getLocal("pOut")),
    c.setLocal("pCur", c.i32_add(c.getLocal("pOut"), c.i32_const(3 * n8))),
    c.block(
      c.loop(
        c.br_if(1, c.i32_eq(c.getLocal("i"), c.getLocal("count"))),
        c.call(`${group}_addMixed`, c.getLocal("pPrev"), c.getLocal("pBase"), c.getLocal("pCur")),
        c.setLocal("pPrev", c.getLocal("pCur")),
        c.setLocal("pCur", c.i32_add(c.getLocal("pCur"), c.i32_const(3 * n8))),
        c.setLocal("i", c.i32_add(c.getLocal("i"), c.i32_const(1))),
        c.br(0),
      ),
    ),
  );
  module.exportFunction(windowTableFn(group));
}

/** out[i] = scalars[i]·G (Jacobian) for i < n, from the window table of G. */
function buildFixedBaseMul(module: WasmModuleBuilder, group: GroupPrefix, w: WindowBits): void {
  const n8 = coordBytes(group);
  const affineBytes = 2 * n8;
  const windows = 256 / w;
  const half = 1 << (w - 1);
  const f = module.addFunction(fixedBaseMulFn(group, w));
  f.addParam("pTable", "i32");
  f.addParam("pScalars", "i32");
  f.addParam("n", "i32");
  f.addParam("pOut", "i32");
  f.addLocal("i", "i32");
  f.addLocal("pS", "i32");
  f.addLocal("pR", "i32");
  f.addLocal("k", "i32");
  f.addLocal("d", "i32");
  f.addLocal("carry", "i32");
  f.addLocal("pE", "i32");
  const c = f.getCodeBuilder();
  const negated = c.i32_const(module.alloc(affineBytes));
  const digitBits =
    w === 16
      ? c.i32_load16_u(c.i32_add(c.getLocal("pS"), c.i32_mul(c.getLocal("k"), c.i32_const(2))))
      : c.i32_load8_u(c.i32_add(c.getLocal("pS"), c.getLocal("k")));
  // Address of table entry |d| of window k: pTable + (k·half + |d| − 1)·affineBytes.
  const entry = (absDigit: number[]): number[] =>
    c.i32_add(
      c.getLocal("pTable"),
      c.i32_mul(
        c.i32_sub(
          c.i32_add(c.i32_mul(c.getLocal("k"), c.i32_const(half)), absDigit),
          c.i32_const(1),
        ),
        c.i32_const(affineBytes),
      ),
    );
  f.addCode(
    c.setLocal("i", c.i32_const(0)),
    c.setLocal("pS", c.getLocal("pScalars")),
    c.setLocal("pR", c.getLocal("pOut")),
    c.block(
      c.loop(
        c.br_if(1, c.i32_eq(c.getLocal("i"), c.getLocal("n"))),
        c.call(`${group}_zero`, c.getLocal("pR")),
        c.setLocal("carry", c.i32_const(0)),
        c.setLocal("k", c.i32_const(0)),
        c.block(
          c.loop(
            c.br_if(1, c.i32_eq(c.getLocal("k"), c.i32_const(windows))),
            c.setLocal("d", c.i32_add(digitBits, c.getLocal("carry"))),
            c.if(
              c.i32_gt_s(c.getLocal("d"), c.i32_const(half)),
              [
                ...c.setLocal("d", c.i32_sub(c.getLocal("d"), c.i32_const(1 << w))),
                ...c.setLocal("carry", c.i32_const(1)),
              ],
              c.setLocal("carry", c.i32_const(0)),
            ),
            c.if(c.i32_gt_s(c.getLocal("d"), c.i32_const(0)), [
              ...c.setLocal("pE", entry(c.getLocal("d"))),
              ...c.call(`${group}_addMixed`, c.getLocal("pR"), c.getLocal("pE"), c.getLocal("pR")),
            ]),
            c.if(c.i32_lt_s(c.getLocal("d"), c.i32_const(0)), [
              ...c.setLocal("pE", entry(c.i32_sub(c.i32_const(0), c.getLocal("d")))),
              ...c.call(`${group}_negAffine`, c.getLocal("pE"), negated),
              ...c.call(`${group}_addMixed`, c.getLocal("pR"), negated, c.getLocal("pR")),
            ]),
            c.setLocal("k", c.i32_add(c.getLocal("k"), c.i32_const(1))),
            c.br(0),
          ),
        ),
        c.setLocal("pS", c.i32_add(c.getLocal("pS"), c.i32_const(32))),
        c.setLocal("pR", c.i32_add(c.getLocal("pR"), c.i32_const(3 * n8))),
        c.setLocal("i", c.i32_add(c.getLocal("i"), c.i32_const(1))),
        c.br(0),
      ),
    ),
  );
  module.exportFunction(fixedBaseMulFn(group, w));
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
