/**
 * A build directory's manifest.json: what `zkvm compile` wrote (program,
 * I/O, N, W, public signal order, constraint counts, tool versions) and the
 * sha256 of every artifact, then what `zkvm setup` added. Every field the
 * commands read is checked on reading, and every artifact against its hash
 * before use, so a truncated, corrupted or mixed-up build is BUILD_CORRUPT,
 * never a bad proof.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import type { CompiledCircuit, PublicSignal } from "../compiler/index.js";
import { pathExists, PipelineError, readJsonFile } from "../pipeline/index.js";
import type { IoLayout } from "../program.js";

export const MANIFEST = "manifest.json";
export const VKEY = "verification_key.json";
export const FORMAT = "zkvm-build/2";

/**
 * How a build's Groth16 key was made:
 * - "direct-development": zkvm sampled τ, α, β, γ, δ on this machine and
 *   computed the key from the R1CS (src/groth16), with no powers of tau.
 *   Whoever ran it could forge proofs until someone else contributes.
 * - "ptau": snarkjs's route from a phase-2-prepared powers-of-tau file
 *   (`--ptau`, e.g. a public ceremony's), then one random contribution.
 */
export type SetupKind = "direct-development" | "ptau";

export interface SetupRecord {
  readonly kind: SetupKind;
  /** For "ptau": the file used and its power. */
  readonly ptau?: { readonly path: string; readonly power: number };
  /** log2 of the circuit's Groth16 domain. */
  readonly power: number;
  /**
   * Phase-2 contributions on top of the key as first made: zkvm's random one
   * for "ptau", then one per `zkvm setup --contribute`.
   */
  readonly contributions: number;
  readonly createdAt: string;
  readonly timings: Record<string, number>;
  readonly zkey: string;
  readonly zkeySha256: string;
  readonly vkeySha256: string;
}

/** What the manifest keeps of the compiler's result, field for field. */
type CompiledFields = Pick<
  CompiledCircuit,
  | "programHash"
  | "steps"
  | "width"
  | "publicSignals"
  | "privateInputs"
  | "estimatedConstraints"
  | "blockSteps"
  | "stepCounter"
  | "profile"
  | "perStep"
>;

/**
 * What made a build's .r1cs, .sym and witness: "direct" writes them from the
 * compiler's intermediate form (src/direct) and computes the witness in
 * TypeScript; "circom" runs circom2 --O2 on the .circom text and its witness
 * generator (<name>_js/<name>.wasm). A manifest without the field is "circom".
 */
export type Backend = "direct" | "circom";
export const BACKENDS: readonly Backend[] = ["direct", "circom"];

export interface Manifest extends CompiledFields {
  readonly format: typeof FORMAT;
  readonly name: string;
  /** Absent in builds made before the direct backend: "circom". */
  readonly backend?: Backend;
  /**
   * The program's source lines (instruction offset, line), when it was
   * assembled: the Circom text quotes them, and a direct build compiles the
   * program again to compute a witness, to the same text.
   */
  readonly lines?: ReadonlyArray<readonly [number, number]>;
  /** The program's bytecode (hex) and I/O, so that `prove` needs only the directory. */
  readonly bytecode: string;
  readonly io: IoLayout;
  /** Constraints in the .r1cs after circom --O2. */
  readonly constraints: number;
  readonly tools: Record<string, string>;
  /** Artifact paths relative to the directory, with their sha256 (a direct build has no wasm). */
  readonly files: Record<"circom" | "r1cs" | "sym", { path: string; sha256: string }> & {
    readonly wasm?: { path: string; sha256: string };
  };
  readonly setup?: SetupRecord;
}

/** The backend a manifest records ("circom" when it predates the field). */
export function backendOf(manifest: { readonly backend?: Backend }): Backend {
  return manifest.backend ?? "circom";
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

export async function readManifestIfAny(dir: string): Promise<Manifest | undefined> {
  if (!(await pathExists(path.join(dir, MANIFEST)))) return undefined;
  try {
    return await readManifest(dir);
  } catch {
    return undefined;
  }
}

/** Reads and sanity-checks `dir/manifest.json` (without its setup record, on request). */
export async function readManifest(
  dir: string,
  options: { withoutSetup?: boolean } = {},
): Promise<Manifest> {
  const file = path.join(dir, MANIFEST);
  if (!(await pathExists(file))) {
    throw new PipelineError(
      "BUILD_NOT_FOUND",
      `${dir} is not a zkvm build directory (no ${MANIFEST}); run 'zkvm compile' first`,
      { path: dir },
    );
  }
  let manifest: unknown;
  try {
    manifest = await readJsonFile(file);
  } catch (e) {
    if (!(e instanceof PipelineError) || e.code !== "BAD_JSON_FILE") throw e;
    throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} is truncated or not JSON`, {
      cause: e,
      path: file,
    });
  }
  if (options.withoutSetup === true && typeof manifest === "object" && manifest !== null) {
    manifest = { ...(manifest as Record<string, unknown>), setup: undefined };
  }
  const problem = manifestProblem(manifest);
  if (problem !== undefined) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `${MANIFEST} is not a zkvm build manifest (${FORMAT}): ${problem}; run 'zkvm compile' again`,
      { path: file },
    );
  }
  return manifest as Manifest;
}

/** A sha256 as the manifest and layout.json record it: 64 lowercase hex digits. */
export const SHA256_RE = /^[0-9a-f]{64}$/;

/** A path relative to the build directory that stays inside it. */
function isInsidePath(p: unknown): p is string {
  return (
    typeof p === "string" && p !== "" && !path.isAbsolute(p) && !p.split(/[\\/]/).includes("..")
  );
}

function isCount(n: unknown, min: number): boolean {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= min;
}

/**
 * What is wrong with a parsed manifest.json, if anything: every field the
 * commands read has the type they expect, and every artifact path stays in
 * the directory. The artifacts themselves are checked by their sha256.
 */
function manifestProblem(m: unknown): string | undefined {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return "not an object";
  const r = m as Record<string, unknown>;
  if (r.format !== FORMAT) return `format is not ${FORMAT}`;
  if (typeof r.name !== "string" || !/^[A-Za-z0-9_]+$/.test(r.name)) return "bad name";
  if (typeof r.bytecode !== "string") return "bytecode is not a string";
  const io = r.io as Record<string, unknown> | null;
  if (
    typeof io !== "object" ||
    io === null ||
    !Array.isArray(io.inputs) ||
    !Array.isArray(io.outputs)
  ) {
    return "io is not {inputs, outputs}";
  }
  if (!isCount(r.steps, 1) || !isCount(r.width, 1)) return "bad steps or width";
  if (
    !isCount(r.constraints, 0) ||
    !isCount(r.estimatedConstraints, 0) ||
    !isCount(r.blockSteps, 0)
  ) {
    return "bad constraint or block-step counts";
  }
  for (const key of ["publicSignals", "privateInputs", "profile", "perStep"]) {
    if (!Array.isArray(r[key])) return `${key} is not an array`;
  }
  const signals = r.publicSignals as unknown[];
  if (
    !signals.every(
      (s) => typeof s === "object" && s !== null && typeof (s as PublicSignal).name === "string",
    )
  ) {
    return "bad public signal";
  }
  if (r.backend !== undefined && r.backend !== "direct" && r.backend !== "circom") {
    return "bad backend";
  }
  if (
    r.lines !== undefined &&
    !(
      Array.isArray(r.lines) &&
      r.lines.every(
        (e) => Array.isArray(e) && e.length === 2 && isCount(e[0], 0) && isCount(e[1], 1),
      )
    )
  ) {
    return "bad lines";
  }
  const files = r.files as Record<string, unknown> | null;
  if (typeof files !== "object" || files === null) return "files is not an object";
  const kinds = ["circom", "r1cs", "sym", ...(r.backend === "direct" ? [] : ["wasm"])];
  for (const kind of kinds) {
    const f = files[kind] as Record<string, unknown> | null | undefined;
    if (
      typeof f !== "object" ||
      f === null ||
      !isInsidePath(f.path) ||
      typeof f.sha256 !== "string" ||
      !SHA256_RE.test(f.sha256)
    ) {
      return `bad files.${kind}`;
    }
  }
  if (r.setup !== undefined) {
    const setup = r.setup as Record<string, unknown> | null;
    if (
      typeof setup !== "object" ||
      setup === null ||
      !isInsidePath(setup.zkey) ||
      typeof setup.zkeySha256 !== "string" ||
      !SHA256_RE.test(setup.zkeySha256) ||
      typeof setup.vkeySha256 !== "string" ||
      !SHA256_RE.test(setup.vkeySha256) ||
      (setup.kind !== "direct-development" && setup.kind !== "ptau") ||
      (setup.kind === "ptau" &&
        (typeof setup.ptau !== "object" ||
          setup.ptau === null ||
          typeof (setup.ptau as Record<string, unknown>).path !== "string")) ||
      !isCount(setup.power, 0) ||
      !isCount(setup.contributions, 0)
    ) {
      return "bad setup record";
    }
  }
  return undefined;
}

/** The artifacts a build's manifest records: what circom made, and the keys once set up. */
export interface ArtifactRecord {
  readonly files: Readonly<Record<string, { readonly path: string; readonly sha256: string }>>;
  readonly setup?: {
    readonly zkey: string;
    readonly zkeySha256: string;
    readonly vkeySha256: string;
  };
}

/**
 * Checks every artifact (and the setup's, when present) against the
 * manifest's sha256; `recompile` is the command the error tells the user to
 * run again (per-program and universal builds share this check).
 */
export async function checkArtifacts(
  dir: string,
  manifest: ArtifactRecord,
  recompile = "zkvm compile",
): Promise<void> {
  const entries: Array<[string, string]> = Object.values(manifest.files).map((f) => [
    f.path,
    f.sha256,
  ]);
  if (manifest.setup)
    entries.push(
      [manifest.setup.zkey, manifest.setup.zkeySha256],
      [VKEY, manifest.setup.vkeySha256],
    );
  for (const [rel, expected] of entries) {
    const file = path.join(dir, rel);
    if (!isInsidePath(rel)) {
      throw new PipelineError("BUILD_CORRUPT", `${MANIFEST} names a file outside the build`, {
        path: dir,
      });
    }
    if (!(await pathExists(file))) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        `${rel} is missing from the build; run '${recompile}' again`,
        { path: file },
      );
    }
    if ((await sha256File(file)) !== expected) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        `${rel} does not match the build manifest (changed, truncated or from another build); run '${recompile}' again`,
        { path: file },
      );
    }
  }
}
