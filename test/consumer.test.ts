import { readFileSync } from "node:fs";

import { expect } from "chai";

import {
  CONSUMER_CONTRACT_NAME,
  CONSUMER_TEMPLATE_PATH,
  consumerContractSource,
} from "./support/evm/consumer.js";
import {
  compileSolidity,
  createChain,
  EvmRevertError,
  type Chain,
  type CompiledContract,
} from "./support/evm/evm.js";
import {
  exportSolidityVerifier,
  solidityCallArgs,
  type SolidityCallArgs,
} from "../src/evm/verifier.js";
import { makeFixtureProof } from "./fixtures/evm/fixture.js";
import { P } from "../src/field.js";

const R = P;
const hex = (v: bigint) => `0x${v.toString(16).padStart(64, "0")}`;

function submitArgs(args: SolidityCallArgs): unknown[] {
  return [args.a, args.b, args.c, args.input];
}

async function expectRevert(p: Promise<unknown>): Promise<EvmRevertError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(EvmRevertError);
    return e as EvmRevertError;
  }
  expect.fail("expected the transaction to revert");
}

describe("evm: ProvenOutputRegistry consumer contract", function () {
  let consumer: CompiledContract;
  let chain: Chain;
  let verifierAddress: string;
  let args: SolidityCallArgs;
  let output: bigint;

  before(async function () {
    const fixture = await makeFixtureProof();
    args = await solidityCallArgs(fixture.proof, fixture.publicSignals);
    output = BigInt(fixture.publicSignals[0] ?? "x");
    const verifier = compileSolidity(
      { "Groth16Verifier.sol": await exportSolidityVerifier(fixture.zkeyPath) },
      "Groth16Verifier",
    );
    consumer = compileSolidity(
      { "ProvenOutputRegistry.sol": consumerContractSource(fixture.publicSignals.length) },
      CONSUMER_CONTRACT_NAME,
    );
    chain = await createChain();
    verifierAddress = await chain.deploy(verifier.bytecode, verifier.abi);
  });

  async function deployConsumer(): Promise<string> {
    return chain.deploy(consumer.bytecode, consumer.abi, [verifierAddress]);
  }

  async function stored(registry: string): Promise<{ has: unknown; output: unknown }> {
    const has = await chain.call(registry, consumer.abi, "hasOutput", [chain.sender]);
    const out = await chain.call(registry, consumer.abi, "outputOf", [chain.sender]);
    return { has: has.value, output: out.value };
  }

  describe("consumerContractSource", function () {
    it("is the example file itself for 2 public signals", function () {
      expect(consumerContractSource(2)).to.equal(readFileSync(CONSUMER_TEMPLATE_PATH, "utf8"));
    });

    it("sizes the public-signal array for other programs", function () {
      const src = consumerContractSource(5);
      expect(src).to.contain("uint256 constant N_PUBLIC = 5;");
      expect(src).not.to.contain("N_PUBLIC = 2;");
      const compiled = compileSolidity({ "R.sol": src }, CONSUMER_CONTRACT_NAME);
      const submit = compiled.abi as { name?: string; inputs?: { type: string }[] }[];
      const inputs = submit.find((f) => f.name === "submit")?.inputs?.map((i) => i.type);
      expect(inputs).to.deep.equal(["uint256[2]", "uint256[2][2]", "uint256[2]", "uint256[5]"]);
    });

    it("rejects a program without public signals", function () {
      expect(() => consumerContractSource(0)).to.throw(RangeError);
      expect(() => consumerContractSource(1.5)).to.throw(RangeError);
    });
  });

  it("points at the verifier given to its constructor", async function () {
    const registry = await deployConsumer();
    const res = await chain.call(registry, consumer.abi, "verifier");
    expect(String(res.value).toLowerCase()).to.equal(verifierAddress.toLowerCase());
  });

  it("stores the proven output of a valid proof and emits OutputProven", async function () {
    const registry = await deployConsumer();

    // eth_call first: returns the output but stores nothing.
    const dry = await chain.call(registry, consumer.abi, "submit", submitArgs(args));
    expect(dry.value).to.equal(output);
    expect(await stored(registry)).to.deep.equal({ has: false, output: 0n });

    const res = await chain.send(registry, consumer.abi, "submit", submitArgs(args));
    expect(res.value).to.equal(output);
    expect(await stored(registry)).to.deep.equal({ has: true, output });
    expect(res.logs.map((l) => l.name)).to.deep.equal(["OutputProven"]);
    const log = res.logs[0];
    expect(String(log?.args[0]).toLowerCase()).to.equal(chain.sender.toLowerCase());
    expect(log?.args[1]).to.equal(output);
    expect(Array.from(log?.args[2] as Iterable<bigint>)).to.deep.equal(args.input.map(BigInt));
    console.log(`      submit gas: ${res.gasUsed} per transaction`);
  });

  it("reverts with InvalidProof on an invalid proof and stores nothing", async function () {
    const registry = await deployConsumer();
    const forged = { ...args, input: [hex(output + 1n), ...args.input.slice(1)] };
    const err = await expectRevert(
      chain.send(registry, consumer.abi, "submit", submitArgs(forged)),
    );
    expect(err.code).to.equal("EVM_REVERT");
    expect(err.errorName).to.equal("InvalidProof");
    expect(await stored(registry)).to.deep.equal({ has: false, output: 0n });
  });

  it("keeps an earlier output when a later proof is invalid", async function () {
    const registry = await deployConsumer();
    await chain.send(registry, consumer.abi, "submit", submitArgs(args));
    const forged = { ...args, input: [hex(output + 1n), ...args.input.slice(1)] };
    const err = await expectRevert(
      chain.send(registry, consumer.abi, "submit", submitArgs(forged)),
    );
    expect(err.errorName).to.equal("InvalidProof");
    expect(await stored(registry)).to.deep.equal({ has: true, output });
  });

  it("reverts with InvalidProof on an output aliased by + r", async function () {
    const registry = await deployConsumer();
    const aliased = { ...args, input: [hex(output + R), ...args.input.slice(1)] };
    const err = await expectRevert(
      chain.send(registry, consumer.abi, "submit", submitArgs(aliased)),
    );
    expect(err.errorName).to.equal("InvalidProof");
    expect(await stored(registry)).to.deep.equal({ has: false, output: 0n });
  });
});
