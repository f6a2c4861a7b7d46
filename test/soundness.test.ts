/**
 * Soundness: a malicious prover who controls the whole witness cannot make the
 * generated circuit accept what the machine (SPEC.md) would not do.
 */
import { expect } from "chai";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compile } from "../src/compiler/index.js";
import { circuitInput } from "../src/compiler/input.js";
import { RuntimeFault } from "../src/errors.js";
import { P } from "../src/field.js";
import { loadProgram } from "../src/load.js";
import {
  compileCircom,
  computeWitness,
  defaultIncludePaths,
  PipelineError,
  terminateCurves,
} from "../src/pipeline/index.js";
import { ZKVM } from "../src/zkvm.js";

let tmp: string;

before(async function () {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "zkvm-soundness-"));
});

after(async function () {
  await terminateCurves();
  await fsp.rm(tmp, { recursive: true, force: true });
});

/** circom2-compiles Circom text under the test's temporary directory; returns the .wasm path. */
async function buildWasm(name: string, circom: string): Promise<string> {
  const dir = path.join(tmp, name);
  await fsp.mkdir(dir, { recursive: true });
  const circomFile = path.join(dir, `${name}.circom`);
  await fsp.writeFile(circomFile, circom);
  const built = await compileCircom({
    circomFile,
    outDir: path.join(dir, "build"),
    includePaths: defaultIncludePaths(),
  });
  return built.wasmPath;
}

describe("soundness regressions", function () {
  // A JUMPI on the constant 0 leaves its target a candidate whose selector is
  // the constant 0. The LT there emitted Num2Bits(W) on 0 * x = 0 and recorded
  // x as range-checked "unconditionally", so the live LT on x at the same step
  // skipped its own check and reused the bits of 0: the circuit proved x < 5
  // for every x (out = 1 for x = 100) and accepted x = p - 1, which faults.
  const DEAD_TARGET = `
.private x 0
.output  y 1
        JUMP start
dead:   LOAD x
        PUSH 5
        LT
        STORE y
        STOP
start:  PUSH 0
        JUMPI dead        ; never taken: dead's selector is the constant 0
        LOAD x
        PUSH 5
        LT                ; must range-check x and compare x itself
        STORE y
        STOP
`;

  it("a range check under a constant-0 selector proves nothing about later comparisons", async function () {
    const program = loadProgram(DEAD_TARGET);
    const compiled = compile(program, { steps: 16 });
    expect(compiled.circom).to.match(/Num2Bits\(64\); range\d+\.in <== in_x;/);
    const wasm = await buildWasm("dead-target", compiled.circom);
    const vm = new ZKVM(DEAD_TARGET);
    for (const x of ["100", "3", "5", "18446744073709551615"]) {
      const w = await computeWitness(wasm, circuitInput(program.io, { x }));
      expect(w.values[1], `x = ${x}`).to.equal(vm.execute({ x }).outputs.y);
    }
    for (const x of [(1n << 64n).toString(), (P - 1n).toString()]) {
      expect(() => vm.execute({ x })).to.throw(RuntimeFault);
      const failed = await computeWitness(wasm, circuitInput(program.io, { x })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed, `x = ${x} must make the circuit unsatisfiable`).to.be.instanceOf(
        PipelineError,
      );
      expect((failed as PipelineError).code).to.equal("WITNESS_FAILED");
    }
  });
});
