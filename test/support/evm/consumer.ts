/**
 * The example consumer contract (examples/contracts/ProvenOutputRegistry.sol),
 * specialised to a program's number of public signals.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Name of the consumer contract in the generated source. */
export const CONSUMER_CONTRACT_NAME = "ProvenOutputRegistry";

/** Path of the template, resolved from this module (test/support/evm/consumer.ts). */
export const CONSUMER_TEMPLATE_PATH = fileURLToPath(
  new URL("../../../examples/contracts/ProvenOutputRegistry.sol", import.meta.url),
);

const N_PUBLIC_LINE = /^uint256 constant N_PUBLIC = \d+;$/m;

/**
 * Solidity source of `ProvenOutputRegistry` for a verifier whose `verifyProof`
 * takes `uint[nPublic]` public signals. Its constructor takes the verifier's
 * address; `submit(a, b, c, pubSignals)` stores `pubSignals[0]` for `msg.sender`
 * or reverts with `InvalidProof()`. `nPublic` must be at least 1.
 */
export function consumerContractSource(nPublic: number): string {
  if (!Number.isSafeInteger(nPublic) || nPublic < 1) {
    throw new RangeError(`consumerContractSource: nPublic must be an integer >= 1, got ${nPublic}`);
  }
  const template = readFileSync(CONSUMER_TEMPLATE_PATH, "utf8");
  if (!N_PUBLIC_LINE.test(template)) {
    throw new Error(`consumer template has no "uint256 constant N_PUBLIC = <n>;" line`);
  }
  return template.replace(N_PUBLIC_LINE, `uint256 constant N_PUBLIC = ${nPublic};`);
}
