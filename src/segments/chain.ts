/**
 * Segment chains (SPEC "Segment chains (v3)"): proving a long run as k
 * segment proofs of one segment build, and checking a chain.
 *
 * Proving: the interpreter runs the program once (state.ts), the run is cut
 * every L steps, each segment's circuit input is made from its boundary
 * states with a fresh salt per boundary (witness.ts), the segments are proven
 * by `proveSegments` and the chain is checked (batch.ts) before it is
 * returned. The salts and the boundary states never leave the circuit inputs:
 * the chain holds only proofs and public signals.
 *
 * The statement of a chain that `verifyChain` accepts: "the program with
 * this hash, started with these public inputs in their declared cells, some
 * private inputs in theirs and every other cell at zero, halts within k * L
 * steps with these values in the declared output cells".
 */
import type { Inputs } from "../inputs.js";
import { DEFAULT_RUN_STEPS } from "../machine.js";
import { proveMany, type PoolEvent } from "../pipeline/pool.js";
import {
  verificationKeyHash,
  verify,
  type Groth16Proof,
  type Groth16VerificationKey,
  type VerifyResult,
} from "../pipeline/index.js";
import { PipelineError } from "../pipeline/errors.js";
import type { Program } from "../program.js";
import { ZkvmError } from "../errors.js";
import type { UniversalBounds } from "../universal/encode.js";
import { prepareProgram, setUp, universalVerificationKey } from "../universal/build.js";
import { batchVerify } from "./batch.js";
import { segmentRun, segmentsFor } from "./state.js";
import { segmentInputs, type SegmentInput } from "./witness.js";

export const CHAIN_FORMAT = "zkvm-chain/1";

export interface SegmentProof {
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
}

/** chain.json: everything a verifier needs besides the program and the verification key. */
export interface SegmentChain {
  readonly format: typeof CHAIN_FORMAT;
  readonly programHash: string;
  /** L, the steps per segment. */
  readonly segmentSteps: number;
  readonly bounds: UniversalBounds;
  /** sha256 of the verification key every segment was proven for (verificationKeyHash). */
  readonly vkeyHash: string;
  /** The public signals of each segment, by name. */
  readonly layout: readonly string[];
  readonly segments: readonly SegmentProof[];
}

/** The names of a segment proof's public signals (templates/segment.circom's order). */
export function segmentLayout(bounds: UniversalBounds): string[] {
  return [
    "programHash",
    "stateIn",
    "stateOut",
    "halted",
    ...Array.from({ length: bounds.maxOutputs }, (_, k) => `out[${k}]`),
    ...Array.from({ length: bounds.maxInputs }, (_, k) => `publicIn[${k}]`),
    "first",
  ];
}

/** Where each public signal sits in a segment's public signals. */
export function signalIndex(bounds: UniversalBounds) {
  return {
    programHash: 0,
    stateIn: 1,
    stateOut: 2,
    halted: 3,
    out: 4,
    publicIn: 4 + bounds.maxOutputs,
    first: 4 + bounds.maxOutputs + bounds.maxInputs,
  };
}

export interface SegmentProgress {
  /** Segments proven so far, and in all. */
  readonly done: number;
  readonly total: number;
  /** The segment just proven, and how long it took. */
  readonly index: number;
  readonly ms: number;
  /** Who proved it: "local:<pid>" for a child here, "<host>:<pid>" for a queue worker. */
  readonly worker?: string;
}

export interface ProveSegmentsOptions {
  /** Prover processes on this machine (default: the cores). */
  readonly local?: number;
  /** A redis:// URL: the segments are proven by `zkvm worker` processes on that queue (zkvm/distributed). */
  readonly queue?: string;
  readonly onSegment?: (progress: SegmentProgress) => void;
}

/**
 * Proves each segment input with the set-up segment build in `dir`: in
 * forked child processes here (src/pipeline/pool.ts), or on a queue's workers
 * with `queue` (the optional zkvm/distributed entry, loaded only then). Each
 * proof comes back verified against the build's key, in the order of `inputs`.
 */
export async function proveSegments(
  dir: string,
  inputs: readonly SegmentInput[],
  options: ProveSegmentsOptions = {},
): Promise<SegmentProof[]> {
  const started = new Map<number, number>();
  let done = 0;
  const onProgress = (e: PoolEvent | RunEvent) => {
    if (!("state" in e)) return;
    if (e.state === "proving" && !started.has(e.index)) started.set(e.index, performance.now());
    if (e.state !== "proved") return;
    done++;
    options.onSegment?.({
      done,
      total: inputs.length,
      index: e.index,
      ms:
        e.elapsedMs ?? Math.round(performance.now() - (started.get(e.index) ?? performance.now())),
      ...(e.worker !== undefined ? { worker: e.worker } : {}),
    });
  };
  const common = { ...(options.local !== undefined ? { local: options.local } : {}), onProgress };
  const proved =
    options.queue === undefined
      ? await proveMany(dir, inputs, common)
      : await ((await import(DISTRIBUTED)) as Distributed).proveMany(dir, inputs, {
          ...common,
          queue: options.queue,
        });
  return proved.map((p) => ({ proof: p.proof, publicSignals: p.publicSignals }));
}

/** The optional entry, by a specifier a bundler does not follow. */
const DISTRIBUTED: string = "../distributed/index.js";
type Distributed = typeof import("../distributed/index.js");
type RunEvent = import("../distributed/index.js").RunEvent;

export interface ProveChainOptions extends ProveSegmentsOptions {
  /** Exactly this many segments (padded with halted ones); default: the fewest the run needs. */
  readonly segments?: number;
  /** At least this many segments (padded with halted ones). */
  readonly padSegments?: number;
  /** The interpreter's step bound when `segments` is not given (default 1,000,000). */
  readonly maxSteps?: number;
}

export interface ChainProof {
  readonly chain: SegmentChain;
  readonly outputs: Record<string, bigint>;
  readonly steps: number;
  readonly timings: { readonly proveMs: number; readonly verifyMs: number };
}

function segmentCount(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ZkvmError("usage", "BAD_OPTION", `${name} ${value} is not a positive integer`);
  }
  return value;
}

/**
 * Proves one execution of `program` as a chain of segments of the set-up
 * segment build in `dir`: bounds first (BOUND_EXCEEDED), then the run (a
 * fault, or STEP_LIMIT_EXCEEDED when it does not halt within the segments
 * asked for), then the segment proofs, then the chain is checked.
 */
export async function proveChain(
  dir: string,
  program: Program,
  inputs: Inputs,
  options: ProveChainOptions = {},
): Promise<ChainProof> {
  const manifest = await setUp(dir, "segment");
  const { bounds } = manifest;
  const L = bounds.steps;
  const exact = segmentCount(options.segments, "segments");
  const pad = segmentCount(options.padSegments, "pad-segments") ?? 1;
  if (exact !== undefined && exact < pad) {
    throw new ZkvmError(
      "usage",
      "BAD_OPTION",
      `--segments ${exact} is fewer than --pad-segments ${pad}`,
    );
  }
  const prepared = await prepareProgram(program, bounds);
  const run = segmentRun(prepared.program, prepared.canonical, bounds, inputs, {
    maxSteps: exact !== undefined ? exact * L : (options.maxSteps ?? DEFAULT_RUN_STEPS),
    segments: (steps) => exact ?? Math.max(segmentsFor(steps, L), pad),
  });
  const circuitInputs = segmentInputs(prepared.canonical, prepared.program.io, bounds, inputs, run);
  const t0 = performance.now();
  const segments = await proveSegments(dir, circuitInputs, options);
  const proveMs = Math.round(performance.now() - t0);
  const vkey = await readVkey(dir);
  const chain: SegmentChain = {
    format: CHAIN_FORMAT,
    programHash: prepared.hash.toString(),
    segmentSteps: L,
    bounds,
    vkeyHash: verificationKeyHash(vkey),
    layout: segmentLayout(bounds),
    segments,
  };
  const t1 = performance.now();
  const check = await verifyChain(vkey, bounds, chain, { programHash: prepared.hash.toString() });
  if (!check.valid) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proven chain does not verify: ${check.reason ?? "invalid"}`,
      { path: dir },
    );
  }
  const outputs: Record<string, bigint> = Object.fromEntries(
    prepared.program.io.outputs.map((o) => [o.name, run.memory.get(o.cell) ?? 0n]),
  );
  return {
    chain,
    outputs,
    steps: run.steps,
    timings: { proveMs, verifyMs: Math.round(performance.now() - t1) },
  };
}

const readVkey = (dir: string) => universalVerificationKey(dir, "segment");

export interface ChainVerifyResult extends VerifyResult {
  /** The segment a check failed at. */
  readonly segment?: number;
  /** The proven outputs and public inputs, by slot. */
  readonly outputs?: readonly string[];
  readonly publicInputs?: readonly string[];
}

const fail = (reason: string, segment?: number): ChainVerifyResult => ({
  valid: false,
  reason,
  ...(segment !== undefined ? { segment } : {}),
});

/**
 * Checks a chain against a segment build's verification key and bounds (never
 * the chain's own) and the program hash it must prove: every segment's proof is valid for the key (one batched check; on
 * failure each proof is checked alone to name the bad one), the program hash
 * is the same throughout, segment 0 alone has first = 1, each stateIn is the
 * previous stateOut, no segment is halted before one that is not and the last
 * is halted. Never throws on a malformed chain.
 */
export async function verifyChain(
  vkey: Groth16VerificationKey,
  bounds: UniversalBounds,
  chain: unknown,
  expected: { programHash: string; publicInputs?: readonly string[] },
): Promise<ChainVerifyResult> {
  if (typeof chain !== "object" || chain === null) return fail("the chain is not an object");
  const c = chain as Partial<SegmentChain>;
  if (c.format !== CHAIN_FORMAT) return fail(`the chain's format is not ${CHAIN_FORMAT}`);
  if (!Array.isArray(c.segments) || c.segments.length === 0)
    return fail("the chain has no segments");
  if (c.vkeyHash !== verificationKeyHash(vkey)) {
    return fail("the chain was proven for another verification key (vkeyHash differs)");
  }
  if (c.segmentSteps !== bounds.steps) {
    return fail(
      `the chain has ${String(c.segmentSteps)} steps per segment, this build ${bounds.steps}`,
    );
  }
  const at = signalIndex(bounds);
  const nPublic = (vkey as { nPublic?: number }).nPublic;
  if (nPublic !== at.first + 1) {
    return fail(
      `the verification key has ${String(nPublic)} public signals, the chain's segments ${at.first + 1}`,
    );
  }
  const segments = c.segments as SegmentProof[];
  for (const [i, s] of segments.entries()) {
    if (typeof s !== "object" || s === null || !Array.isArray(s.publicSignals)) {
      return fail(`segment ${i} has no public signals`, i);
    }
    if (s.publicSignals.length !== nPublic) {
      return fail(
        `segment ${i} has ${s.publicSignals.length} public signals, expected ${nPublic}`,
        i,
      );
    }
  }
  const signal = (i: number, j: number) => segments[i]!.publicSignals[j];
  const k = segments.length;
  for (let i = 0; i < k; i++) {
    if (signal(i, at.programHash) !== expected.programHash) {
      return fail(
        `segment ${i} proves program hash ${String(signal(i, at.programHash))}, this program's hash is ${expected.programHash}`,
        i,
      );
    }
    if (signal(i, at.first) !== (i === 0 ? "1" : "0")) {
      return fail(
        i === 0
          ? "segment 0 is not a first segment (first = 0)"
          : `segment ${i} is a first segment (first = 1) but not at the start`,
        i,
      );
    }
    if (i > 0 && signal(i, at.stateIn) !== signal(i - 1, at.stateOut)) {
      return fail(
        `segment ${i} does not start where segment ${i - 1} ends (stateIn ≠ stateOut)`,
        i,
      );
    }
    if (i > 0 && signal(i - 1, at.halted) === "1" && signal(i, at.halted) !== "1") {
      return fail(`segment ${i} is not halted after a halted segment`, i);
    }
  }
  if (signal(k - 1, at.halted) !== "1") {
    return fail(
      `the last segment (${k - 1}) is not halted: the run does not end within the chain`,
      k - 1,
    );
  }
  const publicInputs = segments[0]!.publicSignals.slice(at.publicIn, at.first);
  if (expected.publicInputs !== undefined) {
    const stated = expected.publicInputs;
    if (stated.some((v, j) => publicInputs[j] !== v)) {
      return fail(
        `segment 0 states the public inputs ${publicInputs.join(", ")}, not ${stated.join(", ")}`,
        0,
      );
    }
  }
  const batch = await batchVerify(vkey, segments);
  if (!batch.valid) {
    if (batch.index !== undefined)
      return fail(`segment ${batch.index}: ${batch.reason ?? "invalid"}`, batch.index);
    // Name the first bad proof.
    for (let i = 0; i < k; i++) {
      const one = await verify(vkey, segments[i]!.publicSignals, segments[i]!.proof);
      if (!one.valid)
        return fail(`segment ${i}'s proof does not verify: ${one.reason ?? "invalid"}`, i);
    }
    return fail(batch.reason ?? "the batched check fails");
  }
  return {
    valid: true,
    outputs: segments[k - 1]!.publicSignals.slice(at.out, at.publicIn),
    publicInputs,
  };
}
