import { expect } from "chai";

import { ZkvmError } from "../src/errors.js";
import {
  compileSolidity,
  createChain,
  EVM_VERSION,
  SolcError,
  type Chain,
  type CompiledContract,
} from "./support/evm/evm.js";
import { loadSnarkjs } from "../src/pipeline/snarkjs.js";
import {
  exportSolidityVerifier,
  groth16TemplatePath,
  parseSolidityCalldata,
  solidityCallArgs,
  solidityCalldata,
  type SolidityCallArgs,
} from "../src/evm/verifier.js";
import { makeFixtureProof, type FixtureProof } from "./fixtures/evm/fixture.js";
import { P } from "../src/field.js";

/** BN254 scalar field (public signals must be below it) and base field (coordinates). */
const R = P;
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

const hex = (v: bigint) => `0x${v.toString(16).padStart(64, "0")}`;

function verifyArgs(args: SolidityCallArgs): unknown[] {
  return [args.a, args.b, args.c, args.input];
}

describe("evm: Groth16 Solidity verifier", function () {
  let fixture: FixtureProof;
  let source: string;
  let verifier: CompiledContract;
  let chain: Chain;
  let address: string;
  let args: SolidityCallArgs;

  before(async function () {
    const t0 = Date.now();
    fixture = await makeFixtureProof();
    const t1 = Date.now();
    source = await exportSolidityVerifier(fixture.zkeyPath);
    const t2 = Date.now();
    verifier = compileSolidity({ "Groth16Verifier.sol": source }, "Groth16Verifier");
    const t3 = Date.now();
    chain = await createChain();
    address = await chain.deploy(verifier.bytecode, verifier.abi);
    args = await solidityCallArgs(fixture.proof, fixture.publicSignals);
    console.log(
      `      fixture ${t1 - t0} ms (generated: ${fixture.generatedMs} ms), export ${t2 - t1} ms, ` +
        `solc ${t3 - t2} ms, chain+deploy ${Date.now() - t3} ms`,
    );
  });

  describe("exportSolidityVerifier", function () {
    it("uses the template shipped with snarkjs", function () {
      expect(groth16TemplatePath()).to.match(
        /node_modules[\\/]snarkjs[\\/]templates[\\/]verifier_groth16\.sol\.ejs$/,
      );
    });

    it("renders a verifier with one uint per public signal", function () {
      expect(fixture.publicSignals).to.have.length(2);
      expect(source).to.contain("contract Groth16Verifier");
      expect(source).to.contain("uint[2] calldata _pubSignals");
    });

    it("gives the same source from the zkey, the vkey object and verification_key.json", async function () {
      expect(await exportSolidityVerifier(fixture.vkey)).to.equal(source);
      expect(await exportSolidityVerifier(fixture.vkeyPath)).to.equal(source);
    });

    it("rejects something that is not a Groth16 verification key", async function () {
      let caught: unknown;
      try {
        await exportSolidityVerifier({ ...fixture.vkey, protocol: "plonk" });
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(Error);
    });
  });

  describe("solidityCalldata", function () {
    it("is snarkjs's text, parsed into a, b (G2 pairs swapped by snarkjs), c, input", async function () {
      const text = await solidityCalldata(fixture.proof, fixture.publicSignals);
      expect(parseSolidityCalldata(text)).to.deep.equal(args);
      const { pi_a, pi_b, pi_c } = fixture.proof;
      const big = (s: string | undefined) => BigInt(s ?? "x");
      expect(args.a.map(BigInt)).to.deep.equal([big(pi_a[0]), big(pi_a[1])]);
      expect(args.c.map(BigInt)).to.deep.equal([big(pi_c[0]), big(pi_c[1])]);
      expect(args.b.map((p) => p.map(BigInt))).to.deep.equal([
        [big(pi_b[0]?.[1]), big(pi_b[0]?.[0])],
        [big(pi_b[1]?.[1]), big(pi_b[1]?.[0])],
      ]);
      expect(args.input.map(BigInt)).to.deep.equal(fixture.publicSignals.map(BigInt));
    });

    it("parseSolidityCalldata rejects text that is not snarkjs calldata", function () {
      expect(() => parseSolidityCalldata("[1,2]")).to.throw(/4 arguments|not snarkjs/);
      expect(() => parseSolidityCalldata("nonsense")).to.throw(/not snarkjs/);
      expect(() => parseSolidityCalldata(`["0x1","0x2"],[],["0x1","0x2"],[]`)).to.throw(/b is/);
    });
  });

  describe("compileSolidity", function () {
    it("reports solc errors as SOLC_FAILED", function () {
      let caught: unknown;
      try {
        compileSolidity({ "Bad.sol": "contract Bad { function f( }" }, "Bad");
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(SolcError);
      expect(caught).to.be.instanceOf(ZkvmError);
      const err = caught as SolcError;
      expect(err.code).to.equal("SOLC_FAILED");
      expect(err.diagnostics.some((d) => d.severity === "error")).to.equal(true);
    });

    it("reports a missing contract as SOLC_FAILED", function () {
      expect(() => compileSolidity({ "A.sol": "contract A {}" }, "B"))
        .to.throw(SolcError)
        .with.property("code", "SOLC_FAILED");
    });

    it(`targets ${EVM_VERSION} with the optimizer, without warnings for the verifier`, function () {
      expect(verifier.warnings).to.deep.equal([]);
      expect(verifier.bytecode).to.match(/^0x[0-9a-f]+$/);
      expect(verifier.deployedBytecode.length).to.be.lessThan(verifier.bytecode.length);
    });
  });

  describe("verifyProof on the in-process EVM", function () {
    async function verify(a: SolidityCallArgs): Promise<unknown> {
      return (await chain.call(address, verifier.abi, "verifyProof", verifyArgs(a))).value;
    }

    /** Runs verifyProof; returns "true", "false" or "revert". */
    async function outcome(a: SolidityCallArgs): Promise<string> {
      try {
        return String(await verify(a));
      } catch (e) {
        if (e instanceof ZkvmError && e.code === "EVM_REVERT") return "revert";
        throw e;
      }
    }

    const withInput = (i: number, v: bigint): SolidityCallArgs => {
      const input = args.input.slice();
      input[i] = hex(v);
      return { ...args, input };
    };

    it("accepts the valid proof (and reports its gas)", async function () {
      const res = await chain.call(address, verifier.abi, "verifyProof", verifyArgs(args));
      expect(res.value).to.equal(true);
      console.log(
        `      verifyProof gas: ${res.gasUsed} per transaction, ${res.executionGasUsed} execution ` +
          `(${args.input.length} public signals, ${EVM_VERSION})`,
      );
    });

    it("agrees with snarkjs's own check of the proof", async function () {
      const snarkjs = await loadSnarkjs();
      expect(await snarkjs.groth16.verify(fixture.vkey, fixture.publicSignals, fixture.proof)).to.be
        .true;
    });

    it("rejects a changed public signal (output or input)", async function () {
      const [out, y] = args.input.map(BigInt) as [bigint, bigint];
      expect(await verify(withInput(0, out + 1n))).to.equal(false);
      expect(await verify(withInput(1, y + 1n))).to.equal(false);
      expect(await verify(withInput(1, 0n))).to.equal(false);
    });

    it("rejects a proof whose pi_a is another valid curve point (-A)", async function () {
      const a1 = BigInt(args.a[1]);
      expect(await verify({ ...args, a: [args.a[0], hex(Q - a1)] })).to.equal(false);
    });

    it("rejects a proof with a coordinate changed off the curve (false, not revert)", async function () {
      expect(await outcome({ ...args, a: [hex(BigInt(args.a[0]) + 1n), args.a[1]] })).to.equal(
        "false",
      );
      expect(await outcome({ ...args, c: [args.c[0], hex(BigInt(args.c[1]) + 1n)] })).to.equal(
        "false",
      );
      const b00 = hex(BigInt(args.b[0][0]) + 1n);
      expect(await outcome({ ...args, b: [[b00, args.b[0][1]], args.b[1]] })).to.equal("false");
    });

    it("rejects a coordinate aliased by + q (false, not revert)", async function () {
      expect(await outcome({ ...args, a: [hex(BigInt(args.a[0]) + Q), args.a[1]] })).to.equal(
        "false",
      );
    });

    it("rejects a public signal aliased by + r: returns false (checkField), does not revert", async function () {
      const [out, y] = args.input.map(BigInt) as [bigint, bigint];
      expect(out + R < 2n ** 256n).to.equal(true);
      // snarkjs's template: `checkField(v)` does `mstore(0, 0) return(0, 0x20)` for v >= r.
      expect(await outcome(withInput(0, out + R))).to.equal("false");
      expect(await outcome(withInput(1, y + R))).to.equal("false");
      expect(await outcome(withInput(1, R))).to.equal("false");
    });
  });
});
