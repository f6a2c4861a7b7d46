/**
 * Variable-base multi-scalar multiplication (Σ sᵢ·Pᵢ) as WebAssembly added
 * to ffjavascript's bn128 module, for the prover's five MSMs.
 *
 * Pippenger's bucket method with signed digits and affine buckets:
 *
 * - A first pass drops points at infinity and zero scalars, and adds the
 *   points whose scalar is 1 into one Jacobian sum without any
 *   multiplication (a Groth16 witness is often mostly zeros and ones). The
 *   other point indices go to a list that every window walks.
 * - Window k takes bits k·c .. k·c + c − 1 of the scalar plus the previous
 *   window's carry and recodes them to a digit d in [−2^(c−1), 2^(c−1)]; a
 *   digit above half borrows from the next window. So there are 2^(c−1)
 *   buckets and a negative digit adds the negated point (−(x, y) = (x, −y)).
 * - Buckets are affine. A point added to a non-empty bucket joins the
 *   current batch: its slope denominator x_P − x_B is multiplied into a
 *   running product, and when the batch is full one field inversion gives
 *   every denominator's inverse (Montgomery's trick), so an addition costs
 *   about 6 multiplications instead of a mixed Jacobian addition's 11.
 * - A point whose bucket is already waiting in the current batch, or whose x
 *   equals the bucket's (a doubling or a cancellation), is added with a
 *   mixed Jacobian addition into the bucket's overflow sum instead. That
 *   keeps every case correct (repeated points, repeated scalars) and costs
 *   a few percent of additions on random inputs.
 * - Each window's buckets are summed by the running-sum method, and the
 *   windows are joined by c doublings each (Horner).
 *
 * Bases are affine points in ffjavascript's LEM layout (Montgomery x, y; all
 * zeros is infinity), as stored in a .zkey; scalars are 32-byte little-endian
 * integers in standard form (as in a .wtns). The result is Jacobian.
 */
import type { WasmModuleBuilder } from "ffjavascript";
import { GLV_BETA, GLV_BETA_G2, GLV_Q } from "./glv.js";
import { type FieldPrefix, unpackedBytes } from "./fp29.js";
import { coordBytes, type GroupPrefix } from "./wasm.js";

/** The 29-bit-limb field (./fp29.ts) of a group's coordinates. */
function fieldOf(group: GroupPrefix): FieldPrefix {
  return group === "g1m" ? "zkvm_f1" : "zkvm_f2";
}

export function msmFn(group: GroupPrefix): string {
  return `${group}_zkvmMsm`;
}

export function glvExpandFn(group: GroupPrefix): string {
  return `${group}_zkvmGlvExpand`;
}

/** Window count for scalars below 2^bits (one spare bit for the last carry). */
export function msmWindows(c: number, bits: number): number {
  return Math.ceil((bits + 1) / c);
}

/** Scratch bytes `msmFn` needs for n points, window c, batch size `batch`. */
export function msmScratch(
  group: GroupPrefix,
  n: number,
  c: number,
  batch: number,
  windows: number,
): number {
  const n8 = coordBytes(group);
  const u = unpackedBytes(fieldOf(group));
  const half = 1 << (c - 1);
  return (
    n * 8 + half * 4 + batch * 8 + half * 2 * n8 + half * 3 * n8 + batch * u + windows * 3 * n8
  );
}

export function msmPlugin(module: WasmModuleBuilder): void {
  buildMsm(module, "g1m");
  buildMsm(module, "g2m");
  buildGlvExpand(module, "g1m");
  buildGlvExpand(module, "g2m");
}

/** v·2^256 mod q as 32 little-endian bytes (an Fq element in Montgomery form). */
function montgomeryBytes(v: bigint): Uint8Array {
  let m = (v << 256n) % GLV_Q;
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    b[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  return b;
}

/**
 * The GLV bases (./glv.ts): for each affine base P_i (n of them) and its sign
 * byte s_i, out[2i] = P_i and out[2i + 1] = φ(P_i) = (β·x, y) on G1,
 * (β²·x, y) on G2, each negated ((x, −y)) when its half-scalar is negative
 * (bit 0 of s_i for the first, bit 1 for the second). Infinity (all zeros)
 * stays infinity. The MSM then runs on 2n points with 128-bit scalars.
 * pOut may be pBases (in place, with room for 2n points): the points are
 * expanded last first, each read before its two outputs are written.
 */
function buildGlvExpand(module: WasmModuleBuilder, group: GroupPrefix): void {
  const n8 = coordBytes(group);
  const F = group === "g1m" ? "f1m" : "f2m";
  const fn = module.addFunction(glvExpandFn(group));
  for (const p of ["pBases", "pSigns", "n", "pOut"]) fn.addParam(p, "i32");
  for (const l of ["i", "pP", "pO", "s"]) fn.addLocal(l, "i32");
  const c = fn.getCodeBuilder();
  const L = (name: string): number[] => c.getLocal(name);
  const I = (v: number): number[] => c.i32_const(v);
  const beta = I(module.alloc(montgomeryBytes(group === "g1m" ? GLV_BETA : GLV_BETA_G2)));
  const pO2 = c.i32_add(L("pO"), I(2 * n8));
  const yOf = (p: number[]): number[] => c.i32_add(p, I(n8));
  fn.addCode(
    c.setLocal("i", L("n")),
    c.block(
      c.loop(
        c.br_if(1, c.i32_eqz(L("i"))),
        c.setLocal("i", c.i32_sub(L("i"), I(1))),
        c.setLocal("pP", c.i32_add(L("pBases"), c.i32_mul(L("i"), I(2 * n8)))),
        c.setLocal("pO", c.i32_add(L("pOut"), c.i32_mul(L("i"), I(4 * n8)))),
        c.setLocal("s", c.i32_load8_u(c.i32_add(L("pSigns"), L("i")))),
        c.if(
          c.call(`${group}_isZeroAffine`, L("pP")),
          [...c.call(`${group}_zeroAffine`, pO2), ...c.call(`${group}_zeroAffine`, L("pO"))],
          [
            // φ(P) first: when pOut is pBases, out[2i] overlaps P only for i = 0
            ...(group === "g1m"
              ? c.call("f1m_mul", L("pP"), beta, pO2)
              : [
                  ...c.call("f1m_mul", L("pP"), beta, pO2),
                  ...c.call("f1m_mul", c.i32_add(L("pP"), I(32)), beta, c.i32_add(pO2, I(32))),
                ]),
            ...c.if(
              c.i32_and(L("s"), I(2)),
              c.call(`${F}_neg`, yOf(L("pP")), yOf(pO2)),
              c.call(`${F}_copy`, yOf(L("pP")), yOf(pO2)),
            ),
            ...c.call(`${F}_copy`, L("pP"), L("pO")),
            ...c.if(
              c.i32_and(L("s"), I(1)),
              c.call(`${F}_neg`, yOf(L("pP")), yOf(L("pO"))),
              c.call(`${F}_copy`, yOf(L("pP")), yOf(L("pO"))),
            ),
          ],
        ),
        c.br(0),
      ),
    ),
  );
  module.exportFunction(glvExpandFn(group));
}

function buildMsm(module: WasmModuleBuilder, group: GroupPrefix): void {
  const n8 = coordBytes(group);
  const G = group;
  const fn = module.addFunction(msmFn(group));
  for (const p of ["pBases", "pScalars", "n", "c", "nW", "batch", "pScratch", "pOut"]) {
    fn.addParam(p, "i32");
  }
  for (const l of [
    "i",
    "j",
    "k",
    "m",
    "d",
    "b",
    "neg",
    "nActive",
    "batchId",
    "half",
    "full",
    "bitPos",
    "w",
    "pList",
    "pCarry",
    "pStamps",
    "pEntries",
    "pBuckets",
    "pOver",
    "pPrefix",
    "pWin",
    "pP",
    "pB",
    "pS",
    "e",
  ]) {
    fn.addLocal(l, "i32");
  }
  fn.addLocal("wmask", "i64");
  const c = fn.getCodeBuilder();
  const L = (name: string): number[] => c.getLocal(name);
  const set = (name: string, v: number[]): number[] => c.setLocal(name, v);
  const I = (v: number): number[] => c.i32_const(v);
  const add = (a: number[], b: number[]): number[] => c.i32_add(a, b);
  const mul = (a: number[], b: number[]): number[] => c.i32_mul(a, b);
  const at = (base: string, idx: number[], size: number): number[] =>
    add(L(base), mul(idx, I(size)));
  const inc = (name: string): number[] => set(name, add(L(name), I(1)));
  const loopUp = (v: string, from: number[], limit: number[], ...body: number[][]): number[] => [
    ...set(v, from),
    ...c.block(
      c.loop(c.br_if(1, c.i32_ge_u(L(v), limit)), c.block([...body.flat()]), inc(v), c.br(0)),
    ),
  ];
  /** Zero len bytes (multiple of 8) at p. */
  const wipe = (p: number[], len: number[]): number[] => [
    ...set("e", add(p, len)),
    ...set("pS", p),
    ...c.block(
      c.loop(
        c.br_if(1, c.i32_ge_u(L("pS"), L("e"))),
        c.i64_store(L("pS"), 0, 0, c.i64_const(0)),
        set("pS", add(L("pS"), I(8))),
        c.br(0),
      ),
    ),
  ];

  // The bucket additions run in ./fp29.ts's arithmetic (Z) on unpacked
  // values; the points stay packed in their 2·n8 bytes (converted in place).
  const Z = fieldOf(group);
  const u = unpackedBytes(Z);
  const elems = (2 * n8) / 32; // Fq elements per affine point
  const acc = I(module.alloc(u));
  const inv = I(module.alloc(u));
  const dx = I(module.alloc(u));
  const t = I(module.alloc(u));
  const lambda = I(module.alloc(u));
  const x3 = I(module.alloc(u));
  const xP = I(module.alloc(u));
  const yP = I(module.alloc(u));
  const xB = I(module.alloc(u));
  const yB = I(module.alloc(u));
  const zeroU = I(module.alloc(u));
  const tmpAff = module.alloc(2 * n8);
  const negY = I(tmpAff + n8);
  const ones = I(module.alloc(3 * n8));
  const sumJ = I(module.alloc(3 * u));
  const totalJ = I(module.alloc(3 * u));
  const overJ = I(module.alloc(3 * u));
  const bucketAt = (b: number[]): number[] => at("pBuckets", c.i32_sub(b, I(1)), 2 * n8);
  const overAt = (b: number[]): number[] => at("pOver", c.i32_sub(b, I(1)), 3 * n8);
  const stampAt = (b: number[]): number[] => at("pStamps", c.i32_sub(b, I(1)), 4);

  // One inversion for the batch, then every pending addition, last first.
  const flush = (): number[] => [
    ...c.call(`${Z}_inverse`, acc, inv),
    ...c.block(
      c.loop(
        c.br_if(1, c.i32_eqz(L("m"))),
        set("m", c.i32_sub(L("m"), I(1))),
        set("e", c.i32_load(at("pEntries", L("m"), 8))),
        set("i", c.i32_and(L("e"), I(0x7fffffff))),
        set("neg", c.i32_shr_u(L("e"), I(31))),
        set("b", c.i32_load(at("pEntries", L("m"), 8), 4)),
        set("pP", at("pBases", L("i"), 2 * n8)),
        c.call(`${Z}_unpack`, L("pP"), xP),
        c.call(`${Z}_unpack`, add(L("pP"), I(n8)), yP),
        c.if(L("neg"), c.call(`${Z}_sub`, zeroU, yP, yP)),
        set("pB", bucketAt(L("b"))),
        c.call(`${Z}_unpack`, L("pB"), xB),
        c.call(`${Z}_unpack`, add(L("pB"), I(n8)), yB),
        c.call(`${Z}_sub`, xP, xB, dx),
        c.call(`${Z}_mul`, inv, at("pPrefix", L("m"), u), t),
        c.call(`${Z}_mul`, inv, dx, inv),
        c.call(`${Z}_sub`, yP, yB, lambda),
        c.call(`${Z}_mul`, lambda, t, lambda),
        c.call(`${Z}_square`, lambda, x3),
        c.call(`${Z}_sub`, x3, xB, x3),
        c.call(`${Z}_sub`, x3, xP, x3),
        c.call(`${Z}_sub`, xB, x3, t),
        c.call(`${Z}_mul`, lambda, t, t),
        c.call(`${Z}_sub`, t, yB, yB),
        c.call(`${Z}_pack`, x3, L("pB")),
        c.call(`${Z}_pack`, yB, add(L("pB"), I(n8))),
        c.br(0),
      ),
    ),
    ...c.call(`${Z}_one`, acc),
    ...inc("batchId"),
  ];

  // Mixed Jacobian addition of ±P into bucket b's overflow sum (packed Jacobian, the same arithmetic).
  const overflow = (): number[] => [
    ...c.call(`${Z}_jacUnpack`, overAt(L("b")), overJ),
    ...c.call(`${G}_copyAffine`, L("pP"), I(tmpAff)),
    ...c.if(L("neg"), [
      ...c.call(`${Z}_unpack`, negY, yP),
      ...c.call(`${Z}_sub`, zeroU, yP, yP),
      ...c.call(`${Z}_pack`, yP, negY),
    ]),
    ...c.call(`${Z}_jacAddMixed`, overJ, I(tmpAff), overJ),
    ...c.call(`${Z}_jacPack`, overJ, overAt(L("b"))),
  ];

  const scalarWord = (w: number): number[] => c.i64_load(add(L("pS"), I(0)), w * 8, 0);

  fn.addCode(
    set("half", c.i32_shl(I(1), c.i32_sub(L("c"), I(1)))),
    set("full", c.i32_shl(I(1), L("c"))),
    set("pList", L("pScratch")),
    set("pCarry", at("pList", L("n"), 4)),
    set("pStamps", at("pCarry", L("n"), 4)),
    set("pEntries", at("pStamps", L("half"), 4)),
    set("pBuckets", at("pEntries", L("batch"), 8)),
    set("pOver", at("pBuckets", L("half"), 2 * n8)),
    set("pPrefix", at("pOver", L("half"), 3 * n8)),
    set("pWin", at("pPrefix", L("batch"), u)),
    c.call(`${G}_zero`, ones),
    // Pass 0: the active list; scalars 1 summed directly.
    set("nActive", I(0)),
    loopUp(
      "i",
      I(0),
      L("n"),
      set("pP", at("pBases", L("i"), 2 * n8)),
      c.br_if(0, c.call(`${G}_isZeroAffine`, L("pP"))),
      set("pS", at("pScalars", L("i"), 32)),
      c.if(c.i64_eqz(c.i64_or(c.i64_or(scalarWord(1), scalarWord(2)), scalarWord(3))), [
        ...c.br_if(1, c.i64_eqz(scalarWord(0))),
        ...c.if(c.i64_eq(scalarWord(0), c.i64_const(1)), [
          ...c.call(`${G}_addMixed`, ones, L("pP"), ones),
          ...c.br(2),
        ]),
      ]),
      c.call("zkvm_f1_batchFromFfjs", L("pP"), I(elems)),
      c.i32_store(at("pList", L("nActive"), 4), L("i")),
      c.i32_store(at("pCarry", L("nActive"), 4), I(0)),
      inc("nActive"),
    ),
    wipe(L("pStamps"), mul(L("half"), I(4))),
    wipe(zeroU, I(u)),
    set("batchId", I(1)),
    c.call(`${Z}_one`, acc),
    set("m", I(0)),
    loopUp(
      "k",
      I(0),
      L("nW"),
      wipe(L("pBuckets"), mul(L("half"), I(2 * n8))),
      wipe(L("pOver"), mul(L("half"), I(3 * n8))),
      set("bitPos", mul(L("k"), L("c"))),
      set("w", L("c")),
      c.if(c.i32_gt_u(add(L("bitPos"), L("c")), I(256)), set("w", c.i32_sub(I(256), L("bitPos")))),
      set(
        "wmask",
        // (1 << w) - 1 as i64 (w <= 16)
        c.i64_extend_i32_u(c.i32_sub(c.i32_shl(I(1), L("w")), I(1))),
      ),
      loopUp(
        "j",
        I(0),
        L("nActive"),
        set("i", c.i32_load(at("pList", L("j"), 4))),
        set(
          "d",
          add(
            c.i32_wrap_i64(
              c.i64_and(
                c.i64_shr_u(
                  c.i64_load(add(at("pScalars", L("i"), 32), c.i32_shr_u(L("bitPos"), I(3))), 0, 0),
                  c.i64_extend_i32_u(c.i32_and(L("bitPos"), I(7))),
                ),
                L("wmask"),
              ),
            ),
            c.i32_load(at("pCarry", L("j"), 4)),
          ),
        ),
        c.if(
          c.i32_gt_s(L("d"), L("half")),
          [
            ...set("d", c.i32_sub(L("d"), L("full"))),
            ...c.i32_store(at("pCarry", L("j"), 4), I(1)),
          ],
          c.i32_store(at("pCarry", L("j"), 4), I(0)),
        ),
        c.br_if(0, c.i32_eqz(L("d"))),
        set("neg", c.i32_lt_s(L("d"), I(0))),
        c.if(L("neg"), set("b", c.i32_sub(I(0), L("d"))), set("b", L("d"))),
        set("pP", at("pBases", L("i"), 2 * n8)),
        set("pB", bucketAt(L("b"))),
        // Bucket already in this batch: overflow.
        c.if(c.i32_eq(c.i32_load(stampAt(L("b"))), L("batchId")), [...overflow(), ...c.br(1)]),
        // Empty bucket: the point itself.
        c.if(c.call(`${G}_isZeroAffine`, L("pB")), [
          ...c.call(`${G}_copyAffine`, L("pP"), L("pB")),
          ...c.if(L("neg"), [
            ...c.call(`${Z}_unpack`, add(L("pP"), I(n8)), yP),
            ...c.call(`${Z}_sub`, zeroU, yP, yP),
            ...c.call(`${Z}_pack`, yP, add(L("pB"), I(n8))),
          ]),
          ...c.br(1),
        ]),
        c.call(`${Z}_unpack`, L("pP"), xP),
        c.call(`${Z}_unpack`, L("pB"), xB),
        c.call(`${Z}_sub`, xP, xB, dx),
        // Same x: a doubling or a cancellation, left to the Jacobian formulas.
        c.if(c.call(`${Z}_isZero`, dx), [...overflow(), ...c.br(1)]),
        c.i32_store(stampAt(L("b")), L("batchId")),
        c.i32_store(at("pEntries", L("m"), 8), c.i32_or(L("i"), c.i32_shl(L("neg"), I(31)))),
        c.i32_store(at("pEntries", L("m"), 8), 4, 2, L("b")),
        c.call(`${Z}_copy`, acc, at("pPrefix", L("m"), u)),
        c.call(`${Z}_mul`, acc, dx, acc),
        inc("m"),
        c.if(c.i32_eq(L("m"), L("batch")), flush()),
      ),
      c.if(L("m"), flush()),
      // Running sums, Jacobian in the same arithmetic: Σ b·bucket_b.
      c.call(`${Z}_zeroU`, add(sumJ, I(2 * u))),
      c.call(`${Z}_zeroU`, add(totalJ, I(2 * u))),
      set("b", L("half")),
      c.block(
        c.loop(
          c.br_if(1, c.i32_eqz(L("b"))),
          c.if(
            c.i32_eqz(c.call(`${G}_isZeroAffine`, bucketAt(L("b")))),
            c.call(`${Z}_jacAddMixed`, sumJ, bucketAt(L("b")), sumJ),
          ),
          c.if(c.i32_eqz(c.call(`${G}_isZero`, overAt(L("b")))), [
            ...c.call(`${Z}_jacUnpack`, overAt(L("b")), overJ),
            ...c.call(`${Z}_jacAdd`, sumJ, overJ, sumJ),
          ]),
          c.call(`${Z}_jacAdd`, totalJ, sumJ, totalJ),
          set("b", c.i32_sub(L("b"), I(1))),
          c.br(0),
        ),
      ),
      c.call(`${Z}_jacToFfjs`, totalJ, at("pWin", L("k"), 3 * n8)),
    ),
    // Horner over the windows, then the scalars 1.
    c.call(`${G}_zero`, L("pOut")),
    set("k", L("nW")),
    c.block(
      c.loop(
        c.br_if(1, c.i32_eqz(L("k"))),
        set("k", c.i32_sub(L("k"), I(1))),
        loopUp("j", I(0), L("c"), c.call(`${G}_double`, L("pOut"), L("pOut"))),
        c.call(`${G}_add`, L("pOut"), at("pWin", L("k"), 3 * n8), L("pOut")),
        c.br(0),
      ),
    ),
    c.call(`${G}_add`, L("pOut"), ones, L("pOut")),
  );
  module.exportFunction(msmFn(group));
}
