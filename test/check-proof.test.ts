/**
 * checkProof/verifyProof on a proof whose circuit this cache has never built:
 * invalid with a reason, never an exception (verification needs only the
 * verification key, and there is none here for that circuit).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZKVM, type ZKVMProof } from "../src/zkvm.js";

const BODY = "LOAD x\nLOAD x\nMUL\nSTORE y\nSTOP";

describe("checkProof on a circuit this cache never built", function () {
  this.timeout(300_000);
  let work: string;
  let proof: ZKVMProof;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), "zkvm-check-"));
    const prover = new ZKVM(`.private x 0\n.output y 1\n${BODY}`, {
      cacheDir: join(work, "prover"),
    });
    proof = await prover.generateProof({ x: 3 }, { steps: 8 });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("the same bytecode with x declared public: invalid, saying it is another circuit", async () => {
    const vm = new ZKVM(`.public x 0\n.output y 1\n${BODY}`, { cacheDir: join(work, "empty") });
    const result = await vm.checkProof(proof);
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(/another circuit/);
    expect(await vm.verifyProof(proof)).to.equal(false);
  });

  it("the same program, in a cache that never built it: invalid, saying there is no key here", async () => {
    const vm = new ZKVM(`.private x 0\n.output y 1\n${BODY}`, { cacheDir: join(work, "empty") });
    const result = await vm.checkProof(proof);
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(/no verification key/);
    expect(result.reason).to.not.match(/zkvm compile/);
    expect(await vm.verifyProof(proof)).to.equal(false);
  });

  it("another step bound than any built here: invalid with a reason", async () => {
    const vm = new ZKVM(`.private x 0\n.output y 1\n${BODY}`, { cacheDir: join(work, "prover") });
    const result = await vm.checkProof({ ...proof, circuit: { ...proof.circuit, steps: 9 } });
    expect(result.valid).to.equal(false);
    expect(result.reason).to.be.a("string");
  });
});
