/**
 * The wasm fixed-base multiplication of the direct setup (src/groth16/wasm.ts)
 * against ffjavascript's own scalar multiplication, for both groups and both
 * window widths, on scalars that stress the signed-digit recoding: zero, one,
 * r − 1, digits at ±2^(w−1) and carries running through every window.
 */
import { expect } from "chai";

import { SetupCurve } from "../src/groth16/curve.js";
import { R, writeLE } from "../src/groth16/field.js";
import type { GroupPrefix, WindowBits } from "../src/groth16/wasm.js";

function edgeScalars(w: WindowBits): bigint[] {
  const half = 1n << BigInt(w - 1);
  const full = (1n << BigInt(w)) - 1n;
  let allHalf = 0n;
  let allFull = 0n;
  let allHalfPlusOne = 0n;
  for (let k = 0; k < 256 / w; k++) {
    allHalf |= half << BigInt(k * w);
    allFull |= full << BigInt(k * w);
    allHalfPlusOne |= (half + 1n) << BigInt(k * w);
  }
  const random = [
    0x1d5b_0f2a_9c83_7e61_44a0_b3c2_d1e0_f9a8_7766_5544_3322_1100_ffee_ddcc_bbaa_9988n,
    0x2f00_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0001n,
  ];
  return [
    0n,
    1n,
    2n,
    half - 1n,
    half,
    half + 1n,
    full,
    full + 1n,
    R - 1n,
    R - 2n,
    R - half,
    allHalf % R,
    allFull % R,
    allHalfPlusOne % R,
    ...random.map((x) => x % R),
  ];
}

describe("direct setup: wasm fixed-base multiplication", function () {
  this.timeout(120_000);
  let curve: SetupCurve;

  before(async () => {
    curve = await SetupCurve.build();
  });

  after(() => {
    curve.close();
  });

  for (const group of ["g1m", "g2m"] as const satisfies readonly GroupPrefix[]) {
    for (const w of [8, 16] as const satisfies readonly WindowBits[]) {
      it(`${group === "g1m" ? "G1" : "G2"}, ${w}-bit windows: equals timesScalar on edge scalars`, async () => {
        const scalars = edgeScalars(w);
        const bytes = new Uint8Array(scalars.length * 32);
        scalars.forEach((s, i) => writeLE(bytes, i * 32, s));
        const table = await curve.table(group, w);
        const points = await curve.multiply(table, bytes.slice());
        const G = group === "g1m" ? curve.curve.G1 : curve.curve.G2;
        const size = group === "g1m" ? 64 : 128;
        scalars.forEach((s, i) => {
          const got = points.subarray(i * size, (i + 1) * size);
          const want = s === 0n ? new Uint8Array(size) : G.toAffine(G.timesScalar(G.g, s));
          expect(Buffer.from(got).equals(Buffer.from(want)), `scalar ${s.toString(16)}`).to.equal(
            true,
          );
        });
      });
    }
  }
});
