/**
 * The part of snarkjs's browser build (build/browser.esm.js, which bundlers
 * pick through snarkjs's "browser" export condition) that zkvm uses in a page.
 * Every file is an in-memory fastfile `{ type: "mem" }`: snarkjs fills in
 * `data` when it writes one.
 */
// @ts-expect-error -- snarkjs ships no type declarations; the interface below is zkvm's typed view.
import * as snarkjsModule from "snarkjs";
import type {
  Groth16Proof,
  Groth16VerificationKey,
  SnarkjsLogger as Logger,
} from "../proofshape.js";

export type { Groth16Proof, Groth16VerificationKey };

export interface MemFile {
  type: "mem";
  data?: Uint8Array;
}

export interface BrowserSnarkjs {
  groth16: {
    prove(
      zkey: MemFile,
      witness: MemFile,
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      vkey: unknown,
      publicSignals: unknown,
      proof: unknown,
      logger?: Logger,
    ): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: readonly string[]): Promise<string>;
  };
  wtns: {
    calculate(input: unknown, wasm: MemFile, wtns: MemFile): Promise<void>;
  };
}

export const snarkjs = snarkjsModule as BrowserSnarkjs;
