import path from "node:path";
import { readVerificationKey } from "../build/index.js";
import { exportSolidityVerifier, solidityCallArgs, solidityCalldata } from "../evm/verifier.js";
import {
  proofProblem,
  publicSignalsProblem,
  readJsonFile,
  type Groth16Proof,
} from "../pipeline/index.js";
import { parse, toJson, writeOutput, type Command } from "./common.js";
import { ZkvmError } from "../errors.js";

export const exportVerifierCommand: Command = {
  name: "export-verifier",
  summary: "write the Solidity Groth16 verifier of a build",
  help: `Usage: zkvm export-verifier DIR [-o FILE]

Writes the Groth16 verifier contract (snarkjs's template, contract
Groth16Verifier, function verifyProof(a, b, c, pubSignals) returns (bool)) for
DIR's verification key to FILE (default DIR/verifier.sol).`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: "string", short: "o" } }, 1);
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const source = await exportSolidityVerifier(await readVerificationKey(dir));
    const file = values.out ?? path.join(dir, "verifier.sol");
    await writeOutput(file, source);
    io.out(`wrote ${file}`);
    return 0;
  },
};

export const calldataCommand: Command = {
  name: "calldata",
  summary: "print a proof as verifyProof call arguments",
  help: `Usage: zkvm calldata DIR [--proof FILE] [--public FILE] [--json]

Prints the arguments of the verifier's verifyProof for proof.json and
public.json (default: both in DIR), in snarkjs's soliditycalldata form, or with
--json as {"a", "b", "c", "input"} (0x-hex words, b already in the order the
contract expects).`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { proof: { type: "string" }, public: { type: "string" }, json: { type: "boolean" } },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const proofFile = values.proof ?? path.join(dir, "proof.json");
    const publicFile = values.public ?? path.join(dir, "public.json");
    const proof = await readJsonFile<Groth16Proof>(proofFile);
    const publicSignals = await readJsonFile<string[]>(publicFile);
    // Calldata for a malformed proof would only fail later, on chain.
    for (const [problem, file] of [
      [proofProblem(proof), proofFile],
      [publicSignalsProblem(publicSignals), publicFile],
    ] as const) {
      if (problem !== undefined) {
        throw new ZkvmError("pipeline", "BAD_PROOF_FILE", problem, { path: file });
      }
    }
    try {
      io.out(
        values.json
          ? toJson(await solidityCallArgs(proof, publicSignals))
          : await solidityCalldata(proof, publicSignals),
      );
    } catch (e) {
      throw new ZkvmError(
        "pipeline",
        "BAD_PROOF_FILE",
        `cannot encode the proof: ${(e as Error).message}`,
        {
          path: proofFile,
        },
      );
    }
    return 0;
  },
};
