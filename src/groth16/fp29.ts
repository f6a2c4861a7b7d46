/**
 * A faster base-field arithmetic for the MSM's bucket additions: BN254's Fq
 * (and Fq2 = Fq[u]/(u² + 1) on it) in nine 29-bit limbs held in 64-bit
 * lanes, Montgomery form with R = 2^261.
 *
 * ffjavascript's `f1m_mul` works on eight 32-bit limbs: each 64-bit product
 * is split into halves before the next is added. With 29-bit limbs a
 * product is below 2^58 (2^60 for the unreduced sums Fq2 squaring
 * multiplies), so a column of up to 18 of them is summed with plain 64-bit
 * additions and the carries are propagated once, at the end (operand
 * scanning with deferred carries). Since 4q < R, a product of inputs below
 * 2q is below 2q after the reduction, and one conditional subtraction makes
 * every stored value fully reduced, in [0, q).
 *
 * Two layouts:
 * - "unpacked": 9 little-endian i64 limbs (72 bytes; Fq2 144 bytes), what
 *   the arithmetic functions read and write (they may alias).
 * - "packed": the same integer in 32 little-endian bytes (Fq2: c0 then c1,
 *   64 bytes), as ffjavascript stores an element, so an affine point keeps
 *   its 64 (G1) or 128 (G2) bytes and all zeros is still infinity. Only the
 *   Montgomery factor differs: ffjavascript's is 2^256, this one's 2^261;
 *   `batchFromFfjs`/`batchToFfjs` convert in place (zero stays zero).
 *
 * Inversion converts to ffjavascript's form and uses its `f1m_inverse` /
 * `f2m_inverse` (one per batch of additions).
 */
import type { WasmCodeBuilder, WasmFunctionBuilder, WasmModuleBuilder } from "ffjavascript";
import { GLV_Q } from "./glv.js";

export const LIMBS = 9;
export const LIMB_BITS = 29;
const MASK = (1 << LIMB_BITS) - 1;
const R_BITS = LIMBS * LIMB_BITS; // 261

/** Bytes of an unpacked Fq element. */
export const U1 = LIMBS * 8;

export type FieldPrefix = "zkvm_f1" | "zkvm_f2";

/** Bytes of an unpacked element of the field. */
export function unpackedBytes(F: FieldPrefix): number {
  return F === "zkvm_f1" ? U1 : 2 * U1;
}

/** Bytes of a packed element of the field (as ffjavascript's). */
export function packedBytes(F: FieldPrefix): number {
  return F === "zkvm_f1" ? 32 : 64;
}

const Q = GLV_Q;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function limbsOf(v: bigint): number[] {
  const out: number[] = [];
  for (let j = 0; j < LIMBS; j++) {
    out.push(Number((v >> BigInt(j * LIMB_BITS)) & BigInt(MASK)));
  }
  return out;
}

const QL = limbsOf(Q);
/** −q⁻¹ mod 2^29 (Montgomery's reduction constant). */
const MU = Number((1n << 29n) - (modPow(Q, (1n << 28n) - 1n, 1n << 29n) % (1n << 29n)));
if ((BigInt(MU) * Q + 1n) % (1n << 29n) !== 0n) throw new Error("fp29: bad Montgomery constant");

/** 72 bytes: v's nine limbs as little-endian i64s. */
function unpackedConst(v: bigint): Uint8Array {
  const b = new Uint8Array(U1);
  const dv = new DataView(b.buffer);
  limbsOf(v).forEach((l, j) => dv.setUint32(j * 8, l, true));
  return b;
}

/** The limbs' Montgomery one, and the constants that move between 2^256 and 2^261. */
const ONE = (1n << BigInt(R_BITS)) % Q;
/** mont(a·2^256, K_IN) = a·2^261. */
const K_IN = (1n << BigInt(R_BITS + 5)) % Q;
/** mont(a·2^261, K_OUT) = a·2^256. */
const K_OUT = (1n << 256n) % Q;

/** Emits field code into one function, adding the i64 locals it needs. */
class Emit {
  readonly c: WasmCodeBuilder;
  private readonly have = new Set<string>();
  constructor(readonly f: WasmFunctionBuilder) {
    this.c = f.getCodeBuilder();
  }
  local(name: string): string {
    if (!this.have.has(name)) {
      this.f.addLocal(name, "i64");
      this.have.add(name);
    }
    return name;
  }
  /** Locals name0..name8. */
  vec(name: string, n = LIMBS): string[] {
    return Array.from({ length: n }, (_, j) => this.local(`${name}${j}`));
  }
  get(n: string): number[] {
    return this.c.getLocal(n);
  }
  set(n: string, v: number[]): number[] {
    return this.c.setLocal(n, v);
  }
  k(v: number | bigint): number[] {
    return this.c.i64_const(v);
  }
  load(ptr: number[], offset: number, into: string[]): number[] {
    return into.flatMap((l, j) => this.set(l, this.c.i64_load(ptr, offset + 8 * j, 0)));
  }
  store(ptr: number[], offset: number, from: string[]): number[] {
    return from.flatMap((l, j) => this.c.i64_store(ptr, offset + 8 * j, 0, this.get(l)));
  }

  /** out = a + b limb by limb, no carries (limbs below 2^30). */
  addRaw(a: string[], b: string[], out: string[]): number[] {
    return out.flatMap((o, j) => this.set(o, this.c.i64_add(this.get(a[j]!), this.get(b[j]!))));
  }

  /** Carries through x (unsigned limbs), in place: every limb below 2^29 after. */
  normalize(x: string[]): number[] {
    const c = this.c;
    const code: number[] = [];
    for (let j = 0; j < LIMBS - 1; j++) {
      code.push(
        ...this.set(
          x[j + 1]!,
          c.i64_add(this.get(x[j + 1]!), c.i64_shr_u(this.get(x[j]!), this.k(LIMB_BITS))),
        ),
        ...this.set(x[j]!, c.i64_and(this.get(x[j]!), this.k(MASK))),
      );
    }
    return code;
  }

  /**
   * out = a − b mod q for normalized a, b below 2q... with a − b in (−q, 2q):
   * a − b, then q added back when negative (branch-free). Used with
   * b = q's limbs (a constant) to reduce [0, 2q) to [0, q).
   */
  subMod(a: string[], b: string[] | null, out: string[]): number[] {
    const c = this.c;
    const br = this.local("borrow");
    // a − q: into its own locals, then a or a − q is picked limb by limb
    const d = b === null ? this.vec("red") : out;
    const code: number[] = [...this.set(br, this.k(0))];
    for (let j = 0; j < LIMBS; j++) {
      const bj = b === null ? this.k(QL[j]!) : this.get(b[j]!);
      code.push(
        ...this.set(d[j]!, c.i64_add(c.i64_sub(this.get(a[j]!), bj), this.get(br))),
        ...this.set(br, c.i64_shr_s(this.get(d[j]!), this.k(LIMB_BITS))),
        ...this.set(d[j]!, c.i64_and(this.get(d[j]!), this.k(MASK))),
      );
    }
    if (b === null) {
      // br = −1 (a < q): keep a; 0: a − q. WebAssembly's select (0x1b): cond ? first : second.
      for (let j = 0; j < LIMBS; j++) {
        code.push(
          ...this.set(out[j]!, [
            ...this.get(a[j]!),
            ...this.get(d[j]!),
            ...c.i32_wrap_i64(this.get(br)),
            0x1b,
          ]),
        );
      }
      return code;
    }
    // br is 0 or −1 (all ones): add q & br
    const carry = this.local("carry");
    code.push(...this.set(carry, this.k(0)));
    for (let j = 0; j < LIMBS; j++) {
      code.push(
        ...this.set(
          out[j]!,
          c.i64_add(
            c.i64_add(this.get(out[j]!), c.i64_and(this.k(QL[j]!), this.get(br))),
            this.get(carry),
          ),
        ),
        ...this.set(carry, c.i64_shr_u(this.get(out[j]!), this.k(LIMB_BITS))),
        ...this.set(out[j]!, c.i64_and(this.get(out[j]!), this.k(MASK))),
      );
    }
    return code;
  }

  /** out = a + b mod q (normalized inputs below q). */
  addMod(a: string[], b: string[], out: string[]): number[] {
    const s = this.vec("sum");
    return [...this.addRaw(a, b, s), ...this.normalize(s), ...this.subMod(s, null, out)];
  }

  /**
   * out = a·b·2^−261 mod q, fully reduced. a's and b's limbs below 2^30 (so
   * sums of two reduced values are fine), a·b below 4q². out may be a or b.
   */
  mul(a: string[], b: string[], out: string[]): number[] {
    return this.mulSum([[a, b]], out);
  }

  /**
   * out = (Σ a·b)·2^−261 mod q over one or two pairs, fully reduced, with a
   * single Montgomery reduction for the whole sum. Two pairs need every
   * limb below 2^29 and every value below q (Σ a·b < 2q², so the reduced
   * sum is below 2q; a column then holds at most 27 products below 2^58).
   * out may alias an input.
   */
  mulSum(pairs: [string[], string[]][], out: string[]): number[] {
    const c = this.c;
    const t = this.vec("t", LIMBS);
    const q = this.local("q");
    const code: number[] = [];
    // slot s holds column i + s while row i is added
    const slots = [...t];
    for (let i = 0; i < LIMBS; i++) {
      pairs.forEach(([a, b], k) => {
        for (let j = 0; j < LIMBS; j++) {
          const prod = c.i64_mul(this.get(a[i]!), this.get(b[j]!));
          const first = i === 0 && k === 0;
          code.push(...this.set(slots[j]!, first ? prod : c.i64_add(this.get(slots[j]!), prod)));
        }
      });
      code.push(
        ...this.set(q, c.i64_and(c.i64_mul(this.get(slots[0]!), this.k(MU)), this.k(MASK))),
      );
      for (let j = 0; j < LIMBS; j++) {
        code.push(
          ...this.set(
            slots[j]!,
            c.i64_add(this.get(slots[j]!), c.i64_mul(this.get(q), this.k(QL[j]!))),
          ),
        );
      }
      // slot 0 is now ≡ 0 mod 2^29: its carry moves into slot 1, which becomes slot 0
      code.push(
        ...this.set(
          slots[1]!,
          c.i64_add(this.get(slots[1]!), c.i64_shr_u(this.get(slots[0]!), this.k(LIMB_BITS))),
        ),
      );
      const freed = slots.shift()!;
      code.push(...this.set(freed, this.k(0)));
      slots.push(freed);
    }
    code.push(...this.normalize(slots), ...this.subMod(slots, null, out));
    return code;
  }

  /** out = q − a for a normalized a in [0, q] (q − 0 = q: a representative of 0 for mulSum). */
  qMinus(a: string[], out: string[]): number[] {
    const c = this.c;
    const br = this.local("borrow");
    const code: number[] = [...this.set(br, this.k(0))];
    for (let j = 0; j < LIMBS; j++) {
      code.push(
        ...this.set(out[j]!, c.i64_add(c.i64_sub(this.k(QL[j]!), this.get(a[j]!)), this.get(br))),
        ...this.set(br, c.i64_shr_s(this.get(out[j]!), this.k(LIMB_BITS))),
        ...this.set(out[j]!, c.i64_and(this.get(out[j]!), this.k(MASK))),
      );
    }
    return code;
  }

  /** out = a²·2^−261 mod q (a normalized, below 2q). */
  square(a: string[], out: string[]): number[] {
    const c = this.c;
    const T = this.vec("T", 2 * LIMBS);
    const a2 = this.vec("a2");
    const q = this.local("q");
    const code: number[] = [];
    for (let j = 0; j < LIMBS; j++) {
      code.push(...this.set(a2[j]!, c.i64_shl(this.get(a[j]!), this.k(1))));
    }
    const started = new Set<number>();
    const acc = (col: number, v: number[]): void => {
      code.push(...this.set(T[col]!, started.has(col) ? c.i64_add(this.get(T[col]!), v) : v));
      started.add(col);
    };
    for (let i = 0; i < LIMBS; i++) {
      acc(2 * i, c.i64_mul(this.get(a[i]!), this.get(a[i]!)));
      for (let j = i + 1; j < LIMBS; j++) acc(i + j, c.i64_mul(this.get(a[i]!), this.get(a2[j]!)));
    }
    code.push(...this.set(T[2 * LIMBS - 1]!, this.k(0)));
    for (let i = 0; i < LIMBS; i++) {
      code.push(...this.set(q, c.i64_and(c.i64_mul(this.get(T[i]!), this.k(MU)), this.k(MASK))));
      for (let j = 0; j < LIMBS; j++) {
        code.push(
          ...this.set(
            T[i + j]!,
            c.i64_add(this.get(T[i + j]!), c.i64_mul(this.get(q), this.k(QL[j]!))),
          ),
        );
      }
      code.push(
        ...this.set(
          T[i + 1]!,
          c.i64_add(this.get(T[i + 1]!), c.i64_shr_u(this.get(T[i]!), this.k(LIMB_BITS))),
        ),
      );
    }
    const hi = T.slice(LIMBS);
    code.push(...this.normalize(hi), ...this.subMod(hi, null, out));
    return code;
  }

  /** Limbs of the 256-bit little-endian integer at ptr + offset. */
  unpack(ptr: number[], offset: number, into: string[]): number[] {
    const c = this.c;
    return into.flatMap((l, j) => {
      const bit = j * LIMB_BITS;
      const o = Math.min(bit >> 3, 24);
      const sh = bit - 8 * o;
      return this.set(
        l,
        c.i64_and(c.i64_shr_u(c.i64_load(ptr, offset + o, 0), this.k(sh)), this.k(MASK)),
      );
    });
  }

  /** Stores normalized limbs (value below 2^256) as 32 little-endian bytes. */
  pack(ptr: number[], offset: number, from: string[]): number[] {
    const c = this.c;
    const code: number[] = [];
    for (let w = 0; w < 4; w++) {
      let word: number[] | null = null;
      for (let j = 0; j < LIMBS; j++) {
        const lo = j * LIMB_BITS - 64 * w;
        if (lo >= 64 || lo + LIMB_BITS <= 0) continue;
        const part =
          lo >= 0
            ? c.i64_shl(this.get(from[j]!), this.k(lo))
            : c.i64_shr_u(this.get(from[j]!), this.k(-lo));
        word = word === null ? part : c.i64_or(word, part);
      }
      code.push(...c.i64_store(ptr, offset + 8 * w, 0, word!));
    }
    return code;
  }

  isZero(a: string[]): number[] {
    const c = this.c;
    let acc = this.get(a[0]!);
    for (let j = 1; j < LIMBS; j++) acc = c.i64_or(acc, this.get(a[j]!));
    return c.i64_eqz(acc);
  }
}

function fn(
  module: WasmModuleBuilder,
  name: string,
  params: string[],
  body: (e: Emit, p: (name: string) => number[]) => number[][],
  returns?: "i32",
): void {
  const f = module.addFunction(name);
  for (const p of params) f.addParam(p, "i32");
  if (returns) f.setReturnType(returns);
  const e = new Emit(f);
  f.addCode(...body(e, (n) => e.c.getLocal(n)));
  module.exportFunction(name);
}

/** Adds every zkvm_f1_* and zkvm_f2_* function. */
export function fp29Plugin(module: WasmModuleBuilder): void {
  const pQ = module.alloc(unpackedConst(Q));
  void pQ;
  const pOne = module.alloc(unpackedConst(ONE));
  const pKIn = module.alloc(unpackedConst(K_IN));
  const pKOut = module.alloc(unpackedConst(K_OUT));
  const I = (e: Emit, v: number): number[] => e.c.i32_const(v);

  // ---- Fq ----
  fn(module, "zkvm_f1_mul", ["a", "b", "r"], (e, p) => {
    const a = e.vec("a");
    const b = e.vec("b");
    return [e.load(p("a"), 0, a), e.load(p("b"), 0, b), e.mul(a, b, a), e.store(p("r"), 0, a)];
  });
  fn(module, "zkvm_f1_square", ["a", "r"], (e, p) => {
    const a = e.vec("a");
    return [e.load(p("a"), 0, a), e.square(a, a), e.store(p("r"), 0, a)];
  });
  fn(module, "zkvm_f1_add", ["a", "b", "r"], (e, p) => {
    const a = e.vec("a");
    const b = e.vec("b");
    return [e.load(p("a"), 0, a), e.load(p("b"), 0, b), e.addMod(a, b, a), e.store(p("r"), 0, a)];
  });
  fn(module, "zkvm_f1_sub", ["a", "b", "r"], (e, p) => {
    const a = e.vec("a");
    const b = e.vec("b");
    return [e.load(p("a"), 0, a), e.load(p("b"), 0, b), e.subMod(a, b, a), e.store(p("r"), 0, a)];
  });
  fn(module, "zkvm_f1_copy", ["a", "r"], (e, p) => {
    const a = e.vec("a");
    return [e.load(p("a"), 0, a), e.store(p("r"), 0, a)];
  });
  fn(module, "zkvm_f1_one", ["r"], (e, p) => {
    const a = e.vec("a");
    return [e.load(I(e, pOne), 0, a), e.store(p("r"), 0, a)];
  });
  fn(
    module,
    "zkvm_f1_isZero",
    ["a"],
    (e, p) => {
      const a = e.vec("a");
      return [e.load(p("a"), 0, a), e.isZero(a)];
    },
    "i32",
  );
  fn(module, "zkvm_f1_unpack", ["x", "r"], (e, p) => {
    const a = e.vec("a");
    return [e.unpack(p("x"), 0, a), e.store(p("r"), 0, a)];
  });
  fn(module, "zkvm_f1_pack", ["a", "x"], (e, p) => {
    const a = e.vec("a");
    return [e.load(p("a"), 0, a), e.pack(p("x"), 0, a)];
  });
  // n packed elements at x, in place: ffjavascript's form to this one's, and back
  for (const [name, k] of [
    ["zkvm_f1_batchFromFfjs", pKIn],
    ["zkvm_f1_batchToFfjs", pKOut],
  ] as const) {
    fn(module, name, ["x", "n"], (e, p) => {
      const a = e.vec("a");
      const b = e.vec("b");
      const c = e.c;
      const f = e.f;
      f.addLocal("end", "i32");
      return [
        c.setLocal("end", c.i32_add(p("x"), c.i32_mul(p("n"), c.i32_const(32)))),
        e.load(I(e, k), 0, b),
        c.block(
          c.loop(
            c.br_if(1, c.i32_ge_u(p("x"), c.getLocal("end"))),
            e.unpack(p("x"), 0, a),
            e.mul(a, b, a),
            e.pack(p("x"), 0, a),
            c.setLocal("x", c.i32_add(p("x"), c.i32_const(32))),
            c.br(0),
          ),
        ),
      ];
    });
  }
  // r = a⁻¹ = a^(q−2) (unpacked; 0 gives 0): 4-bit windows over the
  // exponent, a table of a^1..a^15 (about 252 squarings and 75 multiplications).
  const table = module.alloc(16 * U1);
  const nibbles = new Uint8Array(64);
  for (let k = 0; k < 64; k++) nibbles[k] = Number(((Q - 2n) >> BigInt(4 * (63 - k))) & 15n);
  const pNibbles = module.alloc(nibbles);
  fn(module, "zkvm_f1_inverse", ["a", "r"], (e, p) => {
    const c = e.c;
    const x = e.vec("a");
    const y = e.vec("b");
    const tab = (k: number[]): number[] => c.i32_add(I(e, table), c.i32_mul(k, I(e, U1)));
    e.f.addLocal("k", "i32");
    e.f.addLocal("nb", "i32");
    e.f.addLocal("s", "i32");
    return [
      e.load(p("a"), 0, x),
      e.store(I(e, table + U1), 0, x),
      e.load(I(e, pOne), 0, y),
      e.store(I(e, table), 0, y),
      // table[k] = table[k − 1]·a
      c.setLocal("k", I(e, 2)),
      c.block(
        c.loop(
          c.br_if(1, c.i32_eq(c.getLocal("k"), I(e, 16))),
          e.load(tab(c.i32_sub(c.getLocal("k"), I(e, 1))), 0, y),
          e.mul(y, x, y),
          e.store(tab(c.getLocal("k")), 0, y),
          c.setLocal("k", c.i32_add(c.getLocal("k"), I(e, 1))),
          c.br(0),
        ),
      ),
      e.load(I(e, pOne), 0, x),
      c.setLocal("k", I(e, 0)),
      c.block(
        c.loop(
          c.br_if(1, c.i32_eq(c.getLocal("k"), I(e, 64))),
          c.setLocal("s", I(e, 0)),
          c.block(
            c.loop(
              c.br_if(1, c.i32_eq(c.getLocal("s"), I(e, 4))),
              e.square(x, x),
              c.setLocal("s", c.i32_add(c.getLocal("s"), I(e, 1))),
              c.br(0),
            ),
          ),
          c.setLocal("nb", c.i32_load8_u(c.i32_add(I(e, pNibbles), c.getLocal("k")))),
          c.if(c.getLocal("nb"), [...e.load(tab(c.getLocal("nb")), 0, y), ...e.mul(x, y, x)]),
          c.setLocal("k", c.i32_add(c.getLocal("k"), I(e, 1))),
          c.br(0),
        ),
      ),
      e.store(p("r"), 0, x),
    ];
  });

  // ---- Fq2 = Fq[u]/(u² + 1): (a0, a1) = a0 + a1·u ----
  fn(module, "zkvm_f2_mul", ["a", "b", "r"], (e, p) => {
    const [a0, a1, b0, b1] = ["a", "b", "c", "d"].map((n) => e.vec(n));
    const [v0, v1, nb1] = ["v", "w", "nb"].map((n) => e.vec(n));
    // Four products and two reductions (one per coefficient) instead of
    // Karatsuba's three and three: c0 = a0·b0 + a1·(q − b1),
    // c1 = a0·b1 + a1·b0, each sum reduced once.
    return [
      e.load(p("a"), 0, a0!),
      e.load(p("a"), U1, a1!),
      e.load(p("b"), 0, b0!),
      e.load(p("b"), U1, b1!),
      e.qMinus(b1!, nb1!),
      e.mulSum(
        [
          [a0!, b0!],
          [a1!, nb1!],
        ],
        v0!,
      ),
      e.mulSum(
        [
          [a0!, b1!],
          [a1!, b0!],
        ],
        v1!,
      ),
      e.store(p("r"), 0, v0!),
      e.store(p("r"), U1, v1!),
    ];
  });
  fn(module, "zkvm_f2_square", ["a", "r"], (e, p) => {
    const [a0, a1, s, d] = ["a", "b", "c", "d"].map((n) => e.vec(n));
    return [
      e.load(p("a"), 0, a0!),
      e.load(p("a"), U1, a1!),
      // c0 = (a0 + a1)(a0 − a1); c1 = 2·a0·a1
      e.addRaw(a0!, a1!, s!),
      e.subMod(a0!, a1!, d!),
      e.mul(s!, d!, s!),
      e.addRaw(a0!, a0!, a0!),
      e.mul(a0!, a1!, a1!),
      e.store(p("r"), 0, s!),
      e.store(p("r"), U1, a1!),
    ];
  });
  for (const [op, name] of [
    ["add", "zkvm_f2_add"],
    ["sub", "zkvm_f2_sub"],
  ] as const) {
    fn(module, name, ["a", "b", "r"], (e, p) => {
      const a = e.vec("a");
      const b = e.vec("b");
      const code: number[][] = [];
      for (const off of [0, U1]) {
        code.push(
          e.load(p("a"), off, a),
          e.load(p("b"), off, b),
          op === "add" ? e.addMod(a, b, a) : e.subMod(a, b, a),
          e.store(p("r"), off, a),
        );
      }
      return code;
    });
  }
  fn(module, "zkvm_f2_copy", ["a", "r"], (e, p) => {
    const a = e.vec("a");
    return [
      e.load(p("a"), 0, a),
      e.store(p("r"), 0, a),
      e.load(p("a"), U1, a),
      e.store(p("r"), U1, a),
    ];
  });
  fn(module, "zkvm_f2_one", ["r"], (e, p) => {
    const a = e.vec("a");
    return [
      e.load(I(e, pOne), 0, a),
      e.store(p("r"), 0, a),
      ...Array.from({ length: LIMBS }, (_, j) => e.c.i64_store(p("r"), U1 + 8 * j, 0, e.k(0))),
    ];
  });
  fn(
    module,
    "zkvm_f2_isZero",
    ["a"],
    (e, p) => {
      const a = e.vec("a");
      const b = e.vec("b");
      return [e.load(p("a"), 0, a), e.load(p("a"), U1, b), e.c.i32_and(e.isZero(a), e.isZero(b))];
    },
    "i32",
  );
  fn(module, "zkvm_f2_unpack", ["x", "r"], (e, p) => {
    const a = e.vec("a");
    return [
      e.unpack(p("x"), 0, a),
      e.store(p("r"), 0, a),
      e.unpack(p("x"), 32, a),
      e.store(p("r"), U1, a),
    ];
  });
  fn(module, "zkvm_f2_pack", ["a", "x"], (e, p) => {
    const a = e.vec("a");
    return [
      e.load(p("a"), 0, a),
      e.pack(p("x"), 0, a),
      e.load(p("a"), U1, a),
      e.pack(p("x"), 32, a),
    ];
  });
  for (const F of ["zkvm_f1", "zkvm_f2"] as const) {
    fn(module, `${F}_zeroU`, ["r"], (e, p) =>
      Array.from({ length: unpackedBytes(F) / 8 }, (_, j) =>
        e.c.i64_store(p("r"), 8 * j, 0, e.k(0)),
      ),
    );
    fn(module, `${F}_copyPacked3`, ["a", "r"], (e, p) =>
      Array.from({ length: (3 * packedBytes(F)) / 8 }, (_, j) =>
        e.c.i64_store(p("r"), 8 * j, 0, e.c.i64_load(p("a"), 8 * j, 0)),
      ),
    );
  }
  // r = (a0 − a1·u) / (a0² + a1²)
  const invTmp = module.alloc(U1);
  fn(module, "zkvm_f2_inverse", ["a", "r"], (e, p) => {
    const [a0, a1, t, s] = ["a", "b", "c", "d"].map((n) => e.vec(n)) as [
      string[],
      string[],
      string[],
      string[],
    ];
    return [
      e.load(p("a"), 0, a0),
      e.load(p("a"), U1, a1),
      e.square(a0, t),
      e.square(a1, s),
      e.addMod(t, s, t),
      e.store(I(e, invTmp), 0, t),
      e.c.call("zkvm_f1_inverse", I(e, invTmp), I(e, invTmp)),
      e.load(I(e, invTmp), 0, t),
      e.mul(a0, t, a0),
      e.mul(a1, t, a1),
      e.subMod(e.vec("z"), a1, a1), // z: locals start at zero
      e.store(p("r"), 0, a0),
      e.store(p("r"), U1, a1),
    ];
  });
  jacobianPlugin(module, "zkvm_f1");
  jacobianPlugin(module, "zkvm_f2");
}

/**
 * Jacobian points (X, Y, Z), each coordinate unpacked (3 × unpackedBytes;
 * Z = 0 is infinity) on y² = x³ + b, with this file's arithmetic: the MSM's
 * bucket sums. Functions `${F}_jacAddMixed(j, affinePacked, r)`,
 * `${F}_jacAdd(j1, j2, r)`, `${F}_jacDouble(j, r)` (r may alias an input),
 * `${F}_jacToFfjs(j, out)` (ffjavascript's Jacobian layout, packed) and
 * `${F}_jacFromFfjs(in, j)`.
 */
export function jacobianPlugin(module: WasmModuleBuilder, F: FieldPrefix): void {
  const u = unpackedBytes(F);
  const pb = packedBytes(F);
  const slot = (): number => module.alloc(u);
  const slots = Array.from({ length: 17 }, slot) as [number, ...number[]];
  const at = (k: number): number => slots[k]!;
  const [z1z1, z2z2, u1, u2, s1, s2, h, ii, j, rr, v, x3, y3, z3, tt, ax, ay] = Array.from(
    { length: 17 },
    (_, k) => at(k),
  ) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const tmpPacked = module.alloc(3 * pb);
  const elems = pb / 32;

  const ops = (e: Emit) => {
    const c = e.c;
    const I = (v: number): number[] => c.i32_const(v);
    const A = (v: number | number[]): number[] => (typeof v === "number" ? I(v) : v);
    type P = number | number[];
    return {
      I,
      mul: (a: P, b: P, r: P) => c.call(`${F}_mul`, A(a), A(b), A(r)),
      sq: (a: P, r: P) => c.call(`${F}_square`, A(a), A(r)),
      add: (a: P, b: P, r: P) => c.call(`${F}_add`, A(a), A(b), A(r)),
      sub: (a: P, b: P, r: P) => c.call(`${F}_sub`, A(a), A(b), A(r)),
      copy: (a: P, r: P) => c.call(`${F}_copy`, A(a), A(r)),
      isZero: (a: P) => c.call(`${F}_isZero`, A(a)),
      off: (p: string, k: number) => c.i32_add(c.getLocal(p), I(k * u)),
    };
  };

  // r = 2·p (dbl-2009-l); Y = 0 cannot happen on the prime-order groups, Z = 0 stays 0.
  fn(module, `${F}_jacDouble`, ["p", "r"], (e) => {
    const o = ops(e);
    const c = e.c;
    const [a, b, cc, d, ee, f] = [z1z1, z2z2, u1, u2, s1, s2];
    const X = o.off("p", 0);
    const Y = o.off("p", 1);
    const Z = o.off("p", 2);
    return [
      c.if(o.isZero(Z), [...o.copy(Z, o.off("r", 2)), ...c.ret([])]),
      o.sq(X, a),
      o.sq(Y, b),
      o.sq(b, cc),
      o.add(X, b, d),
      o.sq(d, d),
      o.sub(d, a, d),
      o.sub(d, cc, d),
      o.add(d, d, d),
      o.add(a, a, ee),
      o.add(ee, a, ee),
      o.sq(ee, f),
      o.mul(Y, Z, z3),
      o.add(z3, z3, z3),
      o.sub(f, d, x3),
      o.sub(x3, d, x3),
      o.sub(d, x3, y3),
      o.mul(ee, y3, y3),
      o.add(cc, cc, cc),
      o.add(cc, cc, cc),
      o.add(cc, cc, cc),
      o.sub(y3, cc, y3),
      o.copy(x3, o.off("r", 0)),
      o.copy(y3, o.off("r", 1)),
      o.copy(z3, o.off("r", 2)),
    ];
  });

  // r = p + (x, y) for a packed affine (x, y) that is not infinity (madd-2007-bl).
  fn(module, `${F}_jacAddMixed`, ["p", "a", "r"], (e) => {
    const o = ops(e);
    const c = e.c;
    const X = o.off("p", 0);
    const Y = o.off("p", 1);
    const Z = o.off("p", 2);
    return [
      c.call(`${F}_unpack`, c.getLocal("a"), o.I(ax)),
      c.call(`${F}_unpack`, c.i32_add(c.getLocal("a"), o.I(pb)), o.I(ay)),
      c.if(o.isZero(Z), [
        ...o.copy(ax, o.off("r", 0)),
        ...o.copy(ay, o.off("r", 1)),
        ...c.call(`${F}_one`, o.off("r", 2)),
        ...c.ret([]),
      ]),
      o.sq(Z, z1z1),
      o.mul(ax, z1z1, u2),
      o.mul(Z, z1z1, s2),
      o.mul(ay, s2, s2),
      o.sub(u2, X, h),
      o.sub(s2, Y, rr),
      c.if(o.isZero(h), [
        ...c.if(o.isZero(rr), c.call(`${F}_jacDouble`, c.getLocal("p"), c.getLocal("r")), [
          ...e.c.call(`${F}_zeroU`, o.off("r", 2)),
        ]),
        ...c.ret([]),
      ]),
      o.add(rr, rr, rr),
      o.sq(h, z2z2), // HH
      o.add(z2z2, z2z2, ii),
      o.add(ii, ii, ii), // I = 4HH
      o.mul(h, ii, j),
      o.mul(X, ii, v),
      o.sq(rr, x3),
      o.sub(x3, j, x3),
      o.sub(x3, v, x3),
      o.sub(x3, v, x3),
      o.sub(v, x3, y3),
      o.mul(rr, y3, y3),
      o.mul(Y, j, tt),
      o.add(tt, tt, tt),
      o.sub(y3, tt, y3),
      o.add(Z, h, z3),
      o.sq(z3, z3),
      o.sub(z3, z1z1, z3),
      o.sub(z3, z2z2, z3),
      o.copy(x3, o.off("r", 0)),
      o.copy(y3, o.off("r", 1)),
      o.copy(z3, o.off("r", 2)),
    ];
  });

  // r = p + q, both Jacobian (add-2007-bl).
  fn(module, `${F}_jacAdd`, ["p", "q", "r"], (e) => {
    const o = ops(e);
    const c = e.c;
    const X1 = o.off("p", 0);
    const Y1 = o.off("p", 1);
    const Z1 = o.off("p", 2);
    const X2 = o.off("q", 0);
    const Y2 = o.off("q", 1);
    const Z2 = o.off("q", 2);
    const copyPoint = (from: string): number[] => [
      ...o.copy(o.off(from, 0), o.off("r", 0)),
      ...o.copy(o.off(from, 1), o.off("r", 1)),
      ...o.copy(o.off(from, 2), o.off("r", 2)),
    ];
    return [
      c.if(o.isZero(Z1), [...copyPoint("q"), ...c.ret([])]),
      c.if(o.isZero(Z2), [...copyPoint("p"), ...c.ret([])]),
      o.sq(Z1, z1z1),
      o.sq(Z2, z2z2),
      o.mul(X1, z2z2, u1),
      o.mul(X2, z1z1, u2),
      o.mul(Z2, z2z2, s1),
      o.mul(Y1, s1, s1),
      o.mul(Z1, z1z1, s2),
      o.mul(Y2, s2, s2),
      o.sub(u2, u1, h),
      o.sub(s2, s1, rr),
      c.if(o.isZero(h), [
        ...c.if(o.isZero(rr), c.call(`${F}_jacDouble`, c.getLocal("p"), c.getLocal("r")), [
          ...e.c.call(`${F}_zeroU`, o.off("r", 2)),
        ]),
        ...c.ret([]),
      ]),
      o.add(rr, rr, rr),
      o.add(h, h, ii),
      o.sq(ii, ii),
      o.mul(h, ii, j),
      o.mul(u1, ii, v),
      o.sq(rr, x3),
      o.sub(x3, j, x3),
      o.sub(x3, v, x3),
      o.sub(x3, v, x3),
      o.sub(v, x3, y3),
      o.mul(rr, y3, y3),
      o.mul(s1, j, tt),
      o.add(tt, tt, tt),
      o.sub(y3, tt, y3),
      o.add(Z1, Z2, z3),
      o.sq(z3, z3),
      o.sub(z3, z1z1, z3),
      o.sub(z3, z2z2, z3),
      o.mul(z3, h, z3),
      o.copy(x3, o.off("r", 0)),
      o.copy(y3, o.off("r", 1)),
      o.copy(z3, o.off("r", 2)),
    ];
  });

  for (const dir of ["Pack", "Unpack"] as const) {
    // jacPack(j, packed): the three coordinates packed; jacUnpack(packed, j)
    fn(module, `${F}_jac${dir}`, ["a", "r"], (e) => {
      const c = e.c;
      return [0, 1, 2].map((k) =>
        dir === "Pack"
          ? c.call(
              `${F}_pack`,
              c.i32_add(c.getLocal("a"), c.i32_const(k * u)),
              c.i32_add(c.getLocal("r"), c.i32_const(k * pb)),
            )
          : c.call(
              `${F}_unpack`,
              c.i32_add(c.getLocal("a"), c.i32_const(k * pb)),
              c.i32_add(c.getLocal("r"), c.i32_const(k * u)),
            ),
      );
    });
  }
  fn(module, `${F}_jacToFfjs`, ["p", "out"], (e) => {
    const c = e.c;
    const code: number[][] = [];
    for (let k = 0; k < 3; k++) {
      code.push(
        c.call(
          `${F}_pack`,
          c.i32_add(c.getLocal("p"), c.i32_const(k * u)),
          c.i32_add(c.getLocal("out"), c.i32_const(k * pb)),
        ),
      );
    }
    code.push(c.call("zkvm_f1_batchToFfjs", c.getLocal("out"), c.i32_const(3 * elems)));
    return code;
  });
  fn(module, `${F}_jacFromFfjs`, ["in", "p"], (e) => {
    const c = e.c;
    const code: number[][] = [
      c.call(`${F}_copyPacked3`, c.getLocal("in"), c.i32_const(tmpPacked)),
      c.call("zkvm_f1_batchFromFfjs", c.i32_const(tmpPacked), c.i32_const(3 * elems)),
    ];
    for (let k = 0; k < 3; k++) {
      code.push(
        c.call(
          `${F}_unpack`,
          c.i32_const(tmpPacked + k * pb),
          c.i32_add(c.getLocal("p"), c.i32_const(k * u)),
        ),
      );
    }
    return code;
  });
}
