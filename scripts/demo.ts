/**
 * `npm run demo`: the seed program end to end — run, compile, setup, prove,
 * verify in Node, then verify on-chain in an in-process EVM — printing each
 * stage with its time and the proven output.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildCircuit,
  proveCircuit,
  readVerificationKey,
  setupCircuit,
  verifyCircuit,
} from "../src/build/index.js";
import { deployVerifier, verifyOnChain } from "../test/support/evm/onchain.js";
import { terminateCurves, type Progress } from "../src/pipeline/index.js";
import { ZKVM } from "../src/zkvm.js";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SEED = "01 05 01 03 02 04 00 FF";
const STEPS = 8;
const dir = path.join(root, "circuits", "seed");

const start = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
async function stage<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  console.log(`\n== ${name}`);
  const result = await fn();
  console.log(`   ${name} took ${seconds(performance.now() - t)}`);
  return result;
}
const progress: Progress = (e) => {
  if (e.elapsedMs !== undefined)
    console.log(`   ${e.stage}: ${e.message} (${seconds(e.elapsedMs)})`);
};

try {
  console.log(`zkvm demo: the seed program ${SEED}`);
  console.log("  PUSH 5; PUSH 3; ADD; STORE 0; STOP  — leaves memory[0] = 8");
  const vm = new ZKVM(SEED);

  const execution = await stage("1. run in the interpreter", () => vm.execute());
  console.log(`   memory[0] = ${execution.outputs["0"]} after ${execution.steps} steps`);

  const { manifest } = await stage(`2. compile to Circom and R1CS (N = ${STEPS})`, () =>
    buildCircuit(vm.program, dir, { steps: STEPS, name: "seed", onProgress: progress }),
  );
  console.log(`   ${path.relative(root, dir)}/seed.circom: ${manifest.constraints} constraint(s)`);
  console.log(`   public signals: ${manifest.publicSignals.map((s) => s.name).join(", ")}`);

  const setup = await stage("3. trusted setup (direct development setup, no powers of tau)", () =>
    setupCircuit(dir, { onProgress: progress }),
  );
  const key = setup.manifest.setup;
  console.log(
    `   ${key.kind} key for a 2^${key.power} domain${setup.cached ? " (already made by an earlier run)" : ""}`,
  );
  console.log("   a one-party key is for development only: see docs/TRUST.md");

  const proof = await stage("4. prove", () => proveCircuit(dir, {}, { onProgress: progress }));
  console.log(
    `   proven output: memory[0] = ${proof.outputs["0"]}; public.json = ${JSON.stringify(proof.publicSignals)}`,
  );

  const verified = await stage("5. verify in Node", () =>
    verifyCircuit(dir, proof.proof, proof.publicSignals),
  );
  console.log(`   ${verified.valid ? "valid" : `INVALID: ${verified.reason}`}`);
  const forged = await verifyCircuit(dir, proof.proof, ["9"]);
  console.log(
    `   the same proof claiming memory[0] = 9: ${forged.valid ? "valid (!)" : "rejected"}`,
  );

  const onChain = await stage(
    "6. verify on-chain (Solidity verifier in an in-process EVM)",
    async () => {
      const verifier = await deployVerifier(await readVerificationKey(dir));
      return verifyOnChain(verifier, proof.proof, proof.publicSignals);
    },
  );
  console.log(
    `   verifyProof returned ${onChain.valid}; gas used: ${onChain.gasUsed} (execution ${onChain.executionGasUsed})`,
  );

  const ok = execution.outputs["0"] === 8n && verified.valid && !forged.valid && onChain.valid;
  console.log(`\n${ok ? "demo complete" : "demo FAILED"} in ${seconds(performance.now() - start)}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await terminateCurves();
}
