/**
 * The on-chain check, in an in-process EVM: compile the exported verifier
 * with solc-js, deploy it, and call verifyProof with a proof's calldata.
 * Used by the demo, the benchmark and the tests (development only: it needs
 * the devDependencies solc and @ethereumjs/*); no node, no network.
 */
import type { Groth16Proof, Groth16VerificationKey } from "../../../src/pipeline/index.js";
import { compileSolidity, createChain, type Chain, type CompiledContract } from "./evm.js";
import { exportSolidityVerifier, solidityCallArgs } from "../../../src/evm/verifier.js";
import { CHAIN_VERIFIER_CONTRACT, exportChainVerifier } from "../../../src/segments/solidity.js";
import type { UniversalBounds } from "../../../src/universal/encode.js";

export const VERIFIER_CONTRACT = "Groth16Verifier";

export interface DeployedVerifier {
  readonly chain: Chain;
  readonly address: string;
  readonly contract: CompiledContract;
  readonly source: string;
}

/** Exports, compiles and deploys the verifier of a verification key on a fresh chain. */
export async function deployVerifier(
  vkey: Groth16VerificationKey,
  chain?: Chain,
): Promise<DeployedVerifier> {
  const source = await exportSolidityVerifier(vkey);
  const contract = compileSolidity({ "verifier.sol": source }, VERIFIER_CONTRACT);
  const onChain = chain ?? (await createChain());
  const address = await onChain.deploy(contract.bytecode, contract.abi);
  return { chain: onChain, address, contract, source };
}

/** Calls verifyProof; returns its result and the gas of the call. */
export async function verifyOnChain(
  verifier: DeployedVerifier,
  proof: Groth16Proof,
  publicSignals: readonly string[],
): Promise<{ valid: boolean; gasUsed: bigint; executionGasUsed: bigint }> {
  const args = await solidityCallArgs(proof, publicSignals);
  const r = await verifier.chain.call(verifier.address, verifier.contract.abi, "verifyProof", [
    args.a,
    args.b,
    args.c,
    args.input,
  ]);
  return { valid: r.value === true, gasUsed: r.gasUsed, executionGasUsed: r.executionGasUsed };
}

/** The segment chain verifier (src/segments/solidity.ts), compiled and deployed on a fresh chain. */
export async function deployChainVerifier(
  vkey: Groth16VerificationKey,
  bounds: UniversalBounds,
): Promise<DeployedVerifier> {
  const source = exportChainVerifier(vkey, bounds);
  const contract = compileSolidity({ "chain.sol": source }, CHAIN_VERIFIER_CONTRACT);
  const chain = await createChain();
  const address = await chain.deploy(contract.bytecode, contract.abi);
  return { chain, address, contract, source };
}

/** Calls verifyChain on k segments; returns its result and the gas of the call. */
export async function verifyChainOnChain(
  verifier: DeployedVerifier,
  segments: readonly { proof: Groth16Proof; publicSignals: readonly string[] }[],
  programHash: string,
): Promise<{ valid: boolean; gasUsed: bigint }> {
  const proofs: string[][] = [];
  const signals: string[][] = [];
  for (const s of segments) {
    const args = await solidityCallArgs(s.proof, s.publicSignals);
    proofs.push([...args.a, ...args.b[0], ...args.b[1], ...args.c]);
    signals.push(args.input);
  }
  const r = await verifier.chain.call(verifier.address, verifier.contract.abi, "verifyChain", [
    proofs,
    signals,
    programHash,
  ]);
  return { valid: r.value === true, gasUsed: r.gasUsed };
}
