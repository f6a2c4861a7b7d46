/**
 * The library's front door, as the original design has it:
 * `new ZKVM(program)` validates, `execute()` runs, `generateProof()` proves,
 * `verifyProof(proof)` checks.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import {
  buildCircuit,
  proveCircuit,
  readBuildVerifier,
  setupCircuit,
  verifyWithBundle,
  type ProofResult,
  type VerifierBundle,
} from "./build/index.js";
import { proveOptions } from "./build/proofs.js";
import type { ProverChoice } from "./groth16/prover.js";
import { compile, programHash, type CompiledCircuit } from "./compiler/index.js";
import { ZkvmError } from "./errors.js";
import type { Inputs } from "./inputs.js";
import type { ProgramSource } from "./load.js";
import {
  claimedCircuit,
  isStepBound,
  NOT_A_PROOF,
  Machine,
  type MachineOptions,
  type ProofCircuit,
  type ProveOptions as StepProveOptions,
} from "./machine.js";
import {
  cacheDir,
  verificationKeyHash,
  type Progress,
  type VerifyResult,
} from "./pipeline/index.js";
import {
  openUniversal,
  prepareProgram,
  proveUniversal,
  universalVerificationKey,
  verifyUniversal,
} from "./universal/build.js";
import type { UniversalBounds } from "./universal/encode.js";
import {
  proveChain,
  verifyChain,
  type SegmentChain,
  type SegmentProgress,
} from "./segments/chain.js";
import {
  segmentCircuit,
  type SegmentCircuit,
  type SegmentCircuitOptions,
} from "./segments/library.js";
import {
  universalCircuit,
  type UniversalCircuit,
  type UniversalOptions,
} from "./universal/library.js";

export {
  DEFAULT_RUN_STEPS,
  type ExecuteOptions,
  type Execution,
  type MachineOptions,
} from "./machine.js";

export interface ZKVMOptions extends MachineOptions {
  /**
   * Where compiled circuits and their keys are cached (default: the zkvm
   * cache directory, `$ZKVM_CACHE_DIR` or `~/.cache/zkvm`, under circuits/).
   */
  readonly cacheDir?: string;
}

export interface ProveOptions extends StepProveOptions {
  /**
   * A phase-2-prepared powers-of-tau file (e.g. a public ceremony's): the key
   * is made by snarkjs from it. Default: the direct development setup (no
   * powers of tau; see docs/TRUST.md).
   */
  readonly ptau?: string;
  /** "zkvm" (default): zkvm's own WebAssembly prover; "snarkjs": snarkjs's (the reference). */
  readonly prover?: ProverChoice;
}

/** Proving with a universal circuit (`ZKVM.universal`): its bounds replace `steps`. */
export interface UniversalProveOptions {
  readonly circuit: UniversalCircuit;
  readonly onProgress?: Progress;
  readonly prover?: ProverChoice;
}

/** Proving a chain of segments with a segment circuit (`ZKVM.segmentCircuit`). */
export interface ChainProveOptions {
  readonly circuit: SegmentCircuit;
  /** "auto" (default): the fewest segments the run needs; K: exactly K (padded with halted ones). */
  readonly segments?: number | "auto";
  /** At least this many segments. */
  readonly padSegments?: number;
  /** Prover processes on this machine (default: the cores). */
  readonly local?: number;
  /** A redis:// URL: prove on `zkvm worker` processes (zkvm/distributed). */
  readonly queue?: string;
  readonly onSegment?: (progress: SegmentProgress) => void;
}

/** A chain proof: chain.json's content, what it proves, and the build it is for. */
export interface ZKVMChain {
  readonly chain: SegmentChain;
  readonly outputs: Record<string, bigint>;
  readonly steps: number;
  /** The segment build's directory. */
  readonly segmentCircuit: string;
}

/**
 * A proof with what it proves: public signals (outputs, then public inputs;
 * for a universal circuit the program hash first and fixed-size slots) and
 * the circuit it is for.
 */
export interface ZKVMProof extends ProofResult {
  readonly circuit: ProofCircuit & {
    /** sha256 of the bytecode; for a universal circuit, the Poseidon program hash (decimal). */
    readonly programHash: string;
    /** Set for a proof from a universal circuit: its build directory. */
    readonly universal?: string;
    /**
     * sha256 of the generated Circom: the program, its I/O declaration (which
     * inputs are public, the outputs' order), N and W. Bytecode alone does not
     * define the circuit: the same bytes declared with `.public x` instead of
     * `.private x` prove another statement.
     */
    readonly circuitHash: string;
    /** sha256 of the verification key the proof was made for (see `verificationKeyHash`). */
    readonly vkeyHash: string;
  };
}

/** Builds and setups in flight in this process, so concurrent calls share one. */
const preparing = new Map<string, Promise<void>>();

export class ZKVM extends Machine {
  private readonly cacheRoot: string | undefined;
  /** The circuit for each step bound asked for so far (compiling is deterministic, so once is enough). */
  private readonly circuits = new Map<number, { compiled: CompiledCircuit; hash: string }>();

  /**
   * Validates the program; throws the ValidationError or AssemblyError, or
   * BAD_WIDTH for a width outside 1..252.
   */
  constructor(program: ProgramSource, options: ZKVMOptions = {}) {
    super(program, options);
    this.cacheRoot = options.cacheDir;
  }

  /** This program's circuit for step bound N, and its hash (`ZKVMProof.circuit.circuitHash`). */
  private circuit(steps: number): { compiled: CompiledCircuit; hash: string } {
    let circuit = this.circuits.get(steps);
    if (circuit === undefined) {
      const compiled = compile(this.program, { steps, width: this.width });
      circuit = { compiled, hash: createHash("sha256").update(compiled.circom).digest("hex") };
      this.circuits.set(steps, circuit);
    }
    return circuit;
  }

  /**
   * The build directory of this program's circuit for step bound N: named by
   * the circuit's hash, so two declarations of the same bytecode never share one.
   */
  circuitDir(steps: number): string {
    const root = this.cacheRoot ?? path.join(cacheDir(), "circuits");
    return path.join(root, `${this.circuit(steps).hash.slice(0, 16)}-n${steps}-w${this.width}`);
  }

  /**
   * Proves one execution within `steps` steps. The circuit is compiled and
   * set up on first use and cached by circuit hash (program, I/O, N, W); concurrent
   * calls (in this process or others) share the work and never corrupt the cache.
   */
  async generateProof(inputs: Inputs, options: ChainProveOptions): Promise<ZKVMChain>;
  async generateProof(
    inputs: Inputs,
    options: ProveOptions | UniversalProveOptions,
  ): Promise<ZKVMProof>;
  async generateProof(
    inputs: Inputs,
    options: ProveOptions | UniversalProveOptions | ChainProveOptions,
  ): Promise<ZKVMProof | ZKVMChain> {
    if (isChainOptions(options)) return this.generateChain(inputs, options);
    if (typeof options === "object" && options !== null && "circuit" in options) {
      return this.generateUniversalProof(inputs, options);
    }
    if (typeof options !== "object" || options === null || !isStepBound(options.steps)) {
      throw new ZkvmError(
        "usage",
        "BAD_OPTION",
        "generateProof needs { steps: N }, the circuit's step bound (a positive integer)",
      );
    }
    // Fail fast on bad inputs or a faulting run, before any compilation.
    this.execute(inputs, { steps: options.steps });
    const circuit = this.circuit(options.steps);
    const dir = this.circuitDir(options.steps);
    let ready = preparing.get(dir);
    if (ready === undefined) {
      ready = (async () => {
        const onProgress = options.onProgress ? { onProgress: options.onProgress } : {};
        await buildCircuit(this.program, dir, {
          steps: options.steps,
          width: this.width,
          name: "program",
          compiled: circuit.compiled,
          // The cache's own directory (named by circuit hash): rebuilt only when damaged.
          force: true,
          ...onProgress,
        });
        await setupCircuit(dir, { ...onProgress, ...(options.ptau ? { ptau: options.ptau } : {}) });
      })();
      preparing.set(dir, ready);
      // Forget it once settled: a later call checks the directory again (it may have been removed).
      const settled = () => {
        if (preparing.get(dir) === ready) preparing.delete(dir);
      };
      ready.then(settled, settled);
    }
    await ready;
    const { vkeyHash, ...result } = await proveCircuit(dir, inputs, proveOptions(options));
    return {
      ...result,
      circuit: {
        programHash: circuit.compiled.programHash,
        steps: options.steps,
        width: this.width,
        circuitHash: circuit.hash,
        vkeyHash,
      },
    };
  }

  private async generateChain(inputs: Inputs, options: ChainProveOptions): Promise<ZKVMChain> {
    const { circuit, segments, padSegments, local, queue, onSegment } = options;
    const result = await proveChain(circuit.dir, this.program, inputs, {
      ...(typeof segments === "number" ? { segments } : {}),
      ...(padSegments !== undefined ? { padSegments } : {}),
      ...(local !== undefined ? { local } : {}),
      ...(queue !== undefined ? { queue } : {}),
      ...(onSegment ? { onSegment } : {}),
    });
    return {
      chain: result.chain,
      outputs: result.outputs,
      steps: result.steps,
      segmentCircuit: circuit.dir,
    };
  }

  /** The segment circuit for these bounds (steps = L, the steps per segment), compiled and set up once. */
  static segmentCircuit(
    bounds: Partial<UniversalBounds> = {},
    options: SegmentCircuitOptions = {},
  ): Promise<SegmentCircuit> {
    return segmentCircuit(bounds, options);
  }

  /** The universal circuit for these bounds, compiled and set up once (cached by bounds). */
  static universal(
    bounds: Partial<UniversalBounds> = {},
    options: UniversalOptions = {},
  ): Promise<UniversalCircuit> {
    return universalCircuit(bounds, options);
  }

  private async generateUniversalProof(
    inputs: Inputs,
    options: UniversalProveOptions,
  ): Promise<ZKVMProof> {
    const { circuit } = options;
    const result = await proveUniversal(circuit.dir, this.program, inputs, proveOptions(options));
    return {
      proof: result.proof,
      publicSignals: result.publicSignals,
      outputs: result.outputs,
      steps: result.steps,
      timings: result.timings,
      circuit: {
        programHash: result.programHash,
        steps: circuit.bounds.steps,
        width: circuit.bounds.width,
        universal: circuit.dir,
        circuitHash: (await openUniversal(circuit.dir)).files.circom.sha256,
        vkeyHash: verificationKeyHash(await universalVerificationKey(circuit.dir)),
      },
    };
  }

  /**
   * What a verifier needs for this program's proofs at step bound N (after
   * a `generateProof` with it): the verification key and the public-signal
   * layout. `verifyWithBundle(bundle, proof)` checks a proof with it alone.
   */
  async verifierBundle(steps: number): Promise<VerifierBundle> {
    return readBuildVerifier(this.circuitDir(steps));
  }

  /** Whether a proof (or a chain) from `generateProof` verifies; `checkProof` says why not. */
  async verifyProof(proof: ZKVMProof | ZKVMChain): Promise<boolean> {
    return (await this.checkProof(proof)).valid;
  }

  async checkProof(proof: ZKVMProof | ZKVMChain): Promise<VerifyResult> {
    if (typeof proof === "object" && proof !== null && "chain" in proof) {
      return this.checkChain(proof);
    }
    const circuit = claimedCircuit(proof);
    if (circuit === undefined) return { valid: false, reason: NOT_A_PROOF };
    if (typeof circuit.universal === "string") {
      const { valid, reason } = await verifyUniversal(
        circuit.universal,
        this.program,
        proof.proof,
        proof.publicSignals,
      );
      return reason === undefined ? { valid } : { valid, reason };
    }
    if (circuit.programHash !== programHash(this.program.code)) {
      return { valid: false, reason: "the proof is for another program" };
    }
    if (circuit.width !== this.width) {
      return { valid: false, reason: "the proof is for another comparison width" };
    }
    if (
      typeof circuit.circuitHash === "string" &&
      circuit.circuitHash !== this.circuit(circuit.steps).hash
    ) {
      return {
        valid: false,
        reason:
          "the proof is for another circuit of this bytecode (another I/O declaration: which inputs are public, the outputs' order; or another step bound)",
      };
    }
    // The verification key and the public-signal layout are all it takes
    // (src/build/verifier.ts); the proof's circuit and key hashes must match them.
    const bundle = await this.knownVerifier(circuit.steps);
    if (bundle === undefined) {
      return {
        valid: false,
        reason: `no verification key for this circuit (N = ${circuit.steps}, W = ${circuit.width}) in this cache: it was never set up here; check the proof with the prover's bundle (verifyWithBundle)`,
      };
    }
    return verifyWithBundle(bundle, proof);
  }

  /** The verifier bundle of this program's set-up circuit for N in the cache, or undefined if there is none. */
  private async knownVerifier(steps: number): Promise<VerifierBundle | undefined> {
    try {
      return await readBuildVerifier(this.circuitDir(steps));
    } catch (e) {
      if (e instanceof ZkvmError && (e.code === "BUILD_NOT_FOUND" || e.code === "NOT_SET_UP")) {
        return undefined;
      }
      throw e;
    }
  }

  /**
   * A chain, checked against its segment build's key and bounds and this
   * program's hash (src/segments/chain.ts: the chaining, then one batched
   * pairing check of all its proofs).
   */
  private async checkChain(proof: ZKVMChain): Promise<VerifyResult> {
    if (typeof proof.segmentCircuit !== "string") {
      return { valid: false, reason: "not a chain from generateProof (no segment circuit)" };
    }
    const manifest = await openUniversal(proof.segmentCircuit);
    const vkey = await universalVerificationKey(proof.segmentCircuit, "segment");
    const { hash } = await prepareProgram(this.program, manifest.bounds);
    const { valid, reason } = await verifyChain(vkey, manifest.bounds, proof.chain, {
      programHash: hash.toString(),
    });
    return reason === undefined ? { valid } : { valid, reason };
  }
}

function isChainOptions(options: unknown): options is ChainProveOptions {
  return (
    typeof options === "object" &&
    options !== null &&
    "circuit" in options &&
    (options.circuit as { kind?: unknown } | null)?.kind === "segment"
  );
}
