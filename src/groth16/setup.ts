/**
 * Direct Groth16 development setup: sample τ, α, β, γ, δ from a CSPRNG and
 * compute the proving key and verification key from the R1CS, with no
 * powers of tau (what arkworks' and bellman's `generate_random_parameters`
 * do). The key is snarkjs 0.7.6's .zkey, as `snarkjs zkey new` + one
 * contribution would lay it out for the same secrets:
 *
 * - domain n = 2^k, the smallest power of two above nConstraints + nPublic;
 *   ω = Fr.w[k]; snarkjs's extra rows c = nConstraints + s with A[c][s] = 1
 *   for each public signal s = 0..nPublic (s = 0 is the constant one);
 * - Lagrange basis at τ: L_c(τ) = ω^c·(τ^n − 1) / (n·(τ − ω^c));
 *   u_i = Σ_c A[c][i]·L_c(τ), v_i likewise from B, w_i from C;
 * - sections: IC_i = ((β·u_i + α·v_i + w_i)/γ)·G1 (i ≤ nPublic),
 *   A_i = u_i·G1, B1_i = v_i·G1, B2_i = v_i·G2,
 *   C_i = ((β·u_i + α·v_i + w_i)/δ)·G1 (i > nPublic),
 *   H_j = (L'_{2j+1}(τ)/δ)·G1 for j < n, where L' is the size-2n Lagrange
 *   basis: snarkjs's prover evaluates h on the odd points of the 2n-domain;
 * - the coefficient section lists the A and B terms (coef·R² mod r, R = 2^256)
 *   per constraint, then the public rows; the prover derives C = A·B.
 *
 * Every point is a scalar times one of the two generators: the scalars are
 * computed here and the multiplications run on worker threads with window
 * tables (./curve.ts). Sections are streamed to the sink in chunks, so
 * memory stays bounded by the circuit's field data, not the key's size.
 */
import { PipelineError } from "../pipeline/errors.js";
import { BN128_Q, type Groth16VerificationKey } from "../proofshape.js";
import { type Progress, report } from "../pipeline/progress.js";
import { type FixedBaseTable, SetupCurve } from "./curve.js";
import {
  batchInvert,
  inv,
  MONT,
  mod,
  pow,
  R,
  readLE,
  rootOfUnity,
  TWO_ADICITY,
  writeLE,
} from "./field.js";
import { readR1cs, type R1csView } from "./r1cs.js";
import type { WindowBits } from "./wasm.js";
import { type ByteSink, ZkeyStream } from "./zkey.js";

/** The toxic waste of a Groth16 setup. */
export interface Groth16Secrets {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
  gamma: bigint;
  delta: bigint;
}

export interface DirectSetupOptions {
  onProgress?: Progress;
  /**
   * Run the multiplications on worker threads (ffjavascript's, one per core).
   * Default: only for keys of more than ~2^16 points; below, starting the
   * workers costs more than they save.
   */
  workers?: boolean;
  /** Source of random bytes (default: globalThis.crypto.getRandomValues). */
  random?: (n: number) => Uint8Array;
  /**
   * TEST ONLY: use these secrets instead of sampling them, so a test can
   * compare the key with one built another way from the same secrets. A key
   * made with known secrets is forgeable; never set this outside tests.
   */
  testOnlySecrets?: Groth16Secrets;
}

export interface DirectSetupResult {
  vkey: Groth16VerificationKey;
}

export type { ByteSink };

const G1_BYTES = 64;
const G2_BYTES = 128;
const COEF_BYTES = 12 + 32;
/**
 * Scalars per multiplication task (one worker's unit of work, well under a
 * second). A task carries its table, so tasks with 16-bit tables (32 MiB
 * for G1, 64 MiB for G2) take more scalars to keep the copy a few percent.
 */
function chunkFor(table: FixedBaseTable): number {
  if (table.w === 16) return table.group === "g1m" ? 1 << 16 : 1 << 15;
  return table.group === "g1m" ? 1 << 13 : 1 << 12;
}
const STAGE = "setup:direct";

/** The exact Groth16 domain power snarkjs uses (smallest k with 2^k > constraints + nPublic), no floor. */
export function domainPower(constraints: number, nPublic: number): number {
  if (!Number.isInteger(constraints) || constraints < 0) {
    throw new RangeError(`bad constraint count: ${constraints}`);
  }
  if (!Number.isInteger(nPublic) || nPublic < 0) {
    throw new RangeError(`bad public signal count: ${nPublic}`);
  }
  const n = constraints + nPublic;
  let k = 0;
  while (2 ** k <= n) k++;
  return k;
}

/** log2 of the domain the direct setup uses: snarkjs's, at least 2^1. */
export function directDomainPower(nConstraints: number, nPublic: number): number {
  return Math.max(domainPower(nConstraints, nPublic), 1);
}

function defaultRandom(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/**
 * A uniformly random non-zero field element (rejection sampling on 254-bit
 * strings, accepted with probability ≈ 0.76) that `accept` admits. A source
 * that keeps failing (e.g. all zeros) is an error, not an endless loop.
 */
function sampleScalar(
  random: (n: number) => Uint8Array,
  accept: (x: bigint) => boolean = () => true,
): bigint {
  for (let attempt = 0; attempt < 128; attempt++) {
    const b = random(32);
    if (b.byteLength !== 32) break;
    b[31] = (b[31] as number) & 0x3f;
    const x = readLE(b, 0);
    b.fill(0);
    if (x !== 0n && x < R && accept(x)) return x;
  }
  throw new PipelineError("SETUP_FAILED", "the random source does not give usable field elements");
}

export async function directSetup(
  r1csBytes: Uint8Array,
  sink: ByteSink,
  options: DirectSetupOptions = {},
): Promise<DirectSetupResult> {
  const { onProgress } = options;
  const start = performance.now();
  const r1cs = readR1cs(r1csBytes);
  const power = directDomainPower(r1cs.nConstraints, r1cs.nPublic);
  if (power + 1 > TWO_ADICITY) {
    throw new PipelineError(
      "SETUP_FAILED",
      `the circuit needs a 2^${power} domain; bn128 supports at most 2^${TWO_ADICITY - 1} for Groth16`,
    );
  }
  const random = options.random ?? defaultRandom;
  const secrets: Groth16Secrets = options.testOnlySecrets ?? {
    tau: sampleScalar(random, (tau) => !poleOfLagrangeBasis(tau, power)),
    alpha: sampleScalar(random),
    beta: sampleScalar(random),
    gamma: sampleScalar(random),
    delta: sampleScalar(random),
  };
  checkSecrets(secrets, power);
  const progress = (message: string): void => {
    report(onProgress, { stage: STAGE, message });
  };
  progress(
    `direct setup: ${r1cs.nConstraints} constraints, ${r1cs.nWires} wires, 2^${power} domain`,
  );

  const workers = options.workers ?? !smallKey(r1cs.nWires, 2 ** power);
  const curve = await SetupCurve.build(!workers);
  try {
    const keygen = new KeyGenerator(r1cs, power, secrets, curve, progress);
    const vkey = await keygen.write(new ZkeyStream(sink));
    const elapsedMs = Math.round(performance.now() - start);
    report(onProgress, { stage: STAGE, message: "direct setup done", elapsedMs });
    return { vkey };
  } finally {
    // The secrets are bigints (immutable, not overwritable): they are dropped
    // here with every reference to them; the workers that held scalars die.
    curve.close();
  }
}

/** τ must avoid the 2n-th roots of unity, where the Lagrange bases (sizes n and 2n) have poles. */
function poleOfLagrangeBasis(tau: bigint, power: number): boolean {
  return pow(tau, 2n ** BigInt(power + 1)) === 1n;
}

/** Below ~2^16 multiplications (a few thousand constraints) one thread makes the key in well under a second. */
function smallKey(nVars: number, n: number): boolean {
  const g1 = 3 * nVars + n;
  const g2 = nVars;
  return g1 + 3 * g2 <= 1 << 16;
}

function checkSecrets(s: Groth16Secrets, power: number): void {
  for (const [name, x] of Object.entries(s) as [string, bigint][]) {
    if (typeof x !== "bigint" || x <= 0n || x >= R) {
      throw new PipelineError("SETUP_FAILED", `secret ${name} is not a non-zero field element`);
    }
  }
  if (poleOfLagrangeBasis(s.tau, power)) {
    throw new PipelineError("SETUP_FAILED", "τ is a root of unity of the domain");
  }
}

class KeyGenerator {
  private readonly n: number;
  private readonly nVars: number;
  private readonly nPublic: number;
  /** QAP polynomials at τ, per wire. Dropped once the scalars are made. */
  private u: bigint[];
  private v: bigint[];
  private w: bigint[];

  constructor(
    private readonly r1cs: R1csView,
    private readonly power: number,
    private readonly s: Groth16Secrets,
    private readonly curve: SetupCurve,
    private readonly progress: (m: string) => void,
  ) {
    this.n = 2 ** power;
    this.nVars = r1cs.nWires;
    this.nPublic = r1cs.nPublic;
    this.u = new Array<bigint>(this.nVars).fill(0n);
    this.v = new Array<bigint>(this.nVars).fill(0n);
    this.w = new Array<bigint>(this.nVars).fill(0n);
  }

  async write(out: ZkeyStream): Promise<Groth16VerificationKey> {
    const g1Count =
      3 + (this.nPublic + 1) + 2 * this.nVars + (this.nVars - this.nPublic - 1) + this.n;
    const g2Count = 3 + this.nVars;
    this.progress(`window tables (${g1Count} G1 and ${g2Count} G2 multiplications to do)`);
    // The workers build the tables while this thread evaluates the QAP.
    const tables = Promise.all([
      this.curve.table("g1m", windowFor(g1Count)),
      this.curve.table("g2m", windowFor(g2Count)),
    ]);
    await this.evaluateQap();
    const [t1, t2] = await tables;
    this.progress("QAP evaluated at τ, tables built");

    const { alpha, beta, gamma, delta } = this.s;
    const vkScalars1 = scalarBytes([alpha, beta, delta]);
    const vkScalars2 = scalarBytes([beta, gamma, delta]);
    const [vk1, vk2] = await Promise.all([
      this.curve.multiply(t1, vkScalars1),
      this.curve.multiply(t2, vkScalars2),
    ]);
    vkScalars1.fill(0);
    vkScalars2.fill(0);
    const alpha1 = vk1.subarray(0, G1_BYTES);
    const beta1 = vk1.subarray(G1_BYTES, 2 * G1_BYTES);
    const delta1 = vk1.subarray(2 * G1_BYTES, 3 * G1_BYTES);
    const beta2 = vk2.subarray(0, G2_BYTES);
    const gamma2 = vk2.subarray(G2_BYTES, 2 * G2_BYTES);
    const delta2 = vk2.subarray(2 * G2_BYTES, 3 * G2_BYTES);

    await out.header();
    const s1 = new Uint8Array(4);
    new DataView(s1.buffer).setUint32(0, 1, true); // Groth16
    await out.beginSection(1, 4);
    await out.data(s1);
    await out.beginSection(2, 4 + 32 + 4 + 32 + 12 + 3 * G1_BYTES + 3 * G2_BYTES);
    const head = new Uint8Array(4 + 32 + 4 + 32 + 12);
    const hv = new DataView(head.buffer);
    hv.setUint32(0, 32, true);
    // The zkey header records both primes: q of the coordinates, r of the scalars.
    writeLE(head, 4, BN128_Q);
    hv.setUint32(36, 32, true);
    writeLE(head, 40, R);
    hv.setUint32(72, this.nVars, true);
    hv.setUint32(76, this.nPublic, true);
    hv.setUint32(80, this.n, true);
    await out.data(head);
    for (const p of [alpha1, beta1, beta2, gamma2, delta1, delta2]) await out.data(p);

    await this.writeCoefficients(out);

    const gammaInv = inv(gamma);
    const deltaInv = inv(delta);
    const np = this.nPublic;
    const nv = this.nVars;
    const icPoints: Uint8Array[] = [];
    await this.writePoints(
      out,
      3,
      "IC",
      t1,
      np + 1,
      (i) => this.combined(i, gammaInv),
      (points) => icPoints.push(points),
    );
    await this.writePoints(out, 5, "A", t1, nv, (i) => this.u[i] as bigint);
    await this.writePoints(out, 6, "B1", t1, nv, (i) => this.v[i] as bigint);
    await this.writePoints(out, 7, "B2", t2, nv, (i) => this.v[i] as bigint);
    await this.writePoints(out, 8, "C", t1, nv - np - 1, (i) =>
      this.combined(i + np + 1, deltaInv),
    );
    this.u = [];
    this.v = [];
    this.w = [];
    await this.writeH(out, t1, deltaInv);

    const csHash = await out.csHash();
    await out.beginSection(10, 64 + 4);
    await out.data(csHash);
    await out.data(new Uint8Array(4)); // no contributions yet
    return this.verificationKey(alpha1, beta2, gamma2, delta2, icPoints);
  }

  /** (β·u_i + α·v_i + w_i)·factor */
  private combined(i: number, factor: bigint): bigint {
    const { alpha, beta } = this.s;
    return (
      (((beta * (this.u[i] as bigint) + alpha * (this.v[i] as bigint) + (this.w[i] as bigint)) %
        R) *
        factor) %
      R
    );
  }

  /** u, v, w at τ for every wire, from the constraints and snarkjs's public rows. */
  private async evaluateQap(): Promise<void> {
    const { n } = this;
    const rows = this.r1cs.nConstraints + this.nPublic + 1;
    const omega = rootOfUnity(this.power);
    const { tau } = this.s;
    // L_c(τ) = ω^c·(τ^n − 1) / (n·(τ − ω^c)), for the rows in use, in chunks
    // (one inversion each) with the event loop let through in between.
    const lagrange = new Array<bigint>(rows);
    const factor = ((pow(tau, BigInt(n)) - 1n + R) * inv(BigInt(n))) % R;
    const chunk = 32768;
    for (let start = 0; start < rows; start += chunk) {
      const end = Math.min(rows, start + chunk);
      const dens = new Array<bigint>(end - start);
      const first = pow(omega, BigInt(start));
      let wc = first;
      for (let c = start; c < end; c++) {
        dens[c - start] = mod(tau - wc);
        wc = (wc * omega) % R;
      }
      batchInvert(dens);
      wc = first;
      for (let c = start; c < end; c++) {
        lagrange[c] = ((((dens[c - start] as bigint) * wc) % R) * factor) % R;
        wc = (wc * omega) % R;
      }
      await yieldToEventLoop();
    }

    const bytes = this.r1cs.constraints;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const acc = [this.u, this.v, this.w];
    let p = 0;
    for (let c = 0; c < this.r1cs.nConstraints; c++) {
      // Let the event loop hand the workers their next table tasks.
      if (c % 32768 === 32767) await yieldToEventLoop();
      const l = lagrange[c] as bigint;
      for (let m = 0; m < 3; m++) {
        const target = acc[m] as bigint[];
        const nTerms = dv.getUint32(p, true);
        p += 4;
        for (let t = 0; t < nTerms; t++) {
          const s = dv.getUint32(p, true);
          const coef = readLE(bytes, p + 4);
          p += 36;
          const prev = target[s] as bigint;
          if (coef === 1n) {
            const x = prev + l;
            target[s] = x >= R ? x - R : x;
          } else if (coef === R - 1n) {
            const x = prev - l;
            target[s] = x < 0n ? x + R : x;
          } else {
            target[s] = (prev + coef * l) % R;
          }
        }
      }
    }
    for (let s = 0; s <= this.nPublic; s++) {
      const x = (this.u[s] as bigint) + (lagrange[this.r1cs.nConstraints + s] as bigint);
      this.u[s] = x >= R ? x - R : x;
    }
  }

  /** Section 4: the A and B terms of every constraint (coef·R² mod r), then the public rows. */
  private async writeCoefficients(out: ZkeyStream): Promise<void> {
    const nC = this.r1cs.nConstraints;
    const count = this.r1cs.nAbTerms + this.nPublic + 1;
    await out.beginSection(4, 4 + count * COEF_BYTES);
    const countBytes = new Uint8Array(4);
    new DataView(countBytes.buffer).setUint32(0, count, true);
    await out.data(countBytes);
    const r2 = (MONT * MONT) % R;
    const entriesPerChunk = 1 << 15;
    let chunk = new Uint8Array(entriesPerChunk * COEF_BYTES);
    let cv = new DataView(chunk.buffer);
    let used = 0;
    const flush = async (): Promise<void> => {
      await out.data(chunk.subarray(0, used * COEF_BYTES));
      chunk = new Uint8Array(entriesPerChunk * COEF_BYTES);
      cv = new DataView(chunk.buffer);
      used = 0;
    };
    const entry = async (m: number, c: number, s: number, coef: bigint): Promise<void> => {
      const o = used * COEF_BYTES;
      cv.setUint32(o, m, true);
      cv.setUint32(o + 4, c, true);
      cv.setUint32(o + 8, s, true);
      writeLE(chunk, o + 12, coef === 1n ? r2 : (coef * r2) % R);
      used++;
      if (used === entriesPerChunk) await flush();
    };
    const bytes = this.r1cs.constraints;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let p = 0;
    for (let c = 0; c < nC; c++) {
      for (let m = 0; m < 3; m++) {
        const nTerms = dv.getUint32(p, true);
        p += 4;
        for (let t = 0; t < nTerms; t++) {
          if (m < 2) await entry(m, c, dv.getUint32(p, true), readLE(bytes, p + 4));
          p += 36;
        }
      }
    }
    for (let s = 0; s <= this.nPublic; s++) await entry(0, nC + s, s, 1n);
    if (used > 0) await flush();
  }

  /**
   * One point section: count points scalarOf(i)·G, computed in chunks on the
   * workers (a few chunks in flight) and written in order.
   */
  private async writePoints(
    out: ZkeyStream,
    id: number,
    name: string,
    table: FixedBaseTable,
    count: number,
    scalarOf: (i: number) => bigint,
    onPoints?: (points: Uint8Array) => void,
  ): Promise<void> {
    const pointBytes = table.group === "g1m" ? G1_BYTES : G2_BYTES;
    await out.beginSection(id, count * pointBytes);
    const scalars = (start: number, end: number): Uint8Array => {
      const b = new Uint8Array((end - start) * 32);
      for (let i = start; i < end; i++) writeLE(b, (i - start) * 32, scalarOf(i));
      return b;
    };
    await this.pipeline(out, name, table, count, scalars, onPoints);
  }

  /** Section 9: H_j = ω₂^(2j+1)·(τ^(2n) − 1) / (2n·(τ − ω₂^(2j+1))·δ), j < n. */
  private async writeH(out: ZkeyStream, table: FixedBaseTable, deltaInv: bigint): Promise<void> {
    const { n } = this;
    const { tau } = this.s;
    const omega2 = rootOfUnity(this.power + 1);
    const omega = (omega2 * omega2) % R;
    const factor = ((((pow(tau, BigInt(2 * n)) - 1n + R) * inv(BigInt(2 * n))) % R) * deltaInv) % R;
    await out.beginSection(9, n * G1_BYTES);
    await this.pipeline(out, "H", table, n, (start, end) => {
      const xs = new Array<bigint>(end - start);
      const dens = new Array<bigint>(end - start);
      let x = (omega2 * pow(omega, BigInt(start))) % R;
      for (let j = 0; j < end - start; j++) {
        xs[j] = x;
        dens[j] = mod(tau - x);
        x = (x * omega) % R;
      }
      batchInvert(dens);
      const b = new Uint8Array((end - start) * 32);
      for (let j = 0; j < end - start; j++) {
        writeLE(b, j * 32, ((((xs[j] as bigint) * (dens[j] as bigint)) % R) * factor) % R);
      }
      return b;
    });
  }

  private async pipeline(
    out: ZkeyStream,
    name: string,
    table: FixedBaseTable,
    count: number,
    scalars: (start: number, end: number) => Uint8Array,
    onPoints?: (points: Uint8Array) => void,
  ): Promise<void> {
    const chunk = chunkFor(table);
    const started = performance.now();
    const inFlight: { result: Promise<Uint8Array>; scalars: Uint8Array }[] = [];
    const maxInFlight = this.curve.concurrency + 1;
    let done = 0;
    let lastReport = started;
    const drain = async (): Promise<void> => {
      const head = inFlight.shift();
      if (head === undefined) return;
      const points = await head.result;
      head.scalars.fill(0);
      await out.data(points);
      onPoints?.(points);
      done += points.byteLength / (table.group === "g1m" ? G1_BYTES : G2_BYTES);
      const now = performance.now();
      if (now - lastReport > 5000) {
        lastReport = now;
        this.progress(`${name}: ${done}/${count} points, ${((now - started) / 1000).toFixed(0)} s`);
      }
    };
    for (let startIdx = 0; startIdx < count; startIdx += chunk) {
      const b = scalars(startIdx, Math.min(count, startIdx + chunk));
      inFlight.push({ result: this.curve.multiply(table, b), scalars: b });
      if (inFlight.length >= maxInFlight) await drain();
    }
    while (inFlight.length > 0) await drain();
    this.progress(`${name}: ${count} points in ${Math.round(performance.now() - started)} ms`);
  }

  private verificationKey(
    alpha1: Uint8Array,
    beta2: Uint8Array,
    gamma2: Uint8Array,
    delta2: Uint8Array,
    icChunks: Uint8Array[],
  ): Groth16VerificationKey {
    const { G1, G2, Gt } = this.curve.curve;
    const ic: string[][] = [];
    for (const chunk of icChunks) {
      for (let o = 0; o < chunk.byteLength; o += G1_BYTES) {
        ic.push(decimal(G1.toObject(chunk.subarray(o, o + G1_BYTES))) as string[]);
      }
    }
    return {
      protocol: "groth16",
      curve: "bn128",
      nPublic: this.nPublic,
      vk_alpha_1: decimal(G1.toObject(alpha1)) as string[],
      vk_beta_2: decimal(G2.toObject(beta2)) as string[][],
      vk_gamma_2: decimal(G2.toObject(gamma2)) as string[][],
      vk_delta_2: decimal(G2.toObject(delta2)) as string[][],
      vk_alphabeta_12: decimal(
        Gt.toObject(this.curve.curve.pairing(alpha1, beta2)),
      ) as string[][][],
      IC: ic,
    };
  }
}

/**
 * 16-bit windows halve the additions per point (16 instead of 32), but their
 * table costs 2^19 additions to build: worth it from about 2^17 points.
 */
function windowFor(count: number): WindowBits {
  return count > 1 << 17 ? 16 : 8;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** ffjavascript's toObject output (nested arrays of bigints) as snarkjs writes it: decimal strings. */
function decimal(x: unknown): unknown {
  if (typeof x === "bigint") return x.toString();
  if (Array.isArray(x)) return x.map(decimal);
  throw new Error(`unexpected value in a curve object: ${String(x)}`);
}

function scalarBytes(xs: bigint[]): Uint8Array {
  const b = new Uint8Array(xs.length * 32);
  xs.forEach((x, i) => writeLE(b, i * 32, x));
  return b;
}
