/**
 * Solidity compilation (solc-js, standard JSON) and a tiny in-process chain on
 * @ethereumjs/vm, for testing generated verifiers and their consumers without a node.
 *
 * solc's target EVM version and the VM's hardfork are pinned to the same fork
 * (`EVM_VERSION`), so the bytecode never uses an opcode the VM does not have.
 */

import { createRequire } from "node:module";

import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx } from "@ethereumjs/tx";
import {
  type Address,
  bytesToHex,
  createAccount,
  createAddressFromPrivateKey,
  createAddressFromString,
  hexToBytes,
} from "@ethereumjs/util";
import { createVM, runTx, type VM } from "@ethereumjs/vm";
import { Interface, type InterfaceAbi, type LogDescription, type Result } from "ethers";

import { ZkvmError } from "../../../src/errors.js";

/** The fork both solc targets and the VM runs. */
export const EVM_VERSION = "prague";
const HARDFORK = Hardfork.Prague;

// ---------------------------------------------------------------------------
// solc

export interface SolcDiagnostic {
  severity: "error" | "warning" | "info";
  type: string;
  message: string;
  formattedMessage: string;
}

/** solc reported errors, or the requested contract is not in its output (code `SOLC_FAILED`). */
export class SolcError extends ZkvmError {
  readonly diagnostics: SolcDiagnostic[];

  constructor(message: string, diagnostics: SolcDiagnostic[] = []) {
    super("compile", "SOLC_FAILED", message);
    this.name = "SolcError";
    this.diagnostics = diagnostics;
  }
}

export interface CompiledContract {
  abi: InterfaceAbi;
  /** Creation bytecode, 0x-prefixed. */
  bytecode: string;
  /** Runtime bytecode, 0x-prefixed. */
  deployedBytecode: string;
  /** Warnings solc printed for the whole compilation. */
  warnings: SolcDiagnostic[];
}

interface SolcOutput {
  errors?: SolcDiagnostic[];
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: InterfaceAbi;
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
      }
    >
  >;
}

interface Solc {
  compile(input: string, callbacks?: { import: (path: string) => { error: string } }): string;
  version(): string;
}

let solcModule: Solc | undefined;

/** solc-js, loaded on first use (loading the compiler takes about a second). */
function solc(): Solc {
  solcModule ??= createRequire(import.meta.url)("solc") as Solc;
  return solcModule;
}

/** The solc-js version string, e.g. `0.8.37+commit.f401782d.Emscripten.clang`. */
export function solcVersion(): string {
  return solc().version();
}

/**
 * Compiles `sources` (file name → source text) with the optimizer on (200 runs)
 * for `EVM_VERSION`, and returns the contract named `contractName` (`"Name"`, or
 * `"File.sol:Name"` when several files define that name). Imports resolve only
 * among `sources`. Throws `SolcError` (code `SOLC_FAILED`) on any solc error.
 */
export function compileSolidity(
  sources: Record<string, string>,
  contractName: string,
): CompiledContract {
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(
      Object.entries(sources).map(([file, content]) => [file, { content }]),
    ),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_VERSION,
      outputSelection: {
        "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
      },
    },
  };
  const output = JSON.parse(
    solc().compile(JSON.stringify(input), {
      import: (path) => ({ error: `import not found among the given sources: ${path}` }),
    }),
  ) as SolcOutput;

  const diagnostics = output.errors ?? [];
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new SolcError(
      `solc failed:\n${errors.map((e) => e.formattedMessage.trim()).join("\n")}`,
      diagnostics,
    );
  }

  const colon = contractName.lastIndexOf(":");
  const wantFile = colon >= 0 ? contractName.slice(0, colon) : undefined;
  const wantName = colon >= 0 ? contractName.slice(colon + 1) : contractName;
  const matches = Object.entries(output.contracts ?? {}).flatMap(([file, contracts]) => {
    const c = contracts[wantName];
    return c !== undefined && (wantFile === undefined || wantFile === file) ? [c] : [];
  });
  const contract = matches[0];
  if (contract === undefined || matches.length > 1) {
    throw new SolcError(
      matches.length > 1
        ? `contract ${contractName} is defined in several files; use "File.sol:${wantName}"`
        : `contract ${contractName} not found in solc output`,
      diagnostics,
    );
  }
  return {
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
    deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
    warnings: diagnostics.filter((d) => d.severity !== "error"),
  };
}

// ---------------------------------------------------------------------------
// in-process chain

/** A transaction or call reverted (or ran out of gas); code `EVM_REVERT`. */
export class EvmRevertError extends ZkvmError {
  /** Revert data, 0x-prefixed (empty for a bare `revert()` or an exceptional halt). */
  readonly data: string;
  /** The custom error or `Error(string)` decoded with the contract's ABI, if any. */
  readonly errorName: string | undefined;
  readonly errorArgs: Result | undefined;
  /** The EVM's reason: `revert`, `out of gas`, `invalid opcode`, ... */
  readonly reason: string;
  readonly gasUsed: bigint;

  constructor(reason: string, data: string, iface: Interface | undefined, gasUsed: bigint) {
    const parsed = iface !== undefined && data !== "0x" ? safeParseError(iface, data) : null;
    super(
      "pipeline",
      "EVM_REVERT",
      `EVM execution failed (${reason})${parsed ? `: ${parsed.name}(${parsed.args.join(", ")})` : ""}`,
    );
    this.name = "EvmRevertError";
    this.reason = reason;
    this.data = data;
    this.errorName = parsed?.name;
    this.errorArgs = parsed?.args;
    this.gasUsed = gasUsed;
  }
}

function safeParseError(iface: Interface, data: string) {
  try {
    return iface.parseError(data);
  } catch {
    return null;
  }
}

export interface CallResult {
  /** Decoded return values (ethers `Result`). */
  result: Result;
  /** The first return value, for the common one-value case. */
  value: unknown;
  /** Gas of the whole transaction, as a receipt reports it (includes the 21000 base and calldata). */
  gasUsed: bigint;
  /** Gas of the execution alone (excludes intrinsic gas), as a caller contract would pay. */
  executionGasUsed: bigint;
}

export interface SendResult extends CallResult {
  /** Logs the contract emitted, decoded with its ABI (undecodable logs are skipped). */
  logs: LogDescription[];
}

export interface Chain {
  readonly vm: VM;
  /** The funded account every transaction comes from. */
  readonly sender: string;
  /** Deploys `bytecode` with constructor `args`; returns the contract's address (0x, lowercase). */
  deploy(bytecode: string, abi: InterfaceAbi, args?: readonly unknown[]): Promise<string>;
  /** eth_call: runs `fn` and discards every state change. */
  call(
    address: string,
    abi: InterfaceAbi,
    fn: string,
    args?: readonly unknown[],
  ): Promise<CallResult>;
  /** Sends a transaction calling `fn`; state changes persist. */
  send(
    address: string,
    abi: InterfaceAbi,
    fn: string,
    args?: readonly unknown[],
  ): Promise<SendResult>;
}

export interface ChainOptions {
  /** Private key of the sender (32 bytes, 0x hex). Defaults to a fixed test key. */
  privateKey?: string;
  /** Gas limit of every transaction. Default 30,000,000. */
  gasLimit?: bigint;
}

const DEFAULT_PRIVATE_KEY = `0x${"11".repeat(32)}`;
const GAS_PRICE = 10n ** 9n;

/** A fresh in-memory chain (mainnet rules at `EVM_VERSION`) with one funded sender. */
export async function createChain(options: ChainOptions = {}): Promise<Chain> {
  const common = new Common({ chain: Mainnet, hardfork: HARDFORK });
  const vm = await createVM({ common });
  const privateKey = hexToBytes(normalizeHex(options.privateKey ?? DEFAULT_PRIVATE_KEY));
  const sender = createAddressFromPrivateKey(privateKey);
  const gasLimit = options.gasLimit ?? 30_000_000n;
  await vm.stateManager.putAccount(sender, createAccount({ nonce: 0n, balance: 10n ** 30n }));

  async function execute(to: Address | undefined, data: `0x${string}`, iface: Interface) {
    const account = await vm.stateManager.getAccount(sender);
    const tx = createLegacyTx(
      { nonce: account?.nonce ?? 0n, gasPrice: GAS_PRICE, gasLimit, to, data },
      { common },
    ).sign(privateKey);
    const res = await runTx(vm, { tx, skipBlockGasLimitValidation: true });
    const exec = res.execResult;
    if (exec.exceptionError !== undefined) {
      throw new EvmRevertError(
        exec.exceptionError.error,
        bytesToHex(exec.returnValue),
        iface,
        res.totalGasSpent,
      );
    }
    return { res, gasUsed: res.totalGasSpent, executionGasUsed: exec.executionGasUsed };
  }

  function decode(iface: Interface, fn: string, returnValue: Uint8Array) {
    const result = iface.decodeFunctionResult(fn, returnValue);
    return { result, value: result.length > 0 ? result[0] : undefined };
  }

  return {
    vm,
    sender: sender.toString(),

    async deploy(bytecode, abi, args = []) {
      const iface = new Interface(abi);
      const data = normalizeHex(bytecode + iface.encodeDeploy(args).slice(2));
      const { res } = await execute(undefined, data, iface);
      if (res.createdAddress === undefined) throw new Error("deploy: no contract was created");
      return res.createdAddress.toString();
    },

    async call(address, abi, fn, args = []) {
      const iface = new Interface(abi);
      const data = normalizeHex(iface.encodeFunctionData(fn, args));
      await vm.stateManager.checkpoint();
      try {
        const out = await execute(createAddressFromString(address), data, iface);
        return {
          ...decode(iface, fn, out.res.execResult.returnValue),
          gasUsed: out.gasUsed,
          executionGasUsed: out.executionGasUsed,
        };
      } finally {
        await vm.stateManager.revert();
      }
    },

    async send(address, abi, fn, args = []) {
      const iface = new Interface(abi);
      const data = normalizeHex(iface.encodeFunctionData(fn, args));
      const out = await execute(createAddressFromString(address), data, iface);
      const logs: LogDescription[] = [];
      for (const [, topics, logData] of out.res.execResult.logs ?? []) {
        const parsed = safeParseLog(iface, topics.map(bytesToHex), bytesToHex(logData));
        if (parsed) logs.push(parsed);
      }
      return {
        ...decode(iface, fn, out.res.execResult.returnValue),
        gasUsed: out.gasUsed,
        executionGasUsed: out.executionGasUsed,
        logs,
      };
    },
  };
}

function safeParseLog(iface: Interface, topics: string[], data: string) {
  try {
    return iface.parseLog({ topics, data });
  } catch {
    return null;
  }
}

function normalizeHex(hex: string): `0x${string}` {
  return hex.startsWith("0x") ? (hex as `0x${string}`) : `0x${hex}`;
}
