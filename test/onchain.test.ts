/**
 * Verify on-chain: real zkvm proofs of example programs (compiled, set up and
 * proved with the project's own pipeline) against the Solidity verifier that
 * `zkvm export-verifier` writes, compiled with solc and deployed in an
 * in-process EVM; `zkvm calldata` output as the call's arguments; and the
 * example consumer contract storing a proven output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import type { Io } from "../src/cli/common.js";
import { main } from "../src/cli/main.js";
import { CONSUMER_CONTRACT_NAME, consumerContractSource } from "./support/evm/consumer.js";
import {
  compileSolidity,
  createChain,
  EvmRevertError,
  EVM_VERSION,
  type Chain,
} from "./support/evm/evm.js";
import { VERIFIER_CONTRACT, verifyOnChain, type DeployedVerifier } from "./support/evm/onchain.js";
import {
  exportSolidityVerifier,
  parseSolidityCalldata,
  solidityCallArgs,
  type SolidityCallArgs,
} from "../src/evm/verifier.js";
import { P } from "../src/field.js";
import { type Groth16Proof } from "../src/pipeline/index.js";
import { provenExample, type ProvenExample } from "./fixtures/evm/fixture.js";

/** BN254 base field: proof coordinates live below it. */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const hex = (v: bigint) => `0x${v.toString(16).padStart(64, "0")}`;

/** Runs `zkvm <argv>` in-process; expects exit 0 and returns stdout. */
async function zkvm(...argv: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  const status = await main(argv, io);
  expect(status, err.join("\n")).to.equal(0);
  return out.join("\n");
}

interface ProgramCase {
  readonly file: string;
  readonly steps: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly publicSignals: readonly string[];
}

/** One, two and three public signals: the seed, y = x^e (public e), y = n * x (public n). */
const PROGRAMS: readonly ProgramCase[] = [
  { file: "seed.hex", steps: 8, inputs: {}, publicSignals: ["8"] },
  { file: "power.zkasm", steps: 40, inputs: { x: "3", e: "2" }, publicSignals: ["9", "2"] },
  {
    file: "countdown.zkasm",
    steps: 40,
    inputs: { x: "7", n: "2" },
    publicSignals: ["14", "1", "2"],
  },
];

const withSignal = (signals: readonly string[], i: number, v: bigint) =>
  signals.map((s, j) => (j === i ? v.toString() : s));

describe("on-chain verification of zkvm proofs", function () {
  let work: string;
  let chain: Chain;
  const verifiers = new Map<string, DeployedVerifier>();
  const gas: string[] = [];

  before(async function () {
    work = mkdtempSync(join(tmpdir(), "zkvm-onchain-"));
    chain = await createChain();
  });

  after(async function () {
    rmSync(work, { recursive: true, force: true });
    console.log(`      verifyProof gas (${EVM_VERSION}):\n${gas.join("\n")}`);
  });

  for (const c of PROGRAMS) {
    describe(`${c.file} (${c.publicSignals.length} public signal${c.publicSignals.length === 1 ? "" : "s"})`, function () {
      let proven: ProvenExample;
      let verifier: DeployedVerifier;
      let args: SolidityCallArgs;

      /** verifyProof with explicit arguments: "true", "false" or "revert". */
      async function outcome(a: SolidityCallArgs): Promise<string> {
        try {
          const r = await chain.call(verifier.address, verifier.contract.abi, "verifyProof", [
            a.a,
            a.b,
            a.c,
            a.input,
          ]);
          return String(r.value);
        } catch (e) {
          if (e instanceof EvmRevertError) return "revert";
          throw e;
        }
      }

      before(async function () {
        proven = await provenExample(c.file, c.steps, c.inputs);
        expect(proven.publicSignals).to.deep.equal(c.publicSignals);
        const file = join(work, `${c.file}.sol`);
        expect(await zkvm("export-verifier", proven.dir, "-o", file)).to.equal(`wrote ${file}`);
        const source = readFileSync(file, "utf8");
        expect(source).to.equal(await exportSolidityVerifier(proven.vkey));
        const contract = compileSolidity({ "verifier.sol": source }, VERIFIER_CONTRACT);
        const address = await chain.deploy(contract.bytecode, contract.abi);
        verifier = { chain, address, contract, source };
        verifiers.set(c.file, verifier);
        args = await solidityCallArgs(proven.proof, proven.publicSignals);
      });

      it("accepts the valid proof (gas recorded)", async function () {
        const r = await verifyOnChain(verifier, proven.proof, proven.publicSignals);
        expect(r.valid).to.equal(true);
        gas.push(
          `        ${c.file}, ${c.publicSignals.length} public signal(s): ${r.gasUsed} per transaction, ${r.executionGasUsed} execution`,
        );
      });

      it("rejects every changed public signal", async function () {
        for (let i = 0; i < c.publicSignals.length; i++) {
          const changed = withSignal(c.publicSignals, i, BigInt(c.publicSignals[i]!) + 1n);
          const r = await verifyOnChain(verifier, proven.proof, changed);
          expect(r.valid, `public signal ${i}`).to.equal(false);
        }
      });

      it("rejects a changed proof element (false, not a revert)", async function () {
        const { pi_a, pi_b, pi_c } = proven.proof;
        const changed: Groth16Proof[] = [
          // -A: still on the curve, so only the pairing check catches it.
          { ...proven.proof, pi_a: [pi_a[0]!, (Q - BigInt(pi_a[1]!)).toString(), pi_a[2]!] },
          { ...proven.proof, pi_c: [(BigInt(pi_c[0]!) + 1n).toString(), ...pi_c.slice(1)] },
          {
            ...proven.proof,
            pi_b: [[pi_b[0]![0]!, (BigInt(pi_b[0]![1]!) + 1n).toString()], ...pi_b.slice(1)],
          },
          // C := A: a valid point, the wrong one.
          { ...proven.proof, pi_c: pi_a },
        ];
        for (const [i, proof] of changed.entries()) {
          expect(
            await outcome(await solidityCallArgs(proof, proven.publicSignals)),
            `change ${i}`,
          ).to.equal("false");
        }
      });

      it("rejects a public signal aliased by + p", async function () {
        for (let i = 0; i < args.input.length; i++) {
          const input = args.input.map((v, j) => (j === i ? hex(BigInt(v) + P) : v));
          expect(await outcome({ ...args, input }), `public signal ${i}`).to.equal("false");
        }
      });

      it("zkvm calldata, as text and as --json, gives arguments that verify", async function () {
        const proofFile = join(work, `${c.file}.proof.json`);
        const publicFile = join(work, `${c.file}.public.json`);
        writeFileSync(proofFile, JSON.stringify(proven.proof));
        writeFileSync(publicFile, JSON.stringify(proven.publicSignals));
        const files = ["--proof", proofFile, "--public", publicFile];
        const text = parseSolidityCalldata(await zkvm("calldata", proven.dir, ...files));
        const json = JSON.parse(
          await zkvm("calldata", proven.dir, ...files, "--json"),
        ) as SolidityCallArgs;
        expect(json).to.deep.equal(text);
        expect(json).to.deep.equal(args);
        expect(json.input.map((v) => BigInt(v).toString())).to.deep.equal(c.publicSignals);
        expect(await outcome(text)).to.equal("true");
        expect(await outcome(json)).to.equal("true");
      });
    });
  }

  describe("the ProvenOutputRegistry consumer contract with a real zkvm proof", function () {
    const c = PROGRAMS[2]!;
    let consumer: ReturnType<typeof compileSolidity>;
    let args: SolidityCallArgs;
    let output: bigint;

    before(async function () {
      const proven = await provenExample(c.file, c.steps, c.inputs);
      args = await solidityCallArgs(proven.proof, proven.publicSignals);
      output = proven.outputs["y"]!;
      consumer = compileSolidity(
        { "ProvenOutputRegistry.sol": consumerContractSource(proven.publicSignals.length) },
        CONSUMER_CONTRACT_NAME,
      );
    });

    const submit = (registry: string, a: SolidityCallArgs) =>
      chain.send(registry, consumer.abi, "submit", [a.a, a.b, a.c, a.input]);
    const stored = async (registry: string) => ({
      has: (await chain.call(registry, consumer.abi, "hasOutput", [chain.sender])).value,
      output: (await chain.call(registry, consumer.abi, "outputOf", [chain.sender])).value,
    });

    it("stores the proven output y = n * x = 14 of countdown.zkasm, and rejects an invalid proof", async function () {
      const verifier = verifiers.get(c.file)!;
      const registry = await chain.deploy(consumer.bytecode, consumer.abi, [verifier.address]);

      const forged = { ...args, input: [hex(output + 1n), ...args.input.slice(1)] };
      let caught: unknown;
      try {
        await submit(registry, forged);
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(EvmRevertError);
      expect((caught as EvmRevertError).errorName).to.equal("InvalidProof");
      expect(await stored(registry)).to.deep.equal({ has: false, output: 0n });

      const r = await submit(registry, args);
      expect(output).to.equal(14n);
      expect(r.value).to.equal(output);
      expect(r.logs.map((l) => l.name)).to.deep.equal(["OutputProven"]);
      expect(await stored(registry)).to.deep.equal({ has: true, output });
      console.log(`      submit gas: ${r.gasUsed} per transaction (3 public signals)`);
    });
  });
});
