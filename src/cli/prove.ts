import path from "node:path";
import { openBuild, proveCircuit, verifyCircuit, type Manifest } from "../build/index.js";
import { readJsonFile } from "../pipeline/index.js";
import { inputPairs, parse, toJson, writeOutput, type Command } from "./common.js";
import { progressPrinter } from "./progress.js";

/** Public signals by name, in the manifest's order. */
function namedPublicSignals(
  manifest: Manifest,
  publicSignals: readonly string[],
): Record<string, string> {
  return Object.fromEntries(manifest.publicSignals.map((s, i) => [s.name, publicSignals[i] ?? ""]));
}

export const proveCommand: Command = {
  name: "prove",
  summary: "prove one execution of a compiled, set-up program",
  help: `Usage: zkvm prove DIR [--input name=value ...] [--out DIR] [--json]

Runs the program in the interpreter (a fault or too small a step bound is
reported there), computes the witness and a Groth16 proof, and writes
proof.json and public.json (snarkjs formats) into --out (default DIR).
public.json lists the outputs, then the public inputs, in declaration order.

Options:
  --input name=value   an input value (decimal, 0x-hex, or negative meaning p - v); repeatable
  --out DIR            where to write proof.json and public.json (default DIR)
  --json               print {"outputs", "publicSignals", "steps", "proof", "public"} as JSON`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        input: { type: "string", multiple: true, short: "i" },
        out: { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const inputs = inputPairs(values.input);
    const onProgress = progressPrinter(io, values.json === true);
    const result = await proveCircuit(dir, inputs, onProgress ? { onProgress } : {});
    const out = values.out ?? dir;
    const proofFile = path.join(out, "proof.json");
    const publicFile = path.join(out, "public.json");
    await writeOutput(proofFile, JSON.stringify(result.proof, null, 2) + "\n");
    await writeOutput(publicFile, JSON.stringify(result.publicSignals, null, 2) + "\n");
    const outputs = Object.fromEntries(
      Object.entries(result.outputs).map(([k, v]) => [k, v.toString()]),
    );
    if (values.json) {
      io.out(
        toJson({
          outputs,
          publicSignals: result.publicSignals,
          steps: result.steps,
          proof: proofFile,
          public: publicFile,
        }),
      );
      return 0;
    }
    for (const [name, value] of Object.entries(outputs)) io.out(`${name} = ${value}`);
    io.out(`proved an execution of ${result.steps} steps; wrote ${proofFile} and ${publicFile}`);
    return 0;
  },
};

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify a proof against a build's verification key",
  help: `Usage: zkvm verify DIR [--proof FILE] [--public FILE] [--json]

Verifies proof.json against public.json (default: both in DIR) with DIR's
verification_key.json. Prints "valid" and exits 0, or prints why the proof
does not verify and exits 1 (malformed files included).`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { proof: { type: "string" }, public: { type: "string" }, json: { type: "boolean" } },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const proof = await readJsonFile(values.proof ?? path.join(dir, "proof.json"));
    const publicSignals = await readJsonFile(values.public ?? path.join(dir, "public.json"));
    const result = await verifyCircuit(dir, proof, publicSignals);
    if (values.json) {
      const build = await openBuild(dir);
      const named =
        Array.isArray(publicSignals) && result.valid
          ? namedPublicSignals(build.manifest, publicSignals as string[])
          : undefined;
      io.out(
        toJson({
          valid: result.valid,
          ...(result.reason ? { reason: result.reason } : {}),
          ...(named ? { publicSignals: named } : {}),
        }),
      );
      return result.valid ? 0 : 1;
    }
    if (result.valid) {
      const build = await openBuild(dir);
      const named = namedPublicSignals(build.manifest, publicSignals as string[]);
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
