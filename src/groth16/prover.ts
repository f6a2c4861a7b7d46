/**
 * zkvm's Groth16 prover over snarkjs's file formats (browser-safe: the
 * inputs are bytes; ./prove-node.ts reads files). It computes what
 * snarkjs 0.7.6's `groth16.prove` computes, with the same formulas and the
 * same point encodings, so for the same r and s the proof is the same bytes:
 *
 *   A(ω^i), B(ω^i) from the key's coefficients and the witness (section 4),
 *   C = A·B, each moved to the odd coset (iFFT, ×inc^i, FFT), and
 *   H_i = A_i·B_i − C_i there; then five MSMs —
 *   πA = α + Σ w_i·A_i + r·δ,   πB = β + Σ w_i·B2_i + s·δ (G2),
 *   πC = Σ w_priv·C_i + Σ H_i·Hb_i + s·πA + r·(β + Σ w_i·B1_i + s·δ) − r·s·δ.
 *
 * The MSMs are ./msm.ts (batch-affine Pippenger); every MSM is split into
 * one contiguous slice of points per worker, so each base is sent to exactly
 * one worker once (snarkjs sends the whole base array with every window's
 * task). The polynomial work runs as whole-array WebAssembly FFTs, one task
 * per polynomial, alongside the MSMs that do not depend on it.
 *
 * r and s are drawn from the platform CSPRNG (crypto.getRandomValues) by
 * rejection sampling below the group order, and every buffer that held them
 * is zeroed before the proof is returned.
 */
import type { Bn128Curve, TaskCommand } from "ffjavascript";
import { type Groth16Proof } from "../proofshape.js";
import { SetupCurve } from "./curve.js";
import { GLV_BITS, glvScalars, type GlvScalars, wipeGlv } from "./glv.js";
import { glvExpandFn, msmFn, msmScratch, msmWindows } from "./msm.js";
import { coordBytes, type GroupPrefix, WIPE_FN } from "./wasm.js";

/** bn128's group order r, little-endian bytes. */
const R_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const Q_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

export class ProverInputError extends Error {
  constructor(
    readonly code: "ZKEY_INVALID" | "WITNESS_INVALID" | "WITNESS_MISMATCH",
    message: string,
  ) {
    super(message);
    this.name = "ProverInputError";
  }
}

interface Sections {
  get(id: number): Uint8Array;
}

/**
 * A plain Uint8Array view of the same bytes: Node's Buffer (what readFile
 * returns) makes `slice` a view, not a copy, and a transferred view would
 * detach the whole file's memory.
 */
function plainBytes(u: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(u) === Uint8Array.prototype
    ? u
    : new Uint8Array(u.buffer, u.byteOffset, u.byteLength);
}

/** The iden3 binary container: magic, u32 version, u32 section count, then (u32 id, u64 size, data). */
function readContainer(
  bytes: Uint8Array,
  magic: string,
  code: ProverInputError["code"],
  what: string,
): Sections {
  const fail = (m: string): never => {
    throw new ProverInputError(code, `${what}: ${m}`);
  };
  bytes = plainBytes(bytes);
  if (bytes.byteLength < 12) fail("too short to be one");
  const tag = String.fromCharCode(...bytes.subarray(0, 4));
  if (tag !== magic) fail(`not a .${magic} file (magic "${tag}" at byte 0)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint32(8, true);
  const sections = new Map<number, Uint8Array>();
  let p = 12;
  for (let i = 0; i < count; i++) {
    if (p + 12 > bytes.byteLength) fail(`section header ${i} at byte ${p} is truncated`);
    const id = dv.getUint32(p, true);
    const size = Number(dv.getBigUint64(p + 4, true));
    p += 12;
    if (p + size > bytes.byteLength) fail(`section ${id} at byte ${p} runs past the end`);
    if (!sections.has(id)) sections.set(id, bytes.subarray(p, p + size));
    p += size;
  }
  return {
    get(id: number): Uint8Array {
      const s = sections.get(id);
      return s ?? fail(`section ${id} is missing`);
    },
  };
}

function leBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export interface ProvingKey {
  nVars: number;
  nPublic: number;
  domainSize: number;
  power: number;
  alpha1: Uint8Array;
  beta1: Uint8Array;
  beta2: Uint8Array;
  delta1: Uint8Array;
  delta2: Uint8Array;
  /** Section 4 without its u32 count, and the count. */
  coeffs: Uint8Array;
  nCoeffs: number;
  pointsA: Uint8Array;
  pointsB1: Uint8Array;
  pointsB2: Uint8Array;
  pointsC: Uint8Array;
  pointsH: Uint8Array;
}

/** Reads a snarkjs Groth16 .zkey (bn128) for proving. */
export function readProvingKey(bytes: Uint8Array): ProvingKey {
  const s = readContainer(bytes, "zkey", "ZKEY_INVALID", "proving key");
  const fail = (m: string): never => {
    throw new ProverInputError("ZKEY_INVALID", `proving key: ${m}`);
  };
  const h1 = s.get(1);
  if (h1.byteLength < 4 || new DataView(h1.buffer, h1.byteOffset).getUint32(0, true) !== 1) {
    fail("not a Groth16 key (section 1)");
  }
  const h = s.get(2);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const n8q = dv.getUint32(0, true);
  if (n8q !== 32 || leBigint(h.subarray(4, 36)) !== Q_FIELD) fail("not a bn128 key");
  const n8r = dv.getUint32(36, true);
  if (n8r !== 32 || leBigint(h.subarray(40, 72)) !== R_ORDER) fail("not a bn128 key");
  let p = 72;
  const nVars = dv.getUint32(p, true);
  const nPublic = dv.getUint32(p + 4, true);
  const domainSize = dv.getUint32(p + 8, true);
  p += 12;
  const power = Math.log2(domainSize);
  if (!Number.isInteger(power) || power < 1 || power > 28) fail(`domain size ${domainSize}`);
  const take = (len: number): Uint8Array => {
    const v = h.slice(p, p + len);
    if (v.byteLength !== len) fail("section 2 is truncated");
    p += len;
    return v;
  };
  const alpha1 = take(64);
  const beta1 = take(64);
  const beta2 = take(128);
  take(128); // gamma2
  const delta1 = take(64);
  const delta2 = take(128);
  const c4 = s.get(4);
  const nCoeffs = new DataView(c4.buffer, c4.byteOffset, 4).getUint32(0, true);
  const coeffs = c4.subarray(4);
  if (coeffs.byteLength !== nCoeffs * 44) fail("section 4's size does not match its count");
  const sized = (id: number, n: number, pointBytes: number): Uint8Array => {
    const sec = s.get(id);
    if (sec.byteLength !== n * pointBytes) {
      fail(`section ${id} holds ${sec.byteLength} bytes, expected ${n * pointBytes}`);
    }
    return sec;
  };
  return {
    nVars,
    nPublic,
    domainSize,
    power,
    alpha1,
    beta1,
    beta2,
    delta1,
    delta2,
    coeffs,
    nCoeffs,
    pointsA: sized(5, nVars, 64),
    pointsB1: sized(6, nVars, 64),
    pointsB2: sized(7, nVars, 128),
    pointsC: sized(8, nVars - nPublic - 1, 64),
    pointsH: sized(9, domainSize, 64),
  };
}

/** Reads a snarkjs .wtns (bn128): the witness values, 32 bytes each, standard form. */
export function readWitness(bytes: Uint8Array): Uint8Array {
  const s = readContainer(bytes, "wtns", "WITNESS_INVALID", "witness");
  const h = s.get(1);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (
    h.byteLength < 40 ||
    dv.getUint32(0, true) !== 32 ||
    leBigint(h.subarray(4, 36)) !== R_ORDER
  ) {
    throw new ProverInputError("WITNESS_INVALID", "witness: not a bn128 witness (section 1)");
  }
  const n = dv.getUint32(36, true);
  const values = s.get(2);
  if (values.byteLength !== n * 32) {
    throw new ProverInputError(
      "WITNESS_INVALID",
      `witness: section 2 holds ${values.byteLength} bytes, expected ${n * 32}`,
    );
  }
  // Every value must be below r (the MSMs' digit recoding relies on it).
  for (let i = 0; i < n; i++) {
    if (leBigint(values.subarray(i * 32, i * 32 + 32)) >= R_ORDER) {
      throw new ProverInputError(
        "WITNESS_INVALID",
        `witness: value ${i} (byte ${i * 32} of section 2) is not below the group order`,
      );
    }
  }
  return values;
}

/** Wall times (ms) of one proof. */
export interface ProverTimings {
  polynomialsMs: number;
  msmMs: number;
  totalMs: number;
  /**
   * On one thread (where tasks run one after another): ms per phase —
   * "polynomials" (A, B, C, the FFTs and H's evaluations), "msm A", "msm B1",
   * "msm B2" (G2), "msm C", "msm H", "final" (r, s and the sums). Empty with workers.
   */
  phases: Record<string, number>;
}

export interface ZkvmProveOptions {
  /**
   * Test only: fixed r and s (Montgomery-form Fr elements, as snarkjs's
   * Fr.random returns), which make the proof deterministic and remove its
   * zero knowledge. Never set this for a real proof.
   */
  testOnlyRandomness?: { r: Uint8Array; s: Uint8Array };
}

export interface ZkvmProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
  timings: ProverTimings;
}

/**
 * Which MSMs use GLV unless told otherwise. With the 29-bit-limb field
 * (./fp29.ts) the bucket sums GLV halves are a small share of an MSM:
 * bench/results-msm.md had GLV / plain at 0.95-1.03 on G1 and 0.94-0.95 on
 * G2 when this was chosen (`npm run bench -- --prover --msm 14,16`; the
 * re-run after the one-reduction Fq2 multiplication has 0.91-0.98 on G1 and
 * 0.90-0.99 on G2, not yet tried inside whole proofs). GLV doubles the
 * points a task holds in memory and splits the witness into a second copy,
 * so it is off on G1 (no reliable gain) and on for G2 only.
 */
export const GLV_BY_DEFAULT: Readonly<Record<GroupPrefix, boolean>> = { g1m: false, g2m: true };

/** The most points (GLV halves counted) one MSM task holds; more are split into tasks. */
export const MAX_TASK_POINTS = 1 << 18;

/**
 * Window width for an MSM of n points per task (with GLV, n counts both
 * halves of each scalar), by measurement on this machine.
 */
export function windowBits(group: GroupPrefix, n: number, glv = false): number {
  const lg = Math.max(1, Math.round(Math.log2(Math.max(2, n))));
  if (glv) {
    // n counts both halves (2 points per scalar); measured at 2^14 and 2^16 scalars
    return Math.min(13, Math.max(2, lg - (group === "g1m" ? 3 : 4)));
  }
  return group === "g1m" ? Math.min(13, Math.max(2, lg - 3)) : Math.min(12, Math.max(2, lg - 4));
}

function batchSize(c: number): number {
  return Math.max(4, Math.min(1024, (1 << (c - 1)) >> 3));
}

/**
 * The prover's curve: ffjavascript's bn128 with the project's plugins, with
 * workers (one MSM slice per worker) or on this thread.
 */
export class Prover {
  private phases: Record<string, number> = {};

  private constructor(
    private readonly setupCurve: SetupCurve,
    readonly singleThread: boolean,
  ) {}

  static async build(singleThread = false): Promise<Prover> {
    return new Prover(await SetupCurve.build(singleThread), singleThread);
  }

  /** Queues a task; on one thread the task runs inside this call, so its time is the phase's. */
  private run(label: string, task: TaskCommand[], transfers?: ArrayBufferLike[]) {
    const t0 = performance.now();
    const done = this.setupCurve.queue(task, transfers);
    this.phases[label] = (this.phases[label] ?? 0) + performance.now() - t0;
    return done;
  }

  get curve(): Bn128Curve {
    return this.setupCurve.curve;
  }

  get concurrency(): number {
    return this.setupCurve.concurrency;
  }

  close(): void {
    this.setupCurve.close();
  }

  /**
   * Σ scalars[i]·bases[i] (n points), Jacobian. Scalars must be below r
   * (the witness reader checks), or an already split GlvScalars of n.
   * By default the MSM uses GLV (./glv.ts): each task expands its bases to
   * (P, φ(P)) in WebAssembly and runs on 2m points with 128-bit halves;
   * `tuning.glv: false` runs the plain 254-bit MSM (the differential tests
   * compare both).
   */
  async msm(
    group: GroupPrefix,
    bases: Uint8Array,
    scalars: Uint8Array | GlvScalars,
    n: number,
    label = "msm",
    tuning: { c?: number; batch?: number; parts?: number; glv?: boolean } = {},
  ): Promise<Uint8Array> {
    const n8 = coordBytes(group);
    const G = group === "g1m" ? this.curve.G1 : this.curve.G2;
    bases = plainBytes(bases);
    const plain = scalars instanceof Uint8Array ? plainBytes(scalars) : undefined;
    const glv = plain === undefined || (tuning.glv ?? GLV_BY_DEFAULT[group]);
    let split: GlvScalars | undefined;
    let ownSplit = false;
    if (glv) {
      if (scalars instanceof Uint8Array) {
        const t0 = performance.now();
        split = glvScalars(plain!, n);
        this.phases["glv split"] = (this.phases["glv split"] ?? 0) + performance.now() - t0;
        ownSplit = true;
      } else {
        split = scalars;
      }
      if (split.n < n) throw new Error(`GLV scalars for ${split.n} points, not ${n}`);
    }
    let bits = GLV_BITS;
    if (!glv) {
      bits = 254;
      for (let i = 0; i < n; i++) {
        if (plain![i * 32 + 31]! >= 0x40) {
          bits = 256;
          break;
        }
      }
    }
    // A task's points sit in wasm memory at once (twice n with GLV): at most
    // MAX_TASK_POINTS per task keeps the peak memory down at 2^18 and above.
    const parts =
      tuning.parts ??
      Math.max(
        Math.ceil(((glv ? 2 : 1) * n) / MAX_TASK_POINTS),
        Math.min(this.concurrency, Math.floor(n / 64)),
        1,
      );
    const tasks: Promise<Uint8Array[]>[] = [];
    try {
      for (let k = 0; k < parts; k++) {
        const from = Math.floor((k * n) / parts);
        const to = Math.floor(((k + 1) * n) / parts);
        const m = to - from;
        if (m === 0) continue;
        const points = glv ? 2 * m : m;
        const c = tuning.c ?? windowBits(group, points, glv);
        const batch = tuning.batch ?? batchSize(c);
        const nW = msmWindows(c, bits);
        // A worker gets a copy it owns (transferred); this thread's task copies the view into wasm memory.
        const basesPart = this.singleThread
          ? bases.subarray(from * 2 * n8, to * 2 * n8)
          : bases.slice(from * 2 * n8, to * 2 * n8);
        // 8 bytes of padding: the digit loads read up to 7 bytes past a
        // scalar (bits they mask off). This thread's task copies a view; a
        // worker gets a padded copy of its own.
        const scalarsView = split
          ? split.halves.subarray(from * 64, to * 64)
          : plain!.subarray(from * 32, to * 32);
        let scalarsPart = scalarsView;
        if (!this.singleThread) {
          scalarsPart = new Uint8Array(points * 32 + 8);
          scalarsPart.set(scalarsView);
        }
        const signsLen = Math.ceil(m / 8) * 8;
        const signsPart = new Uint8Array(signsLen);
        if (split) signsPart.set(split.signs.subarray(from, to));
        const scratch = msmScratch(group, points, c, batch, nW);
        // The points first (the largest buffer; with GLV, room for both halves, expanded in place).
        const task: TaskCommand[] = [
          ...allocLarge(0, points * 2 * n8, 10),
          { cmd: "SET", var: 0, buff: basesPart },
          { cmd: "ALLOC", var: 1, len: points * 32 + 8 },
          { cmd: "SET", var: 1, buff: scalarsPart },
          { cmd: "ALLOC", var: 2, len: 3 * n8 },
          { cmd: "ALLOC", var: 3, len: scratch },
        ];
        if (split) {
          task.push(
            { cmd: "ALLOCSET", var: 4, buff: signsPart },
            {
              cmd: "CALL",
              fnName: glvExpandFn(group),
              params: [{ var: 0 }, { var: 4 }, { val: m }, { var: 0 }],
            },
          );
        }
        task.push(
          {
            cmd: "CALL",
            fnName: msmFn(group),
            params: [
              { var: 0 },
              { var: 1 },
              { val: points },
              { val: c },
              { val: nW },
              { val: batch },
              { var: 3 },
              { var: 2 },
            ],
          },
          { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 1 }, { val: points * 32 + 8 }] },
          { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 3 }, { val: scratch - (scratch % 8) }] },
        );
        if (split) {
          task.push({ cmd: "CALL", fnName: WIPE_FN, params: [{ var: 4 }, { val: signsLen }] });
        }
        task.push({ cmd: "GET", out: 0, var: 2, len: 3 * n8 });
        tasks.push(
          this.run(
            label,
            task,
            this.singleThread ? [] : [basesPart.buffer, scalarsPart.buffer, signsPart.buffer],
          ).finally(() => {
            if (scalarsPart !== scalarsView) zero(scalarsPart);
            zero(signsPart);
          }),
        );
      }
      let res = G.zero;
      for (const [r] of await Promise.all(tasks)) res = G.add(res, r!);
      return res;
    } finally {
      if (ownSplit) wipeGlv(split!);
    }
  }

  /** H's evaluations on the odd coset, standard form (snarkjs's buffPodd_T). */
  async polynomialH(key: ProvingKey, witness: Uint8Array): Promise<Uint8Array> {
    const n = key.domainSize;
    const Fr = this.curve.Fr;
    const [abc] = [
      await this.run("polynomials", [
        // (a worker would otherwise be sent the whole buffer these are views of)
        ...allocLarge(0, key.coeffs.byteLength, 10),
        { cmd: "SET", var: 0, buff: this.singleThread ? key.coeffs : key.coeffs.slice() },
        { cmd: "ALLOCSET", var: 1, buff: this.singleThread ? witness : witness.slice() },
        { cmd: "ALLOC", var: 2, len: n * 32 },
        { cmd: "ALLOC", var: 3, len: n * 32 },
        { cmd: "ALLOC", var: 4, len: n * 32 },
        {
          cmd: "CALL",
          fnName: "qap_buildABC",
          params: [
            { var: 0 },
            { val: key.nCoeffs },
            { var: 1 },
            { var: 2 },
            { var: 3 },
            { var: 4 },
            { val: 0 },
            { val: n },
            { val: 0 },
            { val: key.nVars },
          ],
        },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 1 }, { val: key.nVars * 32 }] },
        { cmd: "GET", out: 0, var: 2, len: n * 32 },
        { cmd: "GET", out: 1, var: 3, len: n * 32 },
        { cmd: "GET", out: 2, var: 4, len: n * 32 },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 2 }, { val: n * 32 }] },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 3 }, { val: n * 32 }] },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 4 }, { val: n * 32 }] },
      ]),
    ];
    const inc = key.power === Fr.s ? Fr.shift : Fr.w[key.power + 1]!;
    const coset = await Promise.all(
      abc.map((evals) =>
        this.run(
          "polynomials",
          [
            { cmd: "ALLOCSET", var: 0, buff: evals },
            { cmd: "ALLOCSET", var: 1, buff: Fr.one },
            { cmd: "ALLOCSET", var: 2, buff: inc },
            { cmd: "CALL", fnName: "frm_ifft", params: [{ var: 0 }, { val: n }] },
            {
              cmd: "CALL",
              fnName: "frm_batchApplyKey",
              params: [{ var: 0 }, { val: n }, { var: 1 }, { var: 2 }, { var: 0 }],
            },
            { cmd: "CALL", fnName: "frm_fft", params: [{ var: 0 }, { val: n }] },
            { cmd: "GET", out: 0, var: 0, len: n * 32 },
            { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 0 }, { val: n * 32 }] },
          ],
          [evals.buffer],
        ).then(([r]) => r!),
      ),
    );
    const [h] = await this.run(
      "polynomials",
      [
        { cmd: "ALLOCSET", var: 0, buff: coset[0]! },
        { cmd: "ALLOCSET", var: 1, buff: coset[1]! },
        { cmd: "ALLOCSET", var: 2, buff: coset[2]! },
        { cmd: "ALLOC", var: 3, len: n * 32 },
        {
          cmd: "CALL",
          fnName: "qap_joinABC",
          params: [{ var: 0 }, { var: 1 }, { var: 2 }, { val: n }, { var: 3 }],
        },
        {
          cmd: "CALL",
          fnName: "frm_batchFromMontgomery",
          params: [{ var: 3 }, { val: n }, { var: 3 }],
        },
        { cmd: "GET", out: 0, var: 3, len: n * 32 },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 0 }, { val: n * 32 }] },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 1 }, { val: n * 32 }] },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 2 }, { val: n * 32 }] },
        { cmd: "CALL", fnName: WIPE_FN, params: [{ var: 3 }, { val: n * 32 }] },
      ],
      coset.map((b) => b.buffer),
    );
    for (const b of [...abc, ...coset]) zero(b);
    return h!;
  }

  /** A Groth16 proof from a .zkey's and a .wtns's bytes. */
  async prove(
    zkey: Uint8Array | ProvingKey,
    wtns: Uint8Array,
    options: ZkvmProveOptions = {},
  ): Promise<ZkvmProveResult> {
    const t0 = performance.now();
    this.phases = {};
    const key = zkey instanceof Uint8Array ? readProvingKey(zkey) : zkey;
    const witness = readWitness(wtns);
    const nWitness = witness.byteLength / 32;
    if (nWitness !== key.nVars) {
      throw new ProverInputError(
        "WITNESS_MISMATCH",
        `the proving key and the witness are for different circuits (key has ${key.nVars} wires, witness ${nWitness})`,
      );
    }
    const { G1, G2, Fr } = this.curve;
    // Task order (workers take queued tasks in order): the G2 MSM, the
    // costliest, split across every worker; the G1 MSMs whole (or over half
    // the workers), since a split costs each part its own bucket sums; then
    // the polynomials, whose H MSM, split again, ends the proof.
    const g1Parts = Math.max(1, Math.floor(this.concurrency / 2));
    // The witness split once for the GLV MSMs (./glv.ts) of A, B1, B2 and C, if any.
    const privFrom = key.nPublic + 1;
    const nPriv = key.nVars - privFrom;
    let split: GlvScalars | undefined;
    if (GLV_BY_DEFAULT.g1m || GLV_BY_DEFAULT.g2m) {
      const tSplit = performance.now();
      split = glvScalars(witness, key.nVars);
      this.phases["glv split"] = performance.now() - tSplit;
    }
    const all = (group: GroupPrefix) => (GLV_BY_DEFAULT[group] ? split! : witness);
    const priv: GlvScalars | Uint8Array = GLV_BY_DEFAULT.g1m
      ? {
          n: nPriv,
          halves: split!.halves.subarray(privFrom * 64),
          signs: split!.signs.subarray(privFrom),
        }
      : witness.subarray(privFrom * 32);
    const b2 = this.msm("g2m", key.pointsB2, all("g2m"), key.nVars, "msm B2");
    const a = this.msm("g1m", key.pointsA, all("g1m"), key.nVars, "msm A", { parts: g1Parts });
    const b1p = this.msm("g1m", key.pointsB1, all("g1m"), key.nVars, "msm B1", {
      parts: g1Parts,
    });
    const cp = this.msm("g1m", key.pointsC, priv, nPriv, "msm C", { parts: g1Parts });
    const msms = Promise.all([a, b1p, b2, cp]).finally(() => {
      if (split) wipeGlv(split);
    });
    let polyDone = 0;
    const hPromise = this.polynomialH(key, witness).then((h) => {
      polyDone = performance.now();
      return h;
    });
    hPromise.catch(() => undefined); // awaited below; an MSM's failure must not leave it unhandled
    const [msmA, msmB1, msmB2, msmC] = await msms;
    const h = await hPromise;
    const msmH = await this.msm("g1m", key.pointsH, h, key.domainSize, "msm H");
    h.fill(0);
    const msmEnd = performance.now();

    const { r, s } = options.testOnlyRandomness ?? { r: randomFr(Fr), s: randomFr(Fr) };
    const rs = Fr.neg(Fr.mul(r, s));
    let piA = G1.add(G1.add(msmA, key.alpha1), G1.timesFr(key.delta1, r));
    const piB = G2.add(G2.add(msmB2, key.beta2), G2.timesFr(key.delta2, s));
    let b1 = G1.add(msmB1, key.beta1);
    b1 = G1.add(b1, G1.timesFr(key.delta1, s));
    let piC = G1.add(msmC, msmH);
    piC = G1.add(piC, G1.timesFr(piA, s));
    piC = G1.add(piC, G1.timesFr(b1, r));
    piC = G1.add(piC, G1.timesFr(key.delta1, rs));
    if (options.testOnlyRandomness === undefined) {
      r.fill(0);
      s.fill(0);
    }
    rs.fill(0);
    piA = G1.toAffine(piA);
    const publicSignals: string[] = [];
    for (let i = 1; i <= key.nPublic; i++) {
      publicSignals.push(leBigint(witness.subarray(i * 32, i * 32 + 32)).toString());
    }
    const str = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(str) : typeof v === "bigint" ? v.toString() : v;
    const proof = {
      pi_a: str(G1.toObject(piA)),
      pi_b: str(G2.toObject(G2.toAffine(piB))),
      pi_c: str(G1.toObject(G1.toAffine(piC))),
      protocol: "groth16",
      curve: "bn128",
    } as Groth16Proof;
    const end = performance.now();
    this.phases.final = end - msmEnd;
    const phases: Record<string, number> = {};
    if (this.singleThread) {
      for (const [k, v] of Object.entries(this.phases)) phases[k] = Math.round(v * 10) / 10;
    }
    return {
      proof,
      publicSignals,
      timings: {
        polynomialsMs: Math.round((polyDone || end) - t0),
        msmMs: Math.round(msmEnd - t0),
        totalMs: Math.round(end - t0),
        phases,
      },
    };
  }
}

/**
 * ALLOC commands that give `v` len bytes, in 8 pieces (vars spare..spare+6
 * take the other 7). ffjavascript's allocator is a bump pointer that grows
 * the wasm memory to the new end plus the requested length again, so one
 * large request would grow it by twice its size; consecutive pieces are
 * contiguous (each a multiple of 4 bytes, the allocator's alignment), and
 * the memory grows by 9/8 of the whole instead. Follow with a SET to fill.
 */
function allocLarge(v: number, len: number, spare: number): TaskCommand[] {
  const piece = Math.ceil(len / 8 / 8) * 8;
  const cmds: TaskCommand[] = [{ cmd: "ALLOC", var: v, len: piece }];
  for (let k = 1; k < 8; k++) {
    cmds.push({
      cmd: "ALLOC",
      var: spare + k - 1,
      len: Math.max(0, Math.min(piece, len - k * piece)),
    });
  }
  return cmds;
}

/** Zero a buffer, unless it was transferred to a worker (detached, empty). */
function zero(b: Uint8Array): void {
  if (b.byteLength > 0) b.fill(0);
}

/** A uniform Fr element (Montgomery form) from the CSPRNG; the sampling buffer is zeroed. */
function randomFr(Fr: Bn128Curve["Fr"]): Uint8Array {
  const { crypto } = globalThis as { crypto?: { getRandomValues(b: Uint8Array): Uint8Array } };
  if (crypto === undefined) throw new Error("no CSPRNG (crypto.getRandomValues) available");
  const buf = new Uint8Array(32);
  try {
    for (;;) {
      crypto.getRandomValues(buf);
      buf[31]! &= 0x3f; // r < 2^254
      if (belowOrder(buf)) return Fr.fromRprLE(buf, 0);
    }
  } finally {
    buf.fill(0);
  }
}

const ORDER_LE = (() => {
  const b = new Uint8Array(32);
  let v = R_ORDER;
  for (let i = 0; i < 32; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
})();

/** buf < r, compared byte by byte (no bigint copy of the secret). */
function belowOrder(buf: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (buf[i]! !== ORDER_LE[i]!) return buf[i]! < ORDER_LE[i]!;
  }
  return false;
}

/** Which prover makes a Groth16 proof: zkvm's own (default) or snarkjs's reference. */
export type ProverChoice = "zkvm" | "snarkjs";
export const PROVER_CHOICES: readonly ProverChoice[] = ["zkvm", "snarkjs"];

/**
 * Keys from this domain size up are proved on worker threads; below, starting
 * the workers and compiling the module in each costs more than they save.
 */
export const WORKERS_FROM_DOMAIN = 1 << 13;

const shared = new Map<boolean, Promise<Prover>>();

/**
 * The process's prover (one with workers, one on this thread), built on first
 * use and kept for later proofs; `closeSharedProvers` stops its workers.
 */
export function sharedProver(workers: boolean): Promise<Prover> {
  let p = shared.get(workers);
  if (p === undefined) {
    p = Prover.build(!workers);
    shared.set(workers, p);
    p.catch(() => shared.delete(workers));
  }
  return p;
}

export async function closeSharedProvers(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  for (const p of all) {
    try {
      (await p).close();
    } catch {
      // a prover that failed to build has nothing to stop
    }
  }
}

/**
 * A proof with the shared prover: on workers for keys of at least
 * WORKERS_FROM_DOMAIN points unless `workers` says otherwise (false: this
 * thread only, e.g. where there are no workers).
 */
export async function groth16Prove(
  zkey: Uint8Array,
  wtns: Uint8Array,
  options: { workers?: boolean } = {},
): Promise<ZkvmProveResult> {
  const key = readProvingKey(zkey);
  const workers = options.workers ?? key.domainSize >= WORKERS_FROM_DOMAIN;
  return (await sharedProver(workers)).prove(key, wtns);
}
