/** Proving and verifying with a set-up build. */
import path from "node:path";
import { circuitInput } from "../compiler/input.js";
import { RuntimeFault, ZkvmError } from "../errors.js";
import type { Inputs } from "../inputs.js";
import { inputCells } from "../inputs.js";
import { executeProgram, type ProofResult } from "../machine.js";
import {
  PipelineError,
  prove,
  proveWitness,
  readJsonFile,
  verificationKeyHash,
  verify,
  type CircuitInput,
  type Groth16Proof,
  type Groth16VerificationKey,
  type Progress,
  type VerifyResult,
  type Witness,
} from "../pipeline/index.js";
import { compile } from "../compiler/index.js";
import { directWitness, WitnessError } from "../direct/index.js";
import { readR1csWireLabels } from "../pipeline/r1cs.js";
import { timed } from "../pipeline/progress.js";
import { openSetUpBuild, type Build } from "./directory.js";
import type { ValidatedProgram } from "../validator.js";
import type { ProverChoice } from "../groth16/prover.js";
import { readBuildVerifier, verifyWithBundle } from "./verifier.js";
import { backendOf, sha256, VKEY } from "./manifest.js";

/** The pipeline's prove options without undefined members (exactOptionalPropertyTypes). */
export function proveOptions(options: { onProgress?: Progress; prover?: ProverChoice }): {
  onProgress?: Progress;
  prover?: ProverChoice;
} {
  return {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.prover ? { prover: options.prover } : {}),
  };
}

/**
 * Proves a circuit input somewhere else (`zkvm prove --queue`: on a queue's
 * workers); the proof is checked here like one made in this process.
 */
export type ExternalProver = (input: CircuitInput) => Promise<{
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
  readonly timings?: { readonly witnessMs: number; readonly proveMs: number };
}>;

/** A per-program proof: public.json lists the outputs, then the public inputs. */
export type { ProofResult } from "../machine.js";

/**
 * Proves one execution: the interpreter runs first, so a fault or a step
 * bound that is too small is a clear typed error rather than a failed witness.
 * `vkeyHash` is the `verificationKeyHash` of the key the proof was checked with.
 */
export async function proveCircuit(
  dir: string,
  inputs: Inputs,
  options: { onProgress?: Progress; prover?: ProverChoice; external?: ExternalProver } = {},
): Promise<ProofResult & { readonly vkeyHash: string }> {
  const build = await openSetUpBuild(dir);
  const { manifest, program } = build;
  const execution = executeWithin(program, inputs, manifest.steps, manifest.width);
  const progress = proveOptions(options);
  const zkeyPath = path.join(dir, build.setup.zkey);
  const input = circuitInput(program.io, inputs);
  const result = options.external
    ? await options.external(input)
    : backendOf(manifest) === "direct"
      ? await proveWitness(
          zkeyPath,
          ...(await timedWitness(() => directBuildWitness(build, input), options.onProgress)),
          progress,
        )
      : await prove(zkeyPath, build.file("wasm"), input, progress);
  const vkey = await checkFreshProof(dir, result, path.join(dir, build.setup.zkey));
  if (options.external) {
    // A proof from elsewhere (a resumed queue run) must be of these inputs' execution.
    const cells = inputCells(program.io, inputs);
    const expected = manifest.publicSignals.map((s) =>
      String(s.kind === "output" ? execution.outputs[s.name] : cells.get(s.cell)),
    );
    if (expected.join() !== result.publicSignals.join()) {
      throw new PipelineError(
        "PROOF_INVALID",
        `the proof's public signals (${result.publicSignals.join(", ")}) are not those of this execution (${expected.join(", ")}): a run of other inputs`,
        { path: dir },
      );
    }
  }
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    outputs: execution.outputs,
    steps: execution.steps,
    timings: result.timings ?? { witnessMs: 0, proveMs: 0 },
    vkeyHash: verificationKeyHash(vkey),
  };
}

async function timedWitness(
  f: () => Promise<Witness>,
  onProgress: Progress | undefined,
): Promise<[Witness, number]> {
  const { result, elapsedMs } = await timed(onProgress, "witness", "witness", f);
  return [result, elapsedMs];
}

/**
 * The witness of a direct build: the program is compiled again (its Circom
 * text must hash as the build's, so the nodes are the ones the .r1cs was
 * written from) and its signals computed in TypeScript; the wires are the
 * .r1cs's (its wire → label map).
 */
export async function directBuildWitness(
  build: Build,
  input: Readonly<Record<string, string>>,
): Promise<Witness> {
  const { manifest, program } = build;
  const compiled = compile(program, {
    steps: manifest.steps,
    width: manifest.width,
    keepNodes: true,
  });
  if (sha256(compiled.circom) !== manifest.files.circom.sha256) {
    throw new PipelineError(
      "BUILD_CORRUPT",
      `${build.dir} was compiled by another version of the compiler (its circuit differs); run 'zkvm compile' again`,
      { path: build.dir },
    );
  }
  const labels = await readR1csWireLabels(build.file("r1cs"));
  try {
    return directWitness(compiled, input, labels);
  } catch (e) {
    if (!(e instanceof WitnessError)) throw e;
    throw new PipelineError("WITNESS_FAILED", `witness computation failed: ${e.message}`, {
      cause: e,
      path: build.file("r1cs"),
    });
  }
}

/** How far `executeWithin` runs a program past a circuit's N to tell how many steps an input needs. */
export const STEPS_NEEDED_CAP = 1_000_000;

/**
 * Runs the program within the circuit's step bound N. When it does not halt
 * in N steps, runs it further (up to STEPS_NEEDED_CAP) to say how many steps
 * this input needs and how to recompile.
 */
function executeWithin(
  program: ValidatedProgram,
  inputs: Inputs,
  steps: number,
  width: number,
): ReturnType<typeof executeProgram> {
  try {
    return executeProgram(program, inputs, { steps, width });
  } catch (e) {
    if (!(e instanceof RuntimeFault) || e.code !== "STEP_LIMIT_EXCEEDED") throw e;
    let needed: string;
    try {
      const further = executeProgram(program, inputs, {
        steps: Math.max(STEPS_NEEDED_CAP, steps + 1),
        width,
      });
      needed = `this input needs ${further.steps} steps: compile again with 'zkvm compile PROGRAM --steps ${further.steps}' (or more) into a new directory, or with --force into this one, then 'zkvm setup'`;
    } catch (again) {
      if (!(again instanceof ZkvmError)) throw again;
      needed =
        again.code === "STEP_LIMIT_EXCEEDED"
          ? `this input does not halt within ${Math.max(STEPS_NEEDED_CAP, steps + 1)} steps either`
          : `run further, this input faults (${again.describe()})`;
    }
    throw new RuntimeFault(
      "STEP_LIMIT_EXCEEDED",
      `the circuit was compiled for N = ${steps} steps and the program does not halt within them; ${needed}`,
      {
        step: e.step,
        pc: e.pc,
        ...(e.line !== undefined ? { line: e.line } : {}),
      },
    );
  }
}

/**
 * snarkjs proves whatever witness it is given: a proving key from another
 * circuit with as many wires (a manifest edited to match it) gives a proof
 * that never verifies. Checking a fresh proof with the build's verification
 * key means no command reports success and writes a proof.json that its own
 * build rejects. Per-program and universal builds both check this way;
 * returns the verification key it checked with.
 */
export async function checkFreshProof(
  dir: string,
  result: { readonly proof: Groth16Proof; readonly publicSignals: readonly string[] },
  zkeyPath: string,
): Promise<Groth16VerificationKey> {
  const vkey = await readJsonFile<Groth16VerificationKey>(path.join(dir, VKEY));
  const check = await verify(vkey, result.publicSignals, result.proof);
  if (!check.valid) {
    throw new PipelineError(
      "PROVE_FAILED",
      `the proof does not verify with the build's verification key (${check.reason ?? "invalid"}); the proving key does not belong to this circuit: run 'zkvm setup ${dir} --force'`,
      { path: zkeyPath },
    );
  }
  return vkey;
}

/** A build's verification key, checked against its manifest (no other artifact read). */
export async function readVerificationKey(dir: string): Promise<Groth16VerificationKey> {
  return (await readBuildVerifier(dir)).vkey;
}

/**
 * Verifies a proof against a build's verification key and public-signal
 * layout only (the zkey, wasm and r1cs are neither read nor hashed); says
 * why when it does not verify.
 */
export async function verifyCircuit(
  dir: string,
  proof: unknown,
  publicSignals: unknown,
): Promise<VerifyResult> {
  return verifyWithBundle(await readBuildVerifier(dir), { proof, publicSignals });
}
