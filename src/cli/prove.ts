import path from "node:path";
import { existsSync } from "node:fs";
import {
  bundleFiles,
  LAYOUT,
  MANIFEST,
  proveCircuit,
  readBuildVerifier,
  readVerifierBundle,
  verifyWithBundle,
  VKEY,
  type VerifierBundle,
} from "../build/index.js";
import { readJsonFile } from "../pipeline/index.js";
import {
  inputPairs,
  parse,
  toJson,
  UsageError,
  writeOutput,
  writeProof,
  type Command,
} from "./common.js";
import { progressPrinter } from "./progress.js";
import { PROVER_CHOICES, type ProverChoice } from "../groth16/prover.js";

/** `--prover NAME`: zkvm's own Groth16 prover (default) or snarkjs's. */
export function proverOption(value: string | undefined): { prover?: ProverChoice } {
  if (value === undefined) return {};
  if (!(PROVER_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`--prover must be one of ${PROVER_CHOICES.join(", ")}, got "${value}"`);
  }
  return { prover: value as ProverChoice };
}

export const PROVER_HELP = `  --prover NAME        zkvm (default: zkvm's own WebAssembly prover) or snarkjs`;
import { queueOptions, queueProver } from "./queue.js";

export const proveCommand: Command = {
  name: "prove",
  summary: "prove one execution of a compiled, set-up program",
  help: `Usage: zkvm prove DIR [--input name=value ...] [--out DIR] [--prover NAME] [--json]
       [--queue redis://HOST:PORT [--queue-name NAME] [--resume RUN]]

Runs the program in the interpreter (a fault or too small a step bound is
reported there), computes the witness and a Groth16 proof, and writes
proof.json and public.json (snarkjs formats) into --out (default DIR).
public.json lists the outputs, then the public inputs, in declaration order.

Options:
  --input name=value   an input value (decimal, 0x-hex, or negative meaning p - v); repeatable
  --out DIR            where to write proof.json and public.json (default DIR)
${PROVER_HELP}
  --json               print {"outputs", "publicSignals", "steps", "proof", "public"} as JSON
  --queue URL          prove on the Redis queue's workers ('zkvm worker DIR --queue URL' with
                       this build), not here; the witness input travels to them (docs/DISTRIBUTED.md)
  --queue-name NAME    the queue's name (default zkvm)
  --resume RUN         gather the proof of run RUN, whose 'zkvm prove --queue' stopped`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        input: { type: "string", multiple: true, short: "i" },
        out: { type: "string" },
        prover: { type: "string" },
        json: { type: "boolean" },
        ...queueOptions,
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const inputs = inputPairs(values.input);
    const prover = proverOption(values.prover);
    const onProgress = progressPrinter(io, values.json === true);
    const external = await queueProver(dir, values, onProgress);
    const result = await proveCircuit(dir, inputs, {
      ...(onProgress ? { onProgress } : {}),
      ...prover,
      ...(external ? { external } : {}),
    });
    await writeProof(io, values.out ?? dir, result, values.json === true);
    return 0;
  },
};

/** The verifier bundle a `verify` or `export-bundle` command names: a build, a bundle directory, or two files. */
async function bundleFrom(
  dir: string | undefined,
  files: { vkey?: string | undefined; layout?: string | undefined },
): Promise<VerifierBundle> {
  if (files.vkey !== undefined || files.layout !== undefined) {
    if (dir !== undefined || files.vkey === undefined || files.layout === undefined) {
      throw new UsageError("give DIR, or both --vkey FILE and --layout FILE");
    }
    return readVerifierBundle({ vkey: files.vkey, layout: files.layout });
  }
  if (dir === undefined) throw new UsageError("give DIR, or both --vkey FILE and --layout FILE");
  // A bundle directory (export-bundle's output) has layout.json and no manifest.json.
  if (!existsSync(path.join(dir, MANIFEST)) && existsSync(path.join(dir, LAYOUT))) {
    return readVerifierBundle({ vkey: path.join(dir, VKEY), layout: path.join(dir, LAYOUT) });
  }
  return readBuildVerifier(dir);
}

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify a proof with a verification key and public-signal layout",
  help: `Usage: zkvm verify DIR [--proof FILE] [--public FILE] [--json]
       zkvm verify --vkey FILE --layout FILE --proof FILE --public FILE [--json]

Verifies proof.json against public.json (default: both in DIR) with the
verification key and the public-signal layout alone. DIR is a build directory
(its verification_key.json and manifest.json are read; the proving key, wasm
and r1cs are not needed) or a bundle written by 'zkvm export-bundle'
(verification_key.json and layout.json); --vkey and --layout name those two
files directly. Prints "valid" with the named public signals and exits 0, or
prints why the proof does not verify and exits 1 (malformed files included).`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        proof: { type: "string" },
        public: { type: "string" },
        vkey: { type: "string" },
        layout: { type: "string" },
        json: { type: "boolean" },
      },
      [0, 1],
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0];
    const bundle = await bundleFrom(dir, values);
    const proofFile =
      values.proof ?? (dir !== undefined ? path.join(dir, "proof.json") : undefined);
    const publicFile =
      values.public ?? (dir !== undefined ? path.join(dir, "public.json") : undefined);
    if (proofFile === undefined || publicFile === undefined) {
      throw new UsageError("--vkey and --layout need --proof FILE and --public FILE");
    }
    const proof = await readJsonFile(proofFile);
    const publicSignals = await readJsonFile(publicFile);
    const result = await verifyWithBundle(bundle, { proof, publicSignals });
    const named = result.valid
      ? Object.fromEntries(
          bundle.layout.publicSignals.map((s, i) => [s.name, (publicSignals as string[])[i] ?? ""]),
        )
      : undefined;
    if (values.json) {
      io.out(
        toJson({
          valid: result.valid,
          ...(result.reason ? { reason: result.reason } : {}),
          ...(named ? { publicSignals: named } : {}),
        }),
      );
      return result.valid ? 0 : 1;
    }
    if (named) {
      io.out(
        `valid: ${
          Object.entries(named)
            .map(([k, v]) => `${k} = ${v}`)
            .join(", ") || "(no public signals)"
        }`,
      );
      return 0;
    }
    io.err(`invalid: ${result.reason ?? "the proof does not verify"}`);
    return 1;
  },
};

export const exportBundleCommand: Command = {
  name: "export-bundle",
  summary: "write what a verifier needs: verification key and public-signal layout",
  help: `Usage: zkvm export-bundle DIR -o OUT

Writes OUT/verification_key.json and OUT/layout.json (the public signals'
names, kinds and cells in public.json's order, the circuit's hash and the
key's hash) for the set-up build in DIR. With those two files and a proof,
anyone can run 'zkvm verify OUT --proof proof.json --public public.json'.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: "string", short: "o" } }, 1);
    if (values.help) return (io.out(this.help), 0);
    if (values.out === undefined) throw new UsageError("missing -o <out>");
    const bundle = await readBuildVerifier(positionals[0]!);
    for (const [name, text] of Object.entries(bundleFiles(bundle))) {
      await writeOutput(path.join(values.out, name), text);
    }
    io.out(`wrote ${path.join(values.out, VKEY)} and ${path.join(values.out, LAYOUT)}`);
    return 0;
  },
};
