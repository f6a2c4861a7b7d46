/**
 * zkvm's Groth16 prover (src/groth16/prover.ts) against snarkjs:
 * - with the same r and s (snarkjs's Fr.random replaced for the call), its
 *   proof is byte for byte snarkjs's, at several domain sizes, on keys from
 *   the direct setup, with witnesses rich in zeros and ones;
 * - with r and s from the CSPRNG, snarkjs's groth16.verify accepts its
 *   proofs and rejects them for a changed public signal;
 * - the GLV split k = k1 + k2·λ holds with halves below 2^128 for edge and
 *   random scalars, and φ (β·x on G1, β²·x on G2) is λ· on both groups;
 * - each MSM (G1, G2; GLV on one thread and workers, plain on one thread)
 *   equals ffjavascript's multiExpAffine on random and adversarial inputs:
 *   zero scalars, scalar 1, points at infinity, repeated points (same and
 *   opposite), scalars next to r and 2^253, scalars that all fall in one
 *   bucket, and GLV edges (λ, λ², k1 = k2);
 * - the MSMs' 29-bit-limb field (Fq, Fq2: products, squares, sums,
 *   differences, inverses, packing, and the conversions from and to
 *   ffjavascript's Montgomery form) equals bigint arithmetic at edge and
 *   random values;
 * - malformed inputs are typed errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import type { Bn128Curve } from "ffjavascript";

import { directSetup, type Groth16VerificationKey } from "../src/groth16/index.js";
import { GLV_BETA, GLV_LAMBDA, GLV_Q, glvScalars, glvSplit } from "../src/groth16/glv.js";
import { Prover, ProverInputError } from "../src/groth16/prover.js";
import { compileCircom } from "../src/pipeline/circom.js";
import { computeWitness } from "../src/pipeline/prove.js";
import { loadSnarkjs, type Snarkjs } from "../src/pipeline/snarkjs.js";

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** n squarings with additions, n zero wires and n one wires: dense, zero and one scalars. */
function circuit(n: number): string {
  return `pragma circom 2.0.0;
template Chain(N) {
    signal input a;
    signal input b;
    signal input z;
    signal output y;
    signal x[N + 1];
    signal zero[N];
    signal one[N];
    x[0] <== a;
    for (var i = 0; i < N; i++) {
        x[i + 1] <== x[i] * x[i] + b;
        zero[i] <== z * x[i];
        one[i] <== (z + 1) * (z + 1);
    }
    y <== x[N];
}
component main { public [a, b] } = Chain(${n});
`;
}

interface Fixture {
  zkey: Uint8Array;
  zkeyPath: string;
  wtns: Uint8Array;
  vkey: Groth16VerificationKey;
}

function leBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function leBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

describe("zkvm Groth16 prover", function () {
  this.timeout(300_000);
  let dir: string;
  let snarkjs: Snarkjs;
  let single: Prover;
  let workers: Prover;
  const single0 = (): Prover => single;
  const fixtures = new Map<number, Fixture>();

  async function fixture(n: number): Promise<Fixture> {
    const known = fixtures.get(n);
    if (known) return known;
    const sub = path.join(dir, `c${n}`);
    const circomFile = path.join(dir, `chain${n}.circom`);
    writeFileSync(circomFile, circuit(n));
    const compiled = await compileCircom({ circomFile, outDir: sub, includePaths: [] });
    const chunks: Uint8Array[] = [];
    const { vkey } = await directSetup(new Uint8Array(readFileSync(compiled.r1csPath)), {
      write: (c) => void chunks.push(c.slice()),
    });
    const zkey = new Uint8Array(Buffer.concat(chunks));
    const zkeyPath = path.join(sub, "key.zkey");
    writeFileSync(zkeyPath, zkey);
    const { wtns } = await computeWitness(compiled.wasmPath, { a: 3, b: 5, z: 0 });
    const f = { zkey, zkeyPath, wtns, vkey };
    fixtures.set(n, f);
    return f;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "zkvm-prover-"));
    snarkjs = await loadSnarkjs();
    single = await Prover.build(true);
    workers = await Prover.build(false);
  });
  after(async () => {
    single?.close();
    workers?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const n of [3, 150, 700]) {
    it(`equals snarkjs's proof byte for byte for the same r, s (chain of ${n})`, async () => {
      const f = await fixture(n);
      const curve = (await (
        snarkjs as unknown as { curves: { getCurveFromName(n: string): Promise<Bn128Curve> } }
      ).curves.getCurveFromName("bn128")) as Bn128Curve;
      const Fr = curve.Fr;
      const r = Fr.e(123456789n * BigInt(n) + 1n);
      const s = Fr.e(R - 987654321n * BigInt(n));
      const original = Fr.random.bind(Fr);
      const queue = [r, s];
      Fr.random = () => queue.shift()!;
      let theirs;
      try {
        theirs = await snarkjs.groth16.prove(f.zkeyPath, { type: "mem", data: f.wtns });
      } finally {
        Fr.random = original;
      }
      expect(queue).to.have.length(0);
      for (const prover of [single, workers]) {
        const mine = await prover.prove(f.zkey, f.wtns, {
          testOnlyRandomness: { r: r.slice(), s: s.slice() },
        });
        expect(JSON.stringify(mine.proof)).to.equal(JSON.stringify(theirs.proof));
        expect(mine.publicSignals).to.deep.equal(theirs.publicSignals);
      }
    });
  }

  it("makes proofs with random r, s that snarkjs verifies, and rejects a changed signal", async () => {
    const f = await fixture(150);
    // A Node Buffer (what readFile gives), twice: the key must not be detached by a transfer.
    const fileKey = readFileSync(f.zkeyPath);
    await workers.prove(fileKey, Buffer.from(f.wtns));
    const a = await workers.prove(fileKey, Buffer.from(f.wtns));
    const b = await single.prove(f.zkey, f.wtns);
    expect(a.proof.pi_a).to.not.deep.equal(b.proof.pi_a);
    for (const p of [a, b]) {
      expect(await snarkjs.groth16.verify(f.vkey, p.publicSignals, p.proof)).to.equal(true);
      const forged = [...p.publicSignals];
      forged[1] = (BigInt(forged[1]!) + 1n).toString();
      expect(await snarkjs.groth16.verify(f.vkey, forged, p.proof)).to.equal(false);
    }
  });

  it("rejects malformed keys and witnesses with typed errors", async () => {
    const f = await fixture(3);
    const other = await fixture(150);
    const expectCode = async (p: Promise<unknown>, code: string, text: RegExp): Promise<void> => {
      try {
        await p;
      } catch (e) {
        expect(e).to.be.instanceOf(ProverInputError);
        expect((e as ProverInputError).code).to.equal(code);
        expect((e as Error).message).to.match(text);
        return;
      }
      expect.fail("no error");
    };
    await expectCode(single.prove(f.wtns, f.wtns), "ZKEY_INVALID", /not a \.zkey file/);
    await expectCode(
      single.prove(f.zkey.subarray(0, 500), f.wtns),
      "ZKEY_INVALID",
      /past the end|missing/,
    );
    await expectCode(single.prove(f.zkey, f.zkey), "WITNESS_INVALID", /not a \.wtns file/);
    await expectCode(single.prove(f.zkey, other.wtns), "WITNESS_MISMATCH", /different circuits/);
    const big = f.wtns.slice();
    big.set(leBytes(R), big.byteLength - 32);
    await expectCode(single.prove(f.zkey, big), "WITNESS_INVALID", /not below the group order/);
  });

  describe("GLV split (k = k1 + k2·λ mod r, |k1|, |k2| < 2^128)", () => {
    it("holds for edge and random scalars, and λ is φ's eigenvalue on G1 and G2", () => {
      const edges = [
        0n,
        1n,
        2n,
        R - 1n,
        R - 2n,
        GLV_LAMBDA,
        GLV_LAMBDA - 1n,
        GLV_LAMBDA + 1n,
        (GLV_LAMBDA * GLV_LAMBDA) % R,
        R - GLV_LAMBDA,
        (1n << 64n) - 1n,
        1n << 64n,
        (1n << 128n) - 1n,
        1n << 128n,
        (1n << 253n) - 1n,
        1n << 253n,
        R >> 1n,
        (R >> 1n) + 1n,
      ];
      const single = single0();
      const Fr = single.curve.Fr as Bn128Curve["Fr"] & {
        fromMontgomery(a: Uint8Array): Uint8Array;
      };
      const random: bigint[] = [];
      for (let i = 0; i < 3000; i++) random.push(leBigint(Fr.fromMontgomery(Fr.random())));
      const all = [...edges, ...random];
      const packed = new Uint8Array(all.length * 32);
      all.forEach((k, i) => packed.set(leBytes(k), i * 32));
      const split = glvScalars(packed, all.length);
      all.forEach((k, i) => {
        const [k1, k2] = glvSplit(k);
        const mod = (v: bigint): bigint => ((v % R) + R) % R;
        expect(mod(k1 + k2 * GLV_LAMBDA), `k = ${k}`).to.equal(k);
        for (const h of [k1, k2])
          expect(h < 1n << 128n && -h < 1n << 128n, `k = ${k}`).to.equal(true);
        // the packed form: magnitudes and sign bits
        const abs1 = leBigint(split.halves.subarray(i * 64, i * 64 + 32));
        const abs2 = leBigint(split.halves.subarray(i * 64 + 32, i * 64 + 64));
        const s = split.signs[i]!;
        expect(mod((s & 1 ? -abs1 : abs1) + (s & 2 ? -abs2 : abs2) * GLV_LAMBDA)).to.equal(k);
      });
      // φ = λ· on both groups: (β·x, y) on G1, (β²·x, y) on G2
      const curve = single.curve;
      for (const [G, beta] of [
        [curve.G1, GLV_BETA],
        [curve.G2, (GLV_BETA * GLV_BETA) % GLV_Q],
      ] as const) {
        const P = G.toObject(G.toAffine(G.timesScalar(G.g, 987654321n))) as unknown[];
        const L = G.toObject(
          G.toAffine(G.timesScalar(G.g, (987654321n * GLV_LAMBDA) % R)),
        ) as unknown[];
        const times = (x: unknown): unknown =>
          Array.isArray(x) ? x.map(times) : ((x as bigint) * beta) % GLV_Q;
        expect(String([times(P[0]), P[1]])).to.equal(String([L[0], L[1]]));
      }
    });
  });

  it("29-bit-limb field (src/groth16/fp29.ts): Fq and Fq2 operations and conversions equal bigint arithmetic and ffjavascript's form", () => {
    const tm = single.curve.tm as unknown as {
      instance: { exports: Record<string, (...a: number[]) => number> };
      memory: WebAssembly.Memory;
      alloc(n: number): number;
    };
    const ex = tm.instance.exports;
    const Q = GLV_Q;
    const M = (1n << 261n) % Q; // the limbs' Montgomery factor
    const pow = (b: bigint, e: bigint): bigint => {
      let r = 1n;
      for (; e > 0n; e >>= 1n, b = (b * b) % Q) if (e & 1n) r = (r * b) % Q;
      return r;
    };
    const Minv = pow(M, Q - 2n);
    const [pa, pb, pr, px] = [tm.alloc(160), tm.alloc(160), tm.alloc(160), tm.alloc(64)];
    const dv = (): DataView => new DataView(tm.memory.buffer);
    const putU = (p: number, v: bigint): void => {
      for (let j = 0; j < 9; j++)
        dv().setBigUint64(p + 8 * j, (v >> BigInt(29 * j)) & 0x1fffffffn, true);
    };
    const getU = (p: number): bigint => {
      let v = 0n;
      for (let j = 8; j >= 0; j--) {
        const l = dv().getBigUint64(p + 8 * j, true);
        expect(l < 1n << 29n, "normalized limb").to.equal(true);
        v = (v << 29n) | l;
      }
      return v;
    };
    const putP = (p: number, v: bigint): void => {
      for (let j = 0; j < 4; j++)
        dv().setBigUint64(p + 8 * j, (v >> BigInt(64 * j)) & ((1n << 64n) - 1n), true);
    };
    const getP = (p: number): bigint => {
      let v = 0n;
      for (let j = 3; j >= 0; j--) v = (v << 64n) | dv().getBigUint64(p + 8 * j, true);
      return v;
    };
    const edges = [0n, 1n, 2n, Q - 1n, Q - 2n, (Q - 1n) / 2n, 1n << 253n, (1n << 232n) - 1n];
    const rand = (): bigint => leBigint(curve().Fr.random()) % Q;
    const curve = (): Bn128Curve => single.curve;
    const values = [...edges, ...Array.from({ length: 24 }, rand)];
    for (const a of values) {
      for (const b of [...edges, rand(), rand()]) {
        // Fq2 edges too: b1 = 0 (q − b1 = q in the product for c0) and q − 1
        const [a1, b1] = [
          b === 2n ? Q - 1n : rand(),
          b === 0n ? 0n : b === 1n || b === 2n ? Q - 1n : rand(),
        ];
        putU(pa, a);
        putU(pb, b);
        ex.zkvm_f1_mul!(pa, pb, pr);
        expect(getU(pr), `${a}·${b}`).to.equal((a * b * Minv) % Q);
        ex.zkvm_f1_sub!(pa, pb, pr);
        expect(getU(pr)).to.equal((((a - b) % Q) + Q) % Q);
        ex.zkvm_f1_add!(pa, pb, pr);
        expect(getU(pr)).to.equal((a + b) % Q);
        putU(pa + 72, a1);
        putU(pb + 72, b1);
        ex.zkvm_f2_mul!(pa, pb, pr);
        expect([getU(pr), getU(pr + 72)]).to.deep.equal([
          ((((a * b - a1 * b1) % Q) + Q) * Minv) % Q,
          (((a * b1 + a1 * b) % Q) * Minv) % Q,
        ]);
      }
      putU(pa, a);
      ex.zkvm_f1_square!(pa, pr);
      expect(getU(pr)).to.equal((a * a * Minv) % Q);
      ex.zkvm_f1_pack!(pa, px);
      expect(getP(px)).to.equal(a);
      ex.zkvm_f1_unpack!(px, pr);
      expect(getU(pr)).to.equal(a);
      if (a !== 0n) {
        ex.zkvm_f1_inverse!(pa, pr);
        expect((getU(pr) * a * Minv) % Q).to.equal(M);
      }
      // ffjavascript's Montgomery form (a·2^256) in, the limbs' (a·2^261) out, and back
      putP(px, (a * (1n << 256n)) % Q);
      expect(getP(px)).to.equal(
        leBigint((curve() as unknown as { F1: { e(v: bigint): Uint8Array } }).F1.e(a)),
      );
      ex.zkvm_f1_batchFromFfjs!(px, 1);
      expect(getP(px)).to.equal((a * M) % Q);
      ex.zkvm_f1_batchToFfjs!(px, 1);
      expect(getP(px)).to.equal((a * (1n << 256n)) % Q);
      const a1 = rand();
      putU(pa + 72, a1);
      ex.zkvm_f2_square!(pa, pr);
      expect([getU(pr), getU(pr + 72)]).to.deep.equal([
        ((((a * a - a1 * a1) % Q) + Q) * Minv) % Q,
        (2n * a * a1 * Minv) % Q,
      ]);
      ex.zkvm_f2_inverse!(pa, pr);
      const [x0, x1] = [getU(pr), getU(pr + 72)];
      expect([
        ((((a * x0 - a1 * x1) % Q) + Q) * Minv) % Q,
        (((a * x1 + a1 * x0) % Q) * Minv) % Q,
      ]).to.deep.equal([M, 0n]);
    }
  });

  describe("MSM against ffjavascript's multiExpAffine", () => {
    for (const group of ["g1m", "g2m"] as const) {
      it(`${group}: random and adversarial inputs, one thread and workers`, async () => {
        const curve = single.curve;
        const G = group === "g1m" ? curve.G1 : curve.G2;
        const n8 = group === "g1m" ? 32 : 64;
        const Fr = curve.Fr as Bn128Curve["Fr"] & { fromMontgomery(a: Uint8Array): Uint8Array };
        const n = 700;
        const pts: Uint8Array[] = [];
        let P = G.timesScalar(G.g, 7n);
        const step = G.timesScalar(G.g, 1234567n);
        for (let i = 0; i < 64; i++) {
          P = G.add(P, step);
          pts.push(G.toAffine(P));
        }
        const inf = new Uint8Array(2 * n8);
        const neg = (p: Uint8Array): Uint8Array =>
          G.toAffine(G.add(G.zero, G.timesScalar(p, R - 1n)));
        const randScalar = (): Uint8Array => Fr.fromMontgomery(Fr.random());
        type Case = {
          name: string;
          base: (i: number) => Uint8Array;
          scalar: (i: number) => Uint8Array;
        };
        const cases: Case[] = [
          { name: "random", base: (i) => pts[i % 64]!, scalar: randScalar },
          { name: "zeros", base: (i) => pts[i % 64]!, scalar: () => leBytes(0n) },
          { name: "ones", base: (i) => pts[i % 64]!, scalar: () => leBytes(1n) },
          {
            name: "mixed 0/1/random/infinity",
            base: (i) => (i % 7 === 3 ? inf : pts[i % 64]!),
            scalar: (i) => (i % 3 === 0 ? leBytes(0n) : i % 3 === 1 ? leBytes(1n) : randScalar()),
          },
          {
            name: "one repeated point, one scalar",
            base: () => pts[5]!,
            scalar: () => leBytes(5n),
          },
          {
            name: "a point and its negation, same scalar",
            base: (i) => (i % 2 === 0 ? pts[9]! : neg(pts[9]!)),
            scalar: () => leBytes(R - 12345n),
          },
          { name: "repeated point, random scalars", base: () => pts[1]!, scalar: randScalar },
          {
            name: "scalars next to r and 2^253",
            base: (i) => pts[i % 64]!,
            scalar: (i) =>
              leBytes(
                [R - 1n, R - 2n, R - BigInt(i), (1n << 253n) + BigInt(i), (1n << 253n) - 1n][
                  i % 5
                ]!,
              ),
          },
          {
            name: "bucket collisions (all digits equal in every window)",
            base: (i) => pts[i % 64]!,
            scalar: () => {
              let v = 0n;
              for (let k = 0; k < 254; k += 4) v |= 0x3n << BigInt(k);
              return leBytes(v % R);
            },
          },
          {
            name: "GLV edges: λ, λ², r − λ, k1 = k2 (both halves in one bucket)",
            base: (i) => pts[i % 64]!,
            scalar: (i) =>
              leBytes(
                [
                  GLV_LAMBDA,
                  (GLV_LAMBDA * GLV_LAMBDA) % R,
                  R - GLV_LAMBDA,
                  (77n + 77n * GLV_LAMBDA) % R,
                  (((1n << 127n) - 1n) * (1n + GLV_LAMBDA)) % R,
                  (R - 5n + 5n * GLV_LAMBDA) % R,
                ][i % 6]!,
              ),
          },
          {
            name: "only infinity",
            base: () => inf,
            scalar: randScalar,
          },
        ];
        for (const kase of cases) {
          for (const count of [1, 65, n]) {
            const bases = new Uint8Array(count * 2 * n8);
            const scalars = new Uint8Array(count * 32);
            for (let i = 0; i < count; i++) {
              bases.set(kase.base(i), i * 2 * n8);
              scalars.set(kase.scalar(i), i * 32);
            }
            // ffjavascript's own MSM answers (0, 0, 1), not a point, for a
            // sum of points at infinity only (its mixed addition copies the
            // affine zero): there the expected value is the identity itself.
            const expected =
              kase.name === "only infinity" ? G.zero : await G.multiExpAffine(bases, scalars);
            const runs: [Prover, boolean][] = [
              [single, true],
              [workers, true],
              // the plain (254-bit) path too, at the smallest and largest counts
              ...(count === 65 ? [] : [[single, false] as [Prover, boolean]]),
            ];
            for (const [prover, glv] of runs) {
              const got = await prover.msm(group, bases, scalars, count, "msm", { glv });
              const what = `${kase.name}, ${count} points, ${glv ? "GLV" : "plain"}`;
              expect(G.eq(got, expected), what).to.equal(true);
            }
          }
        }
      });
    }
  });
});
