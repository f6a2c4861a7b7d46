/**
 * Powers of tau: a local, cached, phase-2-prepared ptau per power, and a
 * cheap header check of user-supplied ptau files.
 *
 * A locally generated ptau has a single contribution with fresh random
 * entropy: fine for development and tests, NOT a trusted setup. For
 * anything real, pass a file from a public ceremony (e.g. the Hermez
 * `powersOfTau28_hez_final_<k>.ptau`); dropped into the cache directory under
 * that name it is also picked up by `localPtau`.
 *
 * Generation time on this machine (2 cores, in-process snarkjs 0.7.6; almost
 * all of it is preparePhase2, which grows ~4-5x per +2 powers):
 *   k=8   ~4 s    (new 0.4 s, contribute 0.7 s, prepare 3.0 s;   290 KB)
 *   k=10  ~20 s   (new 0.4 s, contribute 1.5 s, prepare 18.6 s;  1.2 MB)
 *   k=12  ~81 s   (new 0.7 s, contribute 5.2 s, prepare 75 s;    4.7 MB)
 *   k=14  ~392 s  (new 1.0 s, contribute 19 s,  prepare 372 s;   19 MB)
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import {
  BinFileFormatError,
  BN128_Q,
  leToBigInt,
  readBytes,
  readSectionTable,
  type SectionTable,
  uniqueSection,
} from "./binfile.js";
import { errorMessage, PipelineError } from "./errors.js";
import { isErrnoException, replaceWith, tempSibling, withFileLock } from "./fsutil.js";
import { type Progress, report, timed } from "./progress.js";
import { loadSnarkjs, sharedCurve } from "./snarkjs.js";
import { domainPower } from "../groth16/setup.js";

/** Smallest power `requiredPower` returns: tiny circuits share one small cached file. */
export const MIN_PTAU_POWER = 8;
/** Largest power snarkjs's bn128 powers of tau support. */
export const MAX_PTAU_POWER = 28;

/** The cache directory: `$ZKVM_CACHE_DIR`, else `$XDG_CACHE_HOME/zkvm`, else `~/.cache/zkvm`. */
export function cacheDir(): string {
  const env = process.env;
  if (env.ZKVM_CACHE_DIR !== undefined && env.ZKVM_CACHE_DIR !== "") {
    return path.resolve(env.ZKVM_CACHE_DIR);
  }
  if (env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== "") {
    return path.resolve(env.XDG_CACHE_HOME, "zkvm");
  }
  return path.join(homedir(), ".cache", "zkvm");
}

/**
 * Smallest power k (at least MIN_PTAU_POWER) whose ptau can set up a circuit
 * with `constraints` constraints and `nPublic` public signals.
 *
 * snarkjs (src/zkey_new.js) computes the Groth16 domain as
 *   cirPower = log2(nConstraints + nPubInputs + nOutputs + 1 - 1) + 1
 * with an integer floor log2, i.e. the smallest k with
 *   2^k > constraints + nPublic   (2^k >= constraints + nPublic + 1:
 * one extra row per public signal plus the constant-one wire)
 * and refuses a ptau whose power is below cirPower.
 */
export function requiredPower(constraints: number, nPublic: number): number {
  return Math.max(domainPower(constraints, nPublic), MIN_PTAU_POWER);
}

/** The exact Groth16 domain power snarkjs uses (shared with the direct setup). */
export { domainPower };

export interface PtauInfo {
  path: string;
  power: number;
  ceremonyPower: number;
  /** Has the phase-2 Lagrange sections 12..15 that Groth16 setup needs. */
  prepared: boolean;
  /** Section types present in the file. */
  sections: number[];
}

const G1_BYTES = 64; // uncompressed affine bn128 G1 point
const G2_BYTES = 128;

/** Expected byte size of each ptau section for a given power (snarkjs's layout). */
function expectedSectionSizes(power: number): Map<number, number> {
  const n = 2 ** power;
  return new Map([
    [2, (2 * n - 1) * G1_BYTES], // tauG1
    [3, n * G2_BYTES], // tauG2
    [4, n * G1_BYTES], // alphaTauG1
    [5, n * G1_BYTES], // betaTauG1
    [6, G2_BYTES], // betaG2
    // Lagrange sections written by preparePhase2 for every power 0..k (12 also k+1):
    [12, (4 * n - 1) * G1_BYTES],
    [13, (2 * n - 1) * G2_BYTES],
    [14, (2 * n - 1) * G1_BYTES],
    [15, (2 * n - 1) * G1_BYTES],
  ]);
}

/**
 * Read a ptau file's header and section table (never the points). Throws
 * PipelineError PTAU_INVALID (not a ptau, truncated, wrong curve, sections of
 * the wrong size) or FILE_NOT_FOUND.
 */
export async function readPtauInfo(file: string): Promise<PtauInfo> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, "r");
  } catch (e) {
    if (isErrnoException(e) && e.code === "ENOENT") {
      throw new PipelineError("FILE_NOT_FOUND", `ptau file not found: ${file}`, {
        cause: e,
        path: file,
      });
    }
    throw new PipelineError("PTAU_INVALID", `cannot read ${file}: ${errorMessage(e)}`, {
      cause: e,
      path: file,
    });
  }
  try {
    const table: SectionTable = await readSectionTable(fh, "ptau");
    if (table.version !== 1)
      throw new BinFileFormatError(`unsupported ptau version ${table.version}`);
    const hdr = uniqueSection(table, 1);
    if (hdr.size < 4) throw new BinFileFormatError("bad header section");
    const n8 = (await readBytes(fh, hdr.pos, 4)).readUInt32LE(0);
    if (n8 !== 32 || hdr.size !== 4 + n8 + 8) {
      throw new BinFileFormatError("unsupported curve (only bn128 is supported)");
    }
    const body = await readBytes(fh, hdr.pos + 4, n8 + 8);
    if (leToBigInt(body.subarray(0, n8)) !== BN128_Q) {
      throw new BinFileFormatError("unsupported curve (only bn128 is supported)");
    }
    const power = body.readUInt32LE(n8);
    const ceremonyPower = body.readUInt32LE(n8 + 4);
    if (power < 1 || power > MAX_PTAU_POWER || ceremonyPower < power) {
      throw new BinFileFormatError(`bad power ${power} (ceremony power ${ceremonyPower})`);
    }
    const sizes = expectedSectionSizes(power);
    for (const t of [2, 3, 4, 5, 6]) {
      const s = uniqueSection(table, t);
      if (s.size !== sizes.get(t)) {
        throw new BinFileFormatError(`section ${t} has ${s.size} bytes, expected ${sizes.get(t)}`);
      }
    }
    const phase2 = [12, 13, 14, 15];
    const present = phase2.filter((t) => table.sections.has(t));
    if (present.length > 0 && present.length < phase2.length) {
      throw new BinFileFormatError(
        `incomplete phase-2 sections (has ${present.join(",")} of 12..15)`,
      );
    }
    for (const t of present) {
      const s = uniqueSection(table, t);
      if (s.size !== sizes.get(t)) {
        throw new BinFileFormatError(`section ${t} has ${s.size} bytes, expected ${sizes.get(t)}`);
      }
    }
    return {
      path: file,
      power,
      ceremonyPower,
      prepared: present.length === phase2.length,
      sections: [...table.sections.keys()].sort((a, b) => a - b),
    };
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError(
      "PTAU_INVALID",
      `${file} is not a valid ptau file: ${errorMessage(e)}`,
      {
        cause: e,
        path: file,
      },
    );
  } finally {
    await fh.close();
  }
}

/**
 * Check a user-supplied ptau without verifying the ceremony (that takes
 * minutes): it must be a well-formed bn128 ptau (PTAU_INVALID), of power at
 * least `neededPower` (PTAU_TOO_SMALL) and phase-2 prepared
 * (PTAU_NOT_PREPARED; fix with `snarkjs powersoftau prepare phase2`).
 */
export async function checkUserPtau(file: string, neededPower: number): Promise<PtauInfo> {
  const info = await readPtauInfo(file);
  if (info.power < neededPower) {
    throw new PipelineError(
      "PTAU_TOO_SMALL",
      `${file} has power ${info.power} but the circuit needs at least ${neededPower} (2^${neededPower} > constraints + public signals)`,
      { path: file },
    );
  }
  if (!info.prepared) {
    throw new PipelineError(
      "PTAU_NOT_PREPARED",
      `${file} is not prepared for phase 2 (no sections 12..15); run \`snarkjs powersoftau prepare phase2\` on it`,
      { path: file },
    );
  }
  return info;
}

export interface LocalPtauOptions {
  onProgress?: Progress;
  /** Override the cache directory (default `cacheDir()`). */
  cacheDir?: string;
  /** Give up waiting for another process's generation after this long (default: no limit). */
  lockTimeoutMs?: number;
}

export interface LocalPtauResult {
  path: string;
  /** Power of the returned file (may exceed the one asked for, when a larger cached file is reused). */
  power: number;
  /** True when no generation happened in this call. */
  cached: boolean;
}

/** File name of a locally generated prepared ptau. */
export function localPtauFileName(power: number): string {
  return `local_pot${power}_final.ptau`;
}

const CACHED_NAME_RE = /^(?:local_pot(\d+)_final|powersOfTau28_hez_final_(\d+))\.ptau$/;

/** The smallest valid prepared ptau of power >= `power` in `dir`, if any. */
async function findCached(dir: string, power: number): Promise<PtauInfo | undefined> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return undefined;
  }
  const candidates = names
    .map((n) => {
      const m = CACHED_NAME_RE.exec(n);
      const p = m === null ? NaN : Number(m[1] ?? m[2]);
      return { name: n, power: p };
    })
    .filter((c) => Number.isInteger(c.power) && c.power >= power)
    .sort((a, b) => a.power - b.power || a.name.localeCompare(b.name));
  for (const c of candidates) {
    try {
      const info = await readPtauInfo(path.join(dir, c.name));
      if (info.prepared && info.power >= power) return info;
    } catch {
      // unreadable or broken: skip it (never used, never deleted)
    }
  }
  return undefined;
}

const inFlight = new Map<string, Promise<LocalPtauResult>>();

/**
 * Path of a cached, phase-2-prepared ptau of at least `power`, generating
 * `local_pot<power>_final.ptau` in the cache directory if there is none.
 * Generation runs in-process (snarkjs newAccumulator -> one contribution with
 * crypto-random entropy -> preparePhase2), writes temp files in the cache
 * directory and renames the result into place, under an inter-process lock
 * file; concurrent calls in one process share one generation.
 */
export function localPtau(power: number, opts: LocalPtauOptions = {}): Promise<LocalPtauResult> {
  if (!Number.isInteger(power) || power < 1 || power > MAX_PTAU_POWER) {
    return Promise.reject(new RangeError(`ptau power must be an integer in 1..${MAX_PTAU_POWER}`));
  }
  const dir = path.resolve(opts.cacheDir ?? cacheDir());
  const key = `${dir}\u0000${power}`;
  const pending = inFlight.get(key);
  if (pending !== undefined) return pending;
  const p = obtainPtau(dir, power, opts).finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}

async function obtainPtau(
  dir: string,
  power: number,
  opts: LocalPtauOptions,
): Promise<LocalPtauResult> {
  const { onProgress } = opts;
  const found = await findCached(dir, power);
  if (found !== undefined) return reuse(found, power, onProgress);

  await fsp.mkdir(dir, { recursive: true });
  const lockPath = path.join(dir, `local_pot${power}.lock`);
  return withFileLock(
    lockPath,
    async () => {
      // Another process may have finished while we waited for the lock.
      const again = await findCached(dir, power);
      if (again !== undefined) return reuse(again, power, onProgress);
      await sweepLeftovers(dir, power);
      const target = path.join(dir, localPtauFileName(power));
      await generatePtau(power, target, onProgress);
      return { path: target, power, cached: false };
    },
    {
      onWait: (pid) =>
        report(onProgress, {
          stage: "ptau:lock",
          message: `waiting for another process${pid !== undefined ? ` (pid ${pid})` : ""} generating ptau power ${power}`,
        }),
      ...(opts.lockTimeoutMs !== undefined ? { timeoutMs: opts.lockTimeoutMs } : {}),
      onTimeout: () =>
        new PipelineError(
          "PTAU_LOCK_TIMEOUT",
          `timed out waiting for the lock ${lockPath} (another process is generating ptau power ${power})`,
          { path: lockPath },
        ),
    },
  );
}

function reuse(info: PtauInfo, power: number, onProgress?: Progress): LocalPtauResult {
  report(onProgress, {
    stage: "ptau",
    message:
      info.power === power
        ? `using cached ptau ${info.path}`
        : `using cached ptau of power ${info.power} for power ${power}: ${info.path}`,
  });
  return { path: info.path, power: info.power, cached: true };
}

/** Temp files of an interrupted generation of this power (we hold its lock, so none is live). */
async function sweepLeftovers(dir: string, power: number): Promise<void> {
  const prefix = `.${localPtauFileName(power)}.tmp-`;
  for (const n of await fsp.readdir(dir)) {
    if (n.startsWith(prefix)) await fsp.rm(path.join(dir, n), { force: true });
  }
}

async function generatePtau(power: number, target: string, onProgress?: Progress): Promise<void> {
  const snarkjs = await loadSnarkjs();
  const base = tempSibling(target);
  const f0 = `${base}.0.ptau`;
  const f1 = `${base}.1.ptau`;
  const f2 = `${base}.final.ptau`;
  try {
    await sharedCurve();
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    await timed(onProgress, "ptau:new", `ptau power ${power}: new accumulator`, () =>
      snarkjs.powersOfTau.newAccumulator(curve, power, f0),
    );
    await timed(onProgress, "ptau:contribute", `ptau power ${power}: contribution`, () =>
      snarkjs.powersOfTau.contribute(
        f0,
        f1,
        "zkvm local contribution",
        randomBytes(64).toString("hex"),
      ),
    );
    await fsp.rm(f0, { force: true });
    await timed(onProgress, "ptau:prepare", `ptau power ${power}: prepare phase 2`, () =>
      snarkjs.powersOfTau.preparePhase2(f1, f2),
    );
    const info = await readPtauInfo(f2);
    if (!info.prepared || info.power !== power) {
      throw new Error(`generated file has power ${info.power}, prepared=${info.prepared}`);
    }
    await replaceWith(f2, target);
  } catch (e) {
    throw new PipelineError(
      "PTAU_FAILED",
      `generating a ptau of power ${power} failed: ${errorMessage(e)}`,
      { cause: e, path: target },
    );
  } finally {
    await Promise.all([f0, f1, f2].map((f) => fsp.rm(f, { force: true })));
  }
}
