/**
 * The ZKVM class for a page, with the Node entry's API: `new ZKVM(program)`
 * validates, `execute()` runs, `generateProof()` compiles (the direct
 * backend in the page: the .r1cs from the compiler's constraints and the
 * witness in TypeScript, no circom2; or circom2 itself with `backend:
 * "circom"`), sets up, computes the witness and proves, `verifyProof()` checks.
 * Private inputs never leave the page. Circuits and keys are cached by
 * program hash, N and W (src/browser/store.ts); prebuilt artifacts from a
 * server's `zkvm compile` + `zkvm setup --ptau` replace the development setup.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../bytecode.js";
import {
  compile,
  programHash,
  type CompiledCircuit,
  type PublicSignal,
} from "../compiler/index.js";
import { circuitInput } from "../compiler/input.js";
import { ZkvmError } from "../errors.js";
import type { Inputs } from "../inputs.js";
import type { ProgramSource } from "../load.js";
import {
  claimedCircuit,
  isStepBound,
  NOT_A_PROOF,
  Machine,
  type MachineOptions,
  type ProofCircuit,
  type ProofResult,
  type ProveOptions,
} from "../machine.js";
import { PipelineError } from "../pipeline/errors.js";
import { report, timed, type Progress } from "../pipeline/progress.js";
import { directArtifacts, directWitness, WitnessError } from "../direct/index.js";
import { compileCircomText } from "./circom.js";
import {
  computeWitness,
  proveGroth16,
  verificationKeyProblem,
  verifyGroth16,
  type VerifyResult,
} from "./groth16.js";
import type { ProverChoice } from "../groth16/prover.js";
import { readR1cs } from "../groth16/r1cs.js";
import { developmentSetup } from "./setup.js";
import { solidityVerifier } from "./solidity.js";
import { snarkjs, type Groth16VerificationKey } from "./snarkjs.js";
import { KeyStore, type CircuitKeys } from "./store.js";

/** Where a file comes from: a URL (fetched from the page's server) or its bytes. */
export type ArtifactSource = string | URL | Uint8Array | ArrayBuffer;

export {
  DEFAULT_RUN_STEPS,
  type ExecuteOptions,
  type Execution,
  type MachineOptions,
  type ProveOptions,
} from "../machine.js";

export interface ZKVMOptions extends MachineOptions {
  /**
   * What writes the .r1cs and computes witnesses: "direct" (default) writes
   * them from the compiler's constraints in TypeScript (src/direct), so the
   * page loads no circom2; "circom" runs circom2's compiler in the page.
   */
  readonly backend?: "direct" | "circom";
  /**
   * circom2's compiler (node_modules/circom2/circom.wasm, 9 MB), loaded on the
   * first compile with `backend: "circom"` only: a URL, its bytes or a compiled
   * module. Default: `circom.wasm` next to this module.
   */
  readonly circomWasm?: ArtifactSource | WebAssembly.Module;
  /** Keep circuits and keys in IndexedDB across page loads (default true where available). */
  readonly persistentCache?: boolean;
  /** "zkvm" (default): zkvm's own WebAssembly prover; "snarkjs": snarkjs's browser build. */
  readonly prover?: ProverChoice;
}

/** A proof with what it proves, as the Node entry returns it. */
export interface ZKVMProof extends ProofResult {
  readonly circuit: ProofCircuit;
}

/** A circuit compiled in the page: the compiler's report and the backend's output. */
export interface Compilation {
  readonly circuit: CompiledCircuit;
  readonly backend: "direct" | "circom";
  /** Constraints in the .r1cs, after the simplification (circom's --O2 or the direct backend's). */
  readonly constraints: number;
  readonly r1cs: Uint8Array;
  /** circom's witness generator (circom backend only). */
  readonly wasm?: Uint8Array;
  /** The .r1cs's wire → signal label map (direct backend: what its witness is computed for). */
  readonly labels?: Int32Array;
  /** Time the backend took to write the .r1cs in this page, ms. */
  readonly backendMs: number;
  /** Time circom took in this page, ms (0 with the direct backend). */
  readonly circomMs: number;
}

/**
 * A server's build of this program (`zkvm compile` then `zkvm setup --ptau`
 * with a public ceremony): its manifest.json (the public-signal layout, N, W
 * and the artifacts' sha256), the witness generator, the proving key and the
 * verification key.
 */
export interface PrebuiltArtifacts {
  readonly manifest: ArtifactSource | object;
  /** circom's witness generator: for a build of the circom backend only (a direct build has none). */
  readonly wasm?: ArtifactSource;
  readonly zkey: ArtifactSource;
  readonly verificationKey: ArtifactSource | Groth16VerificationKey;
}

/** One compiler module per page and source: compiling 9 MB of wasm takes a while. */
const compilers = new Map<unknown, Promise<WebAssembly.Module>>();
/** Compilations and setups in flight or done, shared by every ZKVM of the page. */
const compilations = new Map<string, Promise<Compilation>>();
const preparing = new Map<string, Promise<CircuitKeys>>();
const stores = new Map<boolean, KeyStore>();

async function fetchBytes(source: ArtifactSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const url = String(source);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new PipelineError("FILE_NOT_FOUND", `cannot fetch ${url}: ${String(e)}`, {
      cause: e,
      path: url,
    });
  }
  if (!response.ok) {
    throw new PipelineError("FILE_NOT_FOUND", `cannot fetch ${url}: HTTP ${response.status}`, {
      path: url,
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchJson(source: ArtifactSource | object): Promise<unknown> {
  if (
    typeof source === "object" &&
    !(source instanceof Uint8Array) &&
    !(source instanceof ArrayBuffer) &&
    !(source instanceof URL)
  ) {
    return source;
  }
  const text = new TextDecoder().decode(await fetchBytes(source));
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new PipelineError("BAD_JSON_FILE", `not valid JSON: ${String(e)}`, { cause: e });
  }
}

function loadCompiler(source: ArtifactSource | WebAssembly.Module): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  const key = source instanceof URL ? source.href : source;
  let module = compilers.get(key);
  if (module === undefined) {
    module = fetchBytes(source).then((bytes) =>
      WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>),
    );
    compilers.set(key, module);
    // A failed load (offline, wrong URL) is retried on the next compile.
    module.catch(() => compilers.delete(key));
  }
  return module;
}

/** N's circuit from the zkvm compiler and the key its compilation and keys are cached under. */
interface CircuitEntry {
  readonly circuit: CompiledCircuit;
  readonly key: string;
}

export class ZKVM extends Machine {
  private readonly backend: "direct" | "circom";
  private readonly circomWasm: ArtifactSource | WebAssembly.Module;
  private readonly store: KeyStore;
  private readonly prover: ProverChoice;
  /** Made once per N: the key hashes the whole Circom text. */
  private readonly circuits = new Map<number, CircuitEntry>();

  /**
   * Validates the program; throws the ValidationError or AssemblyError, or
   * BAD_OPTION for a width outside 1..252.
   */
  constructor(program: ProgramSource, options: ZKVMOptions = {}) {
    super(program, options);
    this.backend = options.backend ?? "direct";
    if (this.backend !== "direct" && this.backend !== "circom") {
      throw new ZkvmError("usage", "BAD_OPTION", `backend must be "direct" or "circom"`);
    }
    this.circomWasm = options.circomWasm ?? new URL("./circom.wasm", import.meta.url);
    const persistent = options.persistentCache ?? true;
    let store = stores.get(persistent);
    if (store === undefined) {
      store = new KeyStore(persistent);
      stores.set(persistent, store);
    }
    this.store = store;
    this.prover = options.prover ?? "zkvm";
  }

  /**
   * Loads circom2's compiler now rather than on the first compile, so that a
   * page that has finished loading can compile with the network gone (the
   * circom backend only: the direct backend needs no download).
   */
  async loadCompiler(): Promise<void> {
    await loadCompiler(this.circomWasm);
  }

  /** sha256 of the bytecode, hex (the Node entry's program hash). */
  get programHash(): string {
    return programHash(this.program.code);
  }

  /**
   * The zkvm compiler's circuit for N (milliseconds of TypeScript; circom is
   * not run) and its cache key. The key names the generated Circom text, not
   * just the program, N and W: keys cached in IndexedDB by an earlier version
   * of the page whose compiler emitted another circuit are not reused.
   */
  private compiled(steps: number): CircuitEntry {
    let entry = this.circuits.get(steps);
    if (entry === undefined) {
      // With its nodes: the direct backend's .r1cs and witness are made from them.
      const circuit = compile(this.program, { steps, width: this.width, keepNodes: true });
      const circom = toHex(sha256(new TextEncoder().encode(circuit.circom)));
      const key = `${this.programHash}-n${steps}-w${this.width}-${circom.slice(0, 16)}`;
      entry = { circuit, key };
      this.circuits.set(steps, entry);
    }
    return entry;
  }

  private circuitFor(steps: number): CompiledCircuit {
    return this.compiled(steps).circuit;
  }

  private circuitKey(steps: number): string {
    return this.compiled(steps).key;
  }

  /**
   * Compiles the circuit for step bound N in the page (the zkvm compiler,
   * then the backend): constraint count, per-instruction profile, .r1cs (and
   * circom's witness generator with the circom backend). Cached for the
   * page's lifetime.
   */
  async compile(steps: number, options: { onProgress?: Progress } = {}): Promise<Compilation> {
    if (!isStepBound(steps)) {
      throw new ZkvmError("usage", "BAD_OPTION", "compile needs N, a positive integer step bound");
    }
    const key = `${this.circuitKey(steps)}-${this.backend}`;
    let compilation = compilations.get(key);
    if (compilation === undefined) {
      compilation = (async (): Promise<Compilation> => {
        const circuit = this.circuitFor(steps);
        if (this.backend === "direct") {
          const { result: artifacts, elapsedMs } = await timed(
            options.onProgress,
            "r1cs",
            "r1cs (direct backend)",
            async () => directArtifacts(circuit),
          );
          const size = artifacts.r1cs.reduce((n, part) => n + part.byteLength, 0);
          const r1cs = new Uint8Array(size);
          let at = 0;
          for (const part of artifacts.r1cs) {
            r1cs.set(part, at);
            at += part.byteLength;
          }
          return {
            circuit,
            backend: "direct",
            constraints: artifacts.nConstraints,
            r1cs,
            labels: artifacts.labelOfWire,
            backendMs: elapsedMs,
            circomMs: 0,
          };
        }
        const { result: compiler } = await timed(
          options.onProgress,
          "circom:load",
          "loading the circom compiler",
          () => loadCompiler(this.circomWasm),
        );
        const { result: built, elapsedMs } = await timed(
          options.onProgress,
          "circom",
          "circom",
          () => compileCircomText(compiler, circuit.circom),
        );
        return {
          circuit,
          backend: "circom",
          constraints: readR1cs(built.r1cs).nConstraints,
          r1cs: built.r1cs,
          wasm: built.wasm,
          backendMs: elapsedMs,
          circomMs: elapsedMs,
        };
      })();
      compilations.set(key, compilation);
      compilation.catch(() => compilations.delete(key));
    }
    return compilation;
  }

  /** The keys for N: cached, prebuilt, or compiled and set up now (development setup). */
  private keys(steps: number, onProgress: Progress | undefined): Promise<CircuitKeys> {
    const key = this.circuitKey(steps);
    let ready = preparing.get(key);
    if (ready === undefined) {
      ready = (async () => {
        const cached = await this.store.get(key);
        if (cached !== undefined) return cached;
        const compilation = await this.compile(steps, onProgress ? { onProgress } : {});
        const { result: keys } = await timed(
          onProgress,
          "setup",
          "development setup (keys made in this page)",
          () => developmentSetup(compilation.r1cs, onProgress),
        );
        const circuitKeys: CircuitKeys = {
          programHash: this.programHash,
          steps,
          width: this.width,
          constraints: compilation.constraints,
          ...(compilation.wasm !== undefined ? { wasm: compilation.wasm } : {}),
          ...(compilation.labels !== undefined ? { labels: compilation.labels } : {}),
          zkey: keys.zkey,
          vkey: keys.vkey,
          publicSignals: compilation.circuit.publicSignals,
          origin: "development",
        };
        await this.store.put(key, circuitKeys);
        return circuitKeys;
      })();
      preparing.set(key, ready);
      ready.catch(() => preparing.delete(key));
    }
    return ready;
  }

  /**
   * Uses a server's build for its step bound instead of compiling and setting
   * up in the page. Checks that the manifest is this program's (hash, W) and
   * that the witness generator and proving key are the files it lists.
   * Returns the step bound the artifacts prove.
   */
  async useArtifacts(artifacts: PrebuiltArtifacts): Promise<{ steps: number }> {
    const [manifest, wasm, zkey, vkey] = await Promise.all([
      fetchJson(artifacts.manifest),
      artifacts.wasm !== undefined ? fetchBytes(artifacts.wasm) : Promise.resolve(undefined),
      fetchBytes(artifacts.zkey),
      fetchJson(artifacts.verificationKey),
    ]);
    const m = manifest as {
      programHash?: unknown;
      steps?: unknown;
      width?: unknown;
      constraints?: unknown;
      publicSignals?: unknown;
      backend?: unknown;
      files?: { wasm?: { sha256?: unknown }; circom?: { sha256?: unknown } };
      setup?: { zkeySha256?: unknown };
    };
    if (typeof m !== "object" || m === null || !isStepBound(m.steps)) {
      throw new PipelineError("BUILD_CORRUPT", "the manifest is not a zkvm build manifest");
    }
    if (m.programHash !== this.programHash || m.width !== this.width) {
      throw new ZkvmError(
        "usage",
        "WRONG_PROGRAM",
        "these artifacts are for another program or comparison width",
      );
    }
    // A direct build has no witness generator: the page computes the witness
    // from the compiler's constraints, which must be the build's (same Circom text).
    const direct = m.backend === "direct";
    if (direct) {
      if (wasm !== undefined) {
        throw new ZkvmError(
          "usage",
          "BAD_OPTION",
          "these artifacts are a direct build: it has no witness generator (leave wasm out)",
        );
      }
    } else if (wasm === undefined || m.files?.wasm?.sha256 !== toHex(sha256(wasm))) {
      throw new PipelineError(
        "BUILD_CORRUPT",
        wasm === undefined
          ? "this build was made with circom: its witness generator (wasm) is needed"
          : "the witness generator is not the manifest's",
      );
    }
    if (m.setup?.zkeySha256 !== toHex(sha256(zkey))) {
      throw new PipelineError("BUILD_CORRUPT", "the proving key is not the manifest's");
    }
    const vkeyProblem = verificationKeyProblem(vkey);
    if (vkeyProblem !== undefined) throw new PipelineError("BUILD_CORRUPT", vkeyProblem);
    const steps = m.steps;
    let labels: Int32Array | undefined;
    if (direct) {
      const circuit = this.circuitFor(steps);
      if (m.files?.circom?.sha256 !== toHex(sha256(new TextEncoder().encode(circuit.circom)))) {
        throw new PipelineError(
          "BUILD_CORRUPT",
          "this direct build was compiled by another version of the compiler (its circuit differs from this page's)",
        );
      }
      labels = directArtifacts(circuit).labelOfWire;
    }
    const keys: CircuitKeys = {
      programHash: this.programHash,
      steps,
      width: this.width,
      constraints: typeof m.constraints === "number" ? m.constraints : 0,
      ...(wasm !== undefined ? { wasm } : {}),
      ...(labels !== undefined ? { labels } : {}),
      zkey,
      vkey: vkey as Groth16VerificationKey,
      // The compiler's layout for this program and N is the manifest's (same compiler, same order).
      publicSignals: this.circuitFor(steps).publicSignals,
      origin: "prebuilt",
    };
    const key = this.circuitKey(steps);
    preparing.set(key, Promise.resolve(keys));
    await this.store.put(key, keys);
    return { steps };
  }

  /**
   * Proves one execution within `steps` steps. Inputs and faults are checked
   * by the interpreter first; the circuit is compiled and set up on first use.
   */
  async generateProof(inputs: Inputs, options: ProveOptions): Promise<ZKVMProof> {
    if (typeof options !== "object" || options === null || !isStepBound(options.steps)) {
      throw new ZkvmError(
        "usage",
        "BAD_OPTION",
        "generateProof needs { steps: N }, the circuit's step bound (a positive integer)",
      );
    }
    const { onProgress, steps } = options;
    const execution = this.execute(inputs, { steps });
    const keys = await this.keys(steps, onProgress);
    const { result: wtns, elapsedMs: witnessMs } = await timed(
      onProgress,
      "witness",
      "witness",
      async () => {
        const input = circuitInput(this.program.io, inputs);
        if (keys.wasm !== undefined) return computeWitness(keys.wasm, input);
        if (keys.labels === undefined) {
          throw new PipelineError("BUILD_CORRUPT", "the cached keys have no witness method");
        }
        try {
          return directWitness(this.circuitFor(steps), input, keys.labels).wtns;
        } catch (e) {
          if (!(e instanceof WitnessError)) throw e;
          throw new PipelineError("WITNESS_FAILED", `witness computation failed: ${e.message}`, {
            cause: e,
          });
        }
      },
    );
    const { result, elapsedMs: proveMs } = await timed(onProgress, "prove", "groth16 prove", () =>
      proveGroth16(keys.zkey, wtns, this.prover),
    );
    // As in the Node pipeline: a proving key that does not belong to the
    // circuit (a wrong prebuilt file) gives a proof that never verifies.
    const check = await verifyGroth16(keys.vkey, result.publicSignals, result.proof);
    if (!check.valid) {
      throw new PipelineError(
        "PROVE_FAILED",
        `the proof does not verify with the circuit's verification key (${check.reason ?? "invalid"})`,
      );
    }
    report(onProgress, { stage: "prove", message: `proved ${execution.steps} steps` });
    return {
      proof: result.proof,
      publicSignals: result.publicSignals,
      outputs: execution.outputs,
      steps: execution.steps,
      timings: { witnessMs, proveMs },
      circuit: { programHash: this.programHash, steps, width: this.width },
    };
  }

  /** Whether a proof from `generateProof` verifies; `checkProof` says why not. */
  async verifyProof(proof: ZKVMProof): Promise<boolean> {
    return (await this.checkProof(proof)).valid;
  }

  async checkProof(proof: ZKVMProof): Promise<VerifyResult> {
    const circuit = claimedCircuit(proof);
    if (circuit === undefined) return { valid: false, reason: NOT_A_PROOF };
    if (circuit.programHash !== this.programHash || circuit.width !== this.width) {
      return { valid: false, reason: "the proof is for another program or comparison width" };
    }
    let key: string;
    try {
      key = this.circuitKey(circuit.steps);
    } catch (e) {
      return { valid: false, reason: `no circuit for N = ${circuit.steps}: ${String(e)}` };
    }
    const keys = await this.store.get(key);
    if (keys === undefined) {
      return {
        valid: false,
        reason: `no verification key for N = ${circuit.steps} in this page: prove or load its artifacts first`,
      };
    }
    return verifyGroth16(keys.vkey, proof.publicSignals, proof.proof);
  }

  /** The verification key for N, once the circuit is set up or its artifacts loaded. */
  async verificationKey(steps: number): Promise<Groth16VerificationKey | undefined> {
    return (await this.store.get(this.circuitKey(steps)))?.vkey;
  }

  /** The public-signal layout for N: outputs, then public inputs, in declaration order. */
  publicSignals(steps: number): readonly PublicSignal[] {
    return this.circuitFor(steps).publicSignals;
  }

  /**
   * The Solidity verifier for N's key, rendered from snarkjs's Groth16
   * template (`verifier_groth16.sol.ejs`), which the caller supplies as text.
   */
  async exportSolidityVerifier(steps: number, groth16Template: string): Promise<string> {
    if (!isStepBound(steps)) {
      throw new ZkvmError(
        "usage",
        "BAD_OPTION",
        "exportSolidityVerifier needs N, a positive integer",
      );
    }
    const keys = await this.store.get(this.circuitKey(steps));
    if (keys === undefined) {
      throw new PipelineError("NOT_SET_UP", `no proving key for N = ${steps} in this page yet`);
    }
    return solidityVerifier(keys.vkey, groth16Template);
  }

  /** The arguments of the Solidity verifier's `verifyProof` for this proof. */
  solidityCalldata(proof: ZKVMProof): Promise<string> {
    return snarkjs.groth16.exportSolidityCallData(proof.proof, proof.publicSignals);
  }
}
