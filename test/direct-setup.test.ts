/**
 * The direct development setup (src/groth16) checked independently of
 * "a proof verified":
 * - for secrets known to the test, its key is byte for byte the key snarkjs
 *   builds through its own route (powers of tau with a beacon contribution,
 *   `zkey new`, a beacon contribution for δ) from the same τ, α, β, δ and
 *   γ = 1 — every section but the hash/contributions one;
 * - a key from random secrets satisfies the pairing relations any Groth16
 *   key must (B1/B2, β, δ, e(α, β)), proves and verifies with snarkjs,
 *   rejects a tampered signal, agrees with `zkey export verificationkey`,
 *   takes a `zkey contribute` on top, and its exported Solidity verifier
 *   accepts its proofs in the EVM;
 * - bad input is a typed error that leaves no file behind.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { ChaCha } from "ffjavascript";

import { compileSolidity, createChain } from "./support/evm/evm.js";
import { VERIFIER_CONTRACT } from "./support/evm/onchain.js";
import { exportSolidityVerifier, solidityCallArgs } from "../src/evm/verifier.js";
import { directSetup, type Groth16VerificationKey } from "../src/groth16/index.js";
import { directSetupFiles } from "../src/groth16/node.js";
import { compileCircom, type CompileCircomResult } from "../src/pipeline/circom.js";
import {
  collectingLogger,
  loadSnarkjs,
  type Groth16Proof,
  type Snarkjs,
} from "../src/pipeline/snarkjs.js";

/** Two public inputs, one output, coefficients other than ±1, a private input. */
const CIRCUIT = `pragma circom 2.0.0;
template Direct() {
    signal input a;
    signal input b;
    signal input x;
    signal output y;
    signal t1;
    signal t2;
    signal t3;
    t1 <== x * x;
    t2 <== t1 * (3 * a + 7);
    t3 <== (t2 + 5 * b) * (x - 2);
    y <== t3 * t3 + 11 * t1 + a;
}
component main { public [a, b] } = Direct();
`;
const INPUT = { a: 2, b: 3, x: 4 };

/** The parts of snarkjs and its curve that these checks use beyond src/pipeline/snarkjs.ts. */
interface SnarkjsExtras {
  groth16: {
    fullProve(
      input: unknown,
      wasm: string,
      zkey: string,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
  };
  powersOfTau: {
    beacon(old: string, out: string, name: string, hash: string, exp: number): Promise<unknown>;
  };
  zKey: {
    beacon(old: string, out: string, name: string, hash: string, exp: number): Promise<unknown>;
  };
}
interface TestCurve {
  Fr: { fromRng(rng: ChaCha): Uint8Array; toObject(a: Uint8Array): bigint };
  G1: { g: Uint8Array; F: { n8: number } };
  G2: { g: Uint8Array; F: { n8: number } };
  pairingEq(...points: Uint8Array[]): Promise<boolean>;
  pairing(a: Uint8Array, b: Uint8Array): Uint8Array;
  Gt: { toObject(a: Uint8Array): unknown };
}

/** Sections of an iden3 binary file, by id. */
function sections(bytes: Uint8Array): Map<number, Uint8Array> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, Uint8Array>();
  let p = 12;
  for (let i = 0; i < dv.getUint32(8, true); i++) {
    const id = dv.getUint32(p, true);
    const size = Number(dv.getBigUint64(p + 4, true));
    out.set(id, bytes.subarray(p + 12, p + 12 + size));
    p += 12 + size;
  }
  expect(p).to.equal(bytes.byteLength);
  return out;
}

/** The secrets a snarkjs beacon draws: ChaCha seeded by sha256 iterated 2^exp times on the beacon hash. */
function beaconSecrets(curve: TestCurve, beaconHex: string, exp: number, count: number): bigint[] {
  let h: Buffer = Buffer.from(beaconHex, "hex");
  for (let i = 0; i < 2 ** exp; i++) h = createHash("sha256").update(h).digest();
  const rng = new ChaCha(Array.from({ length: 8 }, (_, i) => h.readUInt32BE(4 * i)));
  return Array.from({ length: count }, () => curve.Fr.toObject(curve.Fr.fromRng(rng)));
}

async function directKey(
  r1cs: Uint8Array,
  options: Parameters<typeof directSetup>[2] = {},
): Promise<{ zkey: Uint8Array; vkey: Groth16VerificationKey }> {
  const chunks: Uint8Array[] = [];
  const { vkey } = await directSetup(r1cs, { write: (c) => void chunks.push(c.slice()) }, options);
  return { zkey: Buffer.concat(chunks), vkey };
}

describe("direct setup (src/groth16)", function () {
  this.timeout(300_000);
  let dir: string;
  let circuit: CompileCircomResult;
  let r1cs: Uint8Array;
  let snarkjs: Snarkjs;
  let extras: SnarkjsExtras;
  let curve: TestCurve;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "zkvm-direct-setup-"));
    writeFileSync(path.join(dir, "direct.circom"), CIRCUIT);
    circuit = await compileCircom({
      circomFile: path.join(dir, "direct.circom"),
      outDir: path.join(dir, "build"),
      includePaths: [],
    });
    r1cs = readFileSync(circuit.r1csPath);
    snarkjs = await loadSnarkjs();
    extras = snarkjs as unknown as SnarkjsExtras;
    curve = (await snarkjs.curves.getCurveFromName("bn128")) as unknown as TestCurve;
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds, for the same τ, α, β, δ and γ = 1, exactly the key snarkjs builds from a ptau", async () => {
    const power = 4; // the circuit's 2^3 domain, and the 2^4 Lagrange basis its H section reads
    const p0 = path.join(dir, "p0.ptau");
    const p1 = path.join(dir, "p1.ptau");
    const p2 = path.join(dir, "p2.ptau");
    const z0 = path.join(dir, "z0.zkey");
    const z1 = path.join(dir, "z1.zkey");
    const tauBeacon = "0123456789abcdef0123456789abcdef";
    const deltaBeacon = "fedcba9876543210fedcba9876543210";
    await snarkjs.powersOfTau.newAccumulator(
      curve as unknown as Parameters<Snarkjs["powersOfTau"]["newAccumulator"]>[0],
      power,
      p0,
    );
    await extras.powersOfTau.beacon(p0, p1, "tau", tauBeacon, 10);
    await snarkjs.powersOfTau.preparePhase2(p1, p2);
    const logger = collectingLogger();
    await snarkjs.zKey.newZKey(circuit.r1csPath, p2, z0, logger);
    expect(logger.errors).to.deep.equal([]);
    await extras.zKey.beacon(z0, z1, "delta", deltaBeacon, 10);

    const [tau, alpha, beta] = beaconSecrets(curve, tauBeacon, 10, 3) as [bigint, bigint, bigint];
    const [delta] = beaconSecrets(curve, deltaBeacon, 10, 1) as [bigint];
    const theirs = sections(readFileSync(z1));
    for (const workers of [false, true]) {
      const direct = await directKey(r1cs, {
        testOnlySecrets: { tau, alpha, beta, gamma: 1n, delta },
        workers,
      });
      const ours = sections(direct.zkey);
      expect([...ours.keys()].sort((x, y) => x - y)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (let id = 1; id <= 9; id++) {
        expect(
          Buffer.from(ours.get(id) ?? []).equals(Buffer.from(theirs.get(id) ?? [])),
          `section ${id} (workers: ${workers})`,
        ).to.equal(true);
      }
      expect(direct.vkey).to.deep.equal(await snarkjs.zKey.exportVerificationKey(z1));
    }
  });

  describe("a key from random secrets", () => {
    let zkeyPath: string;
    let vkey: Groth16VerificationKey;
    let key: Map<number, Uint8Array>;

    before(async () => {
      zkeyPath = path.join(dir, "random.zkey");
      ({ vkey } = await directSetupFiles(circuit.r1csPath, zkeyPath, { workers: true }));
      key = sections(readFileSync(zkeyPath));
    });

    it("satisfies the pairing relations of a Groth16 key", async () => {
      const g1 = curve.G1.F.n8 * 2;
      const g2 = curve.G2.F.n8 * 2;
      const header = key.get(2) as Uint8Array;
      const pts = header.subarray(84);
      const alpha1 = pts.subarray(0, g1);
      const beta1 = pts.subarray(g1, 2 * g1);
      const beta2 = pts.subarray(2 * g1, 2 * g1 + g2);
      const delta1 = pts.subarray(2 * g1 + 2 * g2, 3 * g1 + 2 * g2);
      const delta2 = pts.subarray(3 * g1 + 2 * g2, 3 * g1 + 3 * g2);
      const neg = (p: Uint8Array): Uint8Array =>
        (curve.G1 as unknown as { neg(p: Uint8Array): Uint8Array }).neg(p);
      // e(β·G1, G2) = e(G1, β·G2), e(δ·G1, G2) = e(G1, δ·G2)
      expect(await curve.pairingEq(beta1, curve.G2.g, neg(curve.G1.g), beta2)).to.equal(true);
      expect(await curve.pairingEq(delta1, curve.G2.g, neg(curve.G1.g), delta2)).to.equal(true);
      // and not for a different pair (the check can fail)
      expect(await curve.pairingEq(beta1, curve.G2.g, neg(curve.G1.g), delta2)).to.equal(false);
      // v_i·G1 and v_i·G2 carry the same v_i, for every wire
      const b1 = key.get(6) as Uint8Array;
      const b2 = key.get(7) as Uint8Array;
      const nVars = b1.byteLength / g1;
      expect(nVars).to.equal(circuit.r1cs.nWires);
      for (let i = 0; i < nVars; i++) {
        const p1 = b1.subarray(i * g1, (i + 1) * g1);
        const p2 = b2.subarray(i * g2, (i + 1) * g2);
        // v_i = 0 (a wire absent from B) is the point at infinity, all zeros, in both sections
        const zero1 = p1.every((x) => x === 0);
        expect(
          p2.every((x) => x === 0),
          `wire ${i}`,
        ).to.equal(zero1);
        if (zero1) continue;
        expect(await curve.pairingEq(p1, curve.G2.g, neg(curve.G1.g), p2), `wire ${i}`).to.equal(
          true,
        );
      }
      const decimal = (x: unknown): unknown =>
        JSON.parse(JSON.stringify(x, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
      expect(vkey.vk_alphabeta_12).to.deep.equal(
        decimal(curve.Gt.toObject(curve.pairing(alpha1, beta2))),
      );
    });

    it("agrees with snarkjs's export of its verification key", async () => {
      expect(vkey).to.deep.equal(await snarkjs.zKey.exportVerificationKey(zkeyPath));
    });

    it("proves and verifies with snarkjs; a tampered public signal fails", async () => {
      const { proof, publicSignals } = await extras.groth16.fullProve(
        INPUT,
        circuit.wasmPath,
        zkeyPath,
      );
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(true);
      const tampered = [...publicSignals];
      tampered[1] = String(BigInt(tampered[1] as string) + 1n);
      expect(await snarkjs.groth16.verify(vkey, tampered, proof)).to.equal(false);
    });

    it("takes a snarkjs zkey contribute on top, which then proves and verifies", async () => {
      const next = path.join(dir, "contributed.zkey");
      await snarkjs.zKey.contribute(zkeyPath, next, "second party", "some entropy");
      const vk2 = await snarkjs.zKey.exportVerificationKey(next);
      expect(vk2.vk_delta_2).to.not.deep.equal(vkey.vk_delta_2);
      const { proof, publicSignals } = await extras.groth16.fullProve(
        INPUT,
        circuit.wasmPath,
        next,
      );
      expect(await snarkjs.groth16.verify(vk2, publicSignals, proof)).to.equal(true);
      // δ changed: the first key's verifier no longer accepts the new key's proofs
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(false);
    });

    it("has a Solidity verifier (zkey export solidityverifier) that accepts its proofs", async () => {
      const source = await exportSolidityVerifier(zkeyPath);
      expect(source).to.equal(await exportSolidityVerifier(vkey));
      const contract = compileSolidity({ "verifier.sol": source }, VERIFIER_CONTRACT);
      const chain = await createChain();
      const address = await chain.deploy(contract.bytecode, contract.abi);
      const { proof, publicSignals } = await extras.groth16.fullProve(
        INPUT,
        circuit.wasmPath,
        zkeyPath,
      );
      const call = async (signals: string[]): Promise<unknown> => {
        const args = await solidityCallArgs(proof, signals);
        const r = await chain.call(address, contract.abi, "verifyProof", [
          args.a,
          args.b,
          args.c,
          args.input,
        ]);
        return r.value;
      };
      expect(await call(publicSignals)).to.equal(true);
      expect(await call([publicSignals[0] as string, "99", publicSignals[2] as string])).to.equal(
        false,
      );
    });
  });

  it("draws fresh secrets on every run", async () => {
    const a = await directKey(r1cs);
    const b = await directKey(r1cs);
    expect(a.vkey.vk_alpha_1).to.not.deep.equal(b.vkey.vk_alpha_1);
    expect(a.vkey.vk_delta_2).to.not.deep.equal(b.vkey.vk_delta_2);
  });

  it("takes its secrets from the random source it is given", async () => {
    const seeded = (): ((n: number) => Uint8Array) => {
      let counter = 0;
      return (n) => createHash("sha512").update(`seed ${counter++}`).digest().subarray(0, n);
    };
    const a = await directKey(r1cs, { random: seeded() });
    const b = await directKey(r1cs, { random: seeded() });
    expect(Buffer.from(a.zkey).equals(Buffer.from(b.zkey))).to.equal(true);
    const err = await directKey(r1cs, { random: (n) => new Uint8Array(n) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property("code", "SETUP_FAILED");
  });

  it("removes the half-written key of a setup whose process died", async () => {
    const out = path.join(dir, "swept");
    mkdirSync(out, { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const orphan = path.join(out, `.k.zkey.tmp-${dead}-0123456789ab.zkey`);
    writeFileSync(orphan, "half a key");
    await directSetupFiles(circuit.r1csPath, path.join(out, "k.zkey"));
    expect(readdirSync(out)).to.deep.equal(["k.zkey"]);
  });

  it("rejects a malformed .r1cs with R1CS_INVALID, leaving a previous key untouched and no temporary file", async () => {
    const out = path.join(dir, "bad");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const zkeyPath = path.join(out, "k.zkey");
    writeFileSync(zkeyPath, "previous key");
    for (const bytes of [r1cs.subarray(0, r1cs.byteLength - 7), Buffer.from("not an r1cs file")]) {
      const bad = path.join(out, "bad.r1cs");
      writeFileSync(bad, bytes);
      const err = await directSetupFiles(bad, zkeyPath).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.have.property("code", "R1CS_INVALID");
      expect(readFileSync(zkeyPath, "utf8")).to.equal("previous key");
      expect(readdirSync(out).sort()).to.deep.equal(["bad.r1cs", "k.zkey"]);
    }
    expect(existsSync(path.join(out, "missing.zkey"))).to.equal(false);
  });
});
