/**
 * Universal circuits on the command line: `zkvm hash`, and `compile
 * --universal`, `setup`, `prove`, `verify`, `export-verifier` on a universal
 * build directory (main.ts routes to these through `universalCommandFor`).
 */
import path from "node:path";
import {
  DEFAULT_BOUNDS,
  compileUniversal,
  isSegmentDir,
  isUniversalDir,
  segmentBuildName,
  prepareProgram,
  proveUniversal,
  setupUniversal,
  universalBuildName,
  universalVerificationKey,
  verifyUniversal,
  type UniversalBounds,
  type UniversalManifest,
} from "../universal/index.js";
import { exportSolidityVerifier } from "../evm/verifier.js";
import { readJsonFile } from "../pipeline/index.js";
import {
  inputPairs,
  ioOptions,
  parse,
  positiveInt,
  rawIoFrom,
  readProgram,
  toJson,
  UsageError,
  writeOutput,
  writeProof,
  type Command,
} from "./common.js";
import { progressPrinter } from "./progress.js";
import { PROVER_HELP, proverOption } from "./prove.js";
import { chainExportVerifierCommand, chainProveCommand, chainVerifyCommand } from "./segments.js";

type IoValues = { private?: string[]; public?: string[]; output?: string[] };

function programFrom(file: string | undefined, values: IoValues) {
  if (file === undefined || file === "") throw new UsageError("missing --program FILE");
  return readProgram(file, rawIoFrom(values));
}

export const hashCommand: Command = {
  name: "hash",
  summary: "print a program's hash, as universal circuits prove it",
  help: `Usage: zkvm hash <file> [--json] [--private ADDR ...] [--public ADDR ...] [--output ADDR ...]

Prints the program hash a universal circuit's proof of this program carries as
its first public signal: Poseidon over the canonical encoding of the validated
program and its I/O declaration (docs/UNIVERSAL.md). It needs no
build and does not depend on any circuit's bounds.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...ioOptions, json: { type: "boolean" } }, 1);
    if (values.help) return (io.out(this.help), 0);
    const { hash, canonical } = await prepareProgram(programFrom(positionals[0], values));
    if (values.json) {
      io.out(
        toJson({
          programHash: hash.toString(),
          instructions: canonical.rows.length,
          cells: canonical.cellAddresses.length,
          maxStack: canonical.maxHeight,
          inputs: canonical.inputs,
          publicInputs: canonical.publicInputs,
          outputs: canonical.outputCells.length,
        }),
      );
    } else {
      io.out(hash.toString());
    }
    return 0;
  },
};

const boundOptions = {
  steps: { type: "string" },
  "segment-steps": { type: "string" },
  "max-instructions": { type: "string" },
  "max-cells": { type: "string" },
  "max-stack": { type: "string" },
  "max-inputs": { type: "string" },
  "max-outputs": { type: "string" },
  width: { type: "string" },
} as const;

function describeBounds(b: UniversalBounds): string {
  return `N = ${b.steps}, max-instructions ${b.maxInstructions}, max-cells ${b.maxCells}, max-stack ${b.maxStack}, max-inputs ${b.maxInputs}, max-outputs ${b.maxOutputs}, W = ${b.width}`;
}

function profileRows(m: UniversalManifest): string[] {
  const b = m.budget;
  return [
    "  per step, as the template writes it (circom --O2 removes a few):",
    `    fetch       2(I - 1)         ${String(b.fetch).padStart(6)}`,
    `    decode      11               ${String(b.decode).padStart(6)}`,
    `    memory      2M + 2           ${String(b.memory).padStart(6)}`,
    `    stack       2(S - 1) + 6     ${String(b.stack).padStart(6)}`,
    `    comparator  2W + 3nL + B + 6 ${String(b.comparator).padStart(6)}`,
    `    control     6                ${String(b.control).padStart(6)}`,
    `    total                        ${String(b.total).padStart(6)}`,
    `  in the .r1cs: ${m.constraints} (${(m.constraints / m.bounds.steps).toFixed(1)} per step over N = ${m.bounds.steps}), including the fixed cost of the program hash, the inputs and the outputs`,
  ];
}

export const universalCompileCommand: Command = {
  name: "compile",
  summary: "compile the universal circuit for bounds (zkvm compile --universal)",
  help: `Usage: zkvm compile --universal [--steps N | --segment-steps L] [--max-instructions I]
       [--max-cells M] [--max-stack S] [--max-inputs K] [--max-outputs L] [--width W] [-o DIR]
       [--profile] [--json]

Compiles one circuit that proves the execution of any valid program within the
bounds: at most I instructions, M memory cells, S stack values, K inputs and L
outputs, halting within N steps, comparisons of W-bit values. Defaults:
${describeBounds(DEFAULT_BOUNDS)}.
DIR (default circuits/universal-n<N>-i<I>-m<M>-s<S>-in<K>-out<L>-w<W>) receives
zkvm_universal.circom, .r1cs, .sym, zkvm_universal_js/zkvm_universal.wasm
and manifest.json. Then: zkvm setup DIR, zkvm prove DIR --program FILE ...

--segment-steps L compiles a segment circuit instead (docs/SEGMENTS.md): L steps
between committed states, so that a run of any length is proven as a chain of
segment proofs (default DIR circuits/segment-l<L>-...). prove then writes
DIR/chain.json and verify checks it.`,
  async run(argv, io) {
    const { values } = parse(
      argv,
      {
        ...boundOptions,
        universal: { type: "boolean" },
        out: { type: "string", short: "o" },
        profile: { type: "boolean" },
        json: { type: "boolean" },
      },
      0,
    );
    if (values.help) return (io.out(this.help), 0);
    const d = DEFAULT_BOUNDS;
    const segment = values["segment-steps"] !== undefined;
    if (segment && values.steps !== undefined) {
      throw new UsageError("--steps and --segment-steps exclude each other");
    }
    const bounds: UniversalBounds = {
      steps: segment
        ? positiveInt(values["segment-steps"], "segment-steps", d.steps)
        : positiveInt(values.steps, "steps", d.steps),
      maxInstructions: positiveInt(
        values["max-instructions"],
        "max-instructions",
        d.maxInstructions,
      ),
      maxCells: positiveInt(values["max-cells"], "max-cells", d.maxCells),
      maxStack: positiveInt(values["max-stack"], "max-stack", d.maxStack),
      maxInputs: positiveInt(values["max-inputs"], "max-inputs", d.maxInputs),
      maxOutputs: positiveInt(values["max-outputs"], "max-outputs", d.maxOutputs),
      width: positiveInt(values.width, "width", d.width),
    };
    const dir =
      values.out ??
      path.join("circuits", segment ? segmentBuildName(bounds) : universalBuildName(bounds));
    const onProgress = progressPrinter(io, values.json === true);
    const { manifest, cached } = await compileUniversal(dir, bounds, {
      ...(onProgress ? { onProgress } : {}),
      ...(segment ? { segment } : {}),
    });
    if (values.json) {
      io.out(
        toJson({
          dir,
          bounds,
          ...(segment ? { segmentSteps: bounds.steps } : {}),
          constraints: manifest.constraints,
          constraintsPerStep: manifest.constraints / bounds.steps,
          budgetPerStep: manifest.budget,
          publicSignals: manifest.nPublic,
          cached,
        }),
      );
      return 0;
    }
    io.out(`${cached ? "up to date" : "compiled"}: ${dir} — ${manifest.constraints} constraints`);
    io.out(`bounds: ${describeBounds(bounds)}${segment ? ` (N is L, the steps per segment)` : ""}`);
    io.out(
      segment
        ? `public signals: programHash, stateIn, stateOut, halted, out[${bounds.maxOutputs}], publicIn[${bounds.maxInputs}], first (${manifest.nPublic})`
        : `public signals: programHash, out[${bounds.maxOutputs}], publicIn[${bounds.maxInputs}] (${manifest.nPublic})`,
    );
    if (values.profile) for (const row of profileRows(manifest)) io.out(row);
    io.out(`next: zkvm setup ${dir}`);
    return 0;
  },
};

export const universalSetupCommand: Command = {
  name: "setup",
  summary: "Groth16 setup of a universal circuit",
  help: `Usage: zkvm setup DIR [--force] [--json]

Sets up the universal circuit in DIR with the direct development setup: the
Groth16 secrets are sampled on this machine and discarded, so whoever ran it
could forge proofs. For development only.`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { force: { type: "boolean" }, json: { type: "boolean" } },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const onProgress = progressPrinter(io, values.json === true);
    const { manifest, cached } = await setupUniversal(dir, {
      ...(values.force ? { force: true } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    if (values.json) {
      io.out(toJson({ dir, cached, ...manifest.setup }));
      return 0;
    }
    io.out(
      `${cached ? "already set up" : "set up"}: ${dir} — ${manifest.setup!.zkey}, verification_key.json`,
    );
    io.out("note: a direct development setup; do not use it for proofs others rely on");
    io.out(`next: zkvm prove ${dir} --program FILE --input name=value ...`);
    return 0;
  },
};

export const universalProveCommand: Command = {
  name: "prove",
  summary: "prove one execution of a program with a universal circuit",
  help: `Usage: zkvm prove DIR --program FILE [--input name=value ...] [--out DIR] [--json]
       [--private ADDR ...] [--public ADDR ...] [--output ADDR ...] [--prover NAME]

Checks that the program fits DIR's bounds (BOUND_EXCEEDED otherwise), runs it
in the interpreter, and proves the execution with DIR's universal circuit.
Writes proof.json and public.json (programHash, outputs, public inputs) to
--out (default DIR).

Options:
${PROVER_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        ...ioOptions,
        program: { type: "string" },
        input: { type: "string", multiple: true, short: "i" },
        out: { type: "string" },
        prover: { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const program = programFrom(values.program, values);
    const inputs = inputPairs(values.input);
    const prover = proverOption(values.prover);
    const onProgress = progressPrinter(io, values.json === true);
    const result = await proveUniversal(dir, program, inputs, {
      ...(onProgress ? { onProgress } : {}),
      ...prover,
    });
    await writeProof(io, values.out ?? dir, result, values.json === true, {
      programHash: result.programHash,
    });
    return 0;
  },
};

export const universalVerifyCommand: Command = {
  name: "verify",
  summary: "verify a universal proof as a proof about a program",
  help: `Usage: zkvm verify DIR --program FILE [--proof FILE] [--public FILE] [--json]
       [--private ADDR ...] [--public-cell ADDR ...] [--output ADDR ...]

Recomputes the program's hash, checks that it is the one the proof proves,
then verifies the proof with DIR's verification key. Prints "valid" and exits
0, or prints why not and exits 1. (--public names the public.json file here;
raw bytecode's public input cells are --public-cell.)`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        private: ioOptions.private,
        output: ioOptions.output,
        "public-cell": { type: "string", multiple: true },
        program: { type: "string" },
        proof: { type: "string" },
        public: { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const program = programFrom(values.program, {
      ...(values.private ? { private: values.private } : {}),
      ...(values["public-cell"] ? { public: values["public-cell"] } : {}),
      ...(values.output ? { output: values.output } : {}),
    });
    const proof = await readJsonFile(values.proof ?? path.join(dir, "proof.json"));
    const publicSignals = await readJsonFile(values.public ?? path.join(dir, "public.json"));
    const result = await verifyUniversal(dir, program, proof, publicSignals);
    if (values.json) {
      io.out(toJson(result));
      return result.valid ? 0 : 1;
    }
    if (result.valid) {
      const values = Object.entries(result.values ?? {}).map(([k, v]) => `, ${k} = ${v}`);
      io.out(`valid: program hash ${result.programHash}${values.join("")}`);
      return 0;
    }
    io.err(`invalid: ${result.reason ?? "the proof does not verify"}`);
    return 1;
  },
};

export const universalExportVerifierCommand: Command = {
  name: "export-verifier",
  summary: "write the Solidity verifier of a universal circuit",
  help: `Usage: zkvm export-verifier DIR [-o FILE]

Writes the Groth16 verifier of DIR's universal circuit (one contract for every
program within its bounds) to FILE (default DIR/verifier.sol).`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: "string", short: "o" } }, 1);
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const source = await exportSolidityVerifier(await universalVerificationKey(dir));
    const file = values.out ?? path.join(dir, "verifier.sol");
    await writeOutput(file, source);
    io.out(`wrote ${file}`);
    return 0;
  },
};

/**
 * The universal variant of a command, if this invocation asks for one:
 * `compile --universal`, or setup/prove/verify/export-verifier whose first
 * argument is a universal build directory.
 */
export async function universalCommandFor(
  name: string,
  argv: readonly string[],
): Promise<Command | undefined> {
  if (name === "compile") return argv.includes("--universal") ? universalCompileCommand : undefined;
  const commands: Record<string, Command> = {
    setup: universalSetupCommand,
    prove: universalProveCommand,
    verify: universalVerifyCommand,
    "export-verifier": universalExportVerifierCommand,
  };
  const command = commands[name];
  const dir = argv.find((a) => !a.startsWith("-"));
  if (command === undefined || dir === undefined) return undefined;
  if (!(await isUniversalDir(dir))) return undefined;
  if (await isSegmentDir(dir)) {
    if (name === "prove") return chainProveCommand;
    if (name === "verify") return chainVerifyCommand;
    if (name === "export-verifier") return chainExportVerifierCommand;
  }
  return command;
}
