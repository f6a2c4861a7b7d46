/**
 * One verifier for all: the universal circuit's Solidity verifier, exported
 * once (`zkvm export-verifier`) and deployed once in an in-process EVM,
 * verifies real Groth16 proofs of several different programs; a proof whose
 * program hash is changed is rejected; the example consumer contract accepts
 * only the program whose hash it was deployed with. Also the library
 * (`ZKVM.universal`, generateProof with { circuit }, verifyProof) and
 * `zkvm prove|verify DIR --program FILE`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { compileSolidity, createChain, EvmRevertError, type Chain } from "./support/evm/evm.js";
import { VERIFIER_CONTRACT, verifyOnChain, type DeployedVerifier } from "./support/evm/onchain.js";
import { solidityCallArgs } from "../src/evm/verifier.js";
import type { UniversalCircuit } from "../src/universal/library.js";
import { ZKVM, type ZKVMProof } from "../src/zkvm.js";
import { zkvm } from "./helpers/cli.js";
import { loadExamples } from "./helpers/examples.js";
import { TEST_BOUNDS, testCacheDir, testCircuit } from "./helpers/universal.js";

const source = (name: string) => loadExamples().find((e) => e.name === name)!.source;

/** Four programs, one circuit: no inputs, a public input, two outputs, a branch. */
const PROGRAMS = [
  { name: "seed", inputs: {}, outputs: { "0": 8n } },
  { name: "power", inputs: { x: 3n, e: 2n }, outputs: { y: 9n } },
  { name: "countdown", inputs: { x: 7n, n: 2n }, outputs: { y: 14n, same: 1n } },
  { name: "max", inputs: { a: 5n, b: 9n }, outputs: { m: 9n } },
] as const;

describe("universal circuits on-chain: one verifier for every program", function () {
  let circuit: UniversalCircuit;
  let chain: Chain;
  let verifier: DeployedVerifier;
  let work: string;
  const proofs = new Map<string, ZKVMProof>();
  const gas: string[] = [];

  before(async function () {
    work = mkdtempSync(path.join(tmpdir(), "zkvm-universal-onchain-"));
    circuit = await testCircuit();
    for (const p of PROGRAMS) {
      const vm = new ZKVM(source(p.name));
      proofs.set(p.name, await vm.generateProof(p.inputs, { circuit }));
    }
    const file = path.join(work, "verifier.sol");
    const exported = await zkvm("export-verifier", circuit.dir, "-o", file);
    expect(exported.status, exported.err).to.equal(0);
    chain = await createChain();
    const contract = compileSolidity(
      { "verifier.sol": readFileSync(file, "utf8") },
      VERIFIER_CONTRACT,
    );
    const address = await chain.deploy(contract.bytecode, contract.abi);
    verifier = { chain, address, contract, source: "" };
  });

  after(async function () {
    rmSync(work, { recursive: true, force: true });
    if (gas.length > 0) console.log(`      verifyProof gas:\n${gas.join("\n")}`);
  });

  it("the library proves each program with the same circuit, and each proof verifies", async function () {
    const nPublic = 1 + TEST_BOUNDS.maxOutputs + TEST_BOUNDS.maxInputs;
    for (const p of PROGRAMS) {
      const proof = proofs.get(p.name)!;
      expect(proof.outputs, p.name).to.deep.equal(p.outputs);
      expect(proof.publicSignals, p.name).to.have.length(nPublic);
      expect(proof.publicSignals[0]).to.equal(proof.circuit.programHash);
      expect(await new ZKVM(source(p.name)).verifyProof(proof), p.name).to.equal(true);
    }
    const hashes = new Set(PROGRAMS.map((p) => proofs.get(p.name)!.circuit.programHash));
    expect(hashes.size).to.equal(PROGRAMS.length);
  });

  it("a proof of one program is not a proof of another (the hash is checked)", async function () {
    const check = await new ZKVM(source("power")).checkProof(proofs.get("countdown")!);
    expect(check.valid).to.equal(false);
    expect(check.reason).to.match(/another program/);
  });

  it("the one deployed verifier accepts the proofs of every program (gas recorded)", async function () {
    for (const p of PROGRAMS) {
      const proof = proofs.get(p.name)!;
      const r = await verifyOnChain(verifier, proof.proof, proof.publicSignals);
      expect(r.valid, p.name).to.equal(true);
      gas.push(
        `        ${p.name}: ${r.gasUsed} per transaction (${proof.publicSignals.length} public signals)`,
      );
    }
  });

  it("rejects a proof whose program hash, or any output slot, is changed", async function () {
    const proof = proofs.get("power")!;
    const other = proofs.get("max")!.publicSignals[0]!;
    const withHash = [other, ...proof.publicSignals.slice(1)];
    expect((await verifyOnChain(verifier, proof.proof, withHash)).valid).to.equal(false);
    for (let i = 1; i < proof.publicSignals.length; i++) {
      const changed = proof.publicSignals.map((s, j) =>
        j === i ? (BigInt(s) + 1n).toString() : s,
      );
      expect((await verifyOnChain(verifier, proof.proof, changed)).valid, `slot ${i}`).to.equal(
        false,
      );
    }
  });

  it("the consumer contract accepts only the program whose hash it expects", async function () {
    const nPublic = 1 + TEST_BOUNDS.maxOutputs + TEST_BOUNDS.maxInputs;
    const template = readFileSync(
      path.join(import.meta.dirname, "..", "examples", "contracts", "UniversalProgramRegistry.sol"),
      "utf8",
    );
    const consumer = compileSolidity(
      {
        "UniversalProgramRegistry.sol": template.replace(
          /^uint256 constant N_PUBLIC = \d+;$/m,
          `uint256 constant N_PUBLIC = ${nPublic};`,
        ),
      },
      "UniversalProgramRegistry",
    );
    const power = proofs.get("power")!;
    const hashed = await zkvm("hash", path.join("examples", "power.zkasm"));
    expect(hashed.out.trim()).to.equal(power.circuit.programHash);
    const registry = await chain.deploy(consumer.bytecode, consumer.abi, [
      verifier.address,
      BigInt(hashed.out.trim()),
    ]);
    const submit = async (proof: ZKVMProof) => {
      const a = await solidityCallArgs(proof.proof, proof.publicSignals);
      return chain.send(registry, consumer.abi, "submit", [a.a, a.b, a.c, a.input]);
    };
    let caught: unknown;
    try {
      await submit(proofs.get("max")!);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(EvmRevertError);
    expect((caught as EvmRevertError).errorName).to.equal("WrongProgram");
    const r = await submit(power);
    expect(r.value).to.equal(9n);
    expect(r.logs.map((l) => l.name)).to.deep.equal(["OutputProven"]);
  });

  it("zkvm prove DIR --program FILE, then verify DIR --program FILE (and with another program: invalid)", async function () {
    const out = path.join(work, "cli");
    const proved = await zkvm(
      "prove",
      circuit.dir,
      "--program",
      "examples/power.zkasm",
      "--input",
      "x=2",
      "--input",
      "e=3",
      "--out",
      out,
    );
    expect(proved.status, proved.err).to.equal(0);
    expect(proved.out).to.match(/^y = 8$/m);
    const files = [
      "--proof",
      path.join(out, "proof.json"),
      "--public",
      path.join(out, "public.json"),
    ];
    const ok = await zkvm("verify", circuit.dir, "--program", "examples/power.zkasm", ...files);
    expect(ok.status, ok.err).to.equal(0);
    expect(ok.out).to.match(/^valid: program hash \d+/);
    const wrong = await zkvm("verify", circuit.dir, "--program", "examples/sum.zkasm", ...files);
    expect(wrong.status).to.equal(1);
    expect(wrong.err).to.match(/invalid: the proof is for another program/);
  });

  it("compile --universal reuses a build for the same bounds", async function () {
    const b = TEST_BOUNDS;
    const again = await zkvm(
      "compile",
      "--universal",
      "--steps",
      String(b.steps),
      "--max-instructions",
      String(b.maxInstructions),
      "--max-cells",
      String(b.maxCells),
      "--max-stack",
      String(b.maxStack),
      "--max-inputs",
      String(b.maxInputs),
      "--max-outputs",
      String(b.maxOutputs),
      "--width",
      String(b.width),
      "-o",
      circuit.dir,
      "--json",
    );
    expect(again.status, again.err).to.equal(0);
    expect(JSON.parse(again.out)).to.deep.include({
      cached: true,
      constraints: circuit.constraints,
    });
    expect(circuit.dir.startsWith(testCacheDir())).to.equal(true);
  });
});
