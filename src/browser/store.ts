/**
 * Compiled circuits and their keys, cached in the page: in memory always,
 * and in IndexedDB where the page has it, so a reload proves without
 * compiling or setting up again. A failing IndexedDB (private mode, quota,
 * a blocked upgrade) only loses the persistence, never a proof.
 */
import type { PublicSignal } from "../compiler/index.js";
import type { Groth16VerificationKey } from "./snarkjs.js";

/** Everything proving and verifying need for one circuit (program, N, W). */
export interface CircuitKeys {
  readonly programHash: string;
  readonly steps: number;
  readonly width: number;
  readonly constraints: number;
  /** circom's witness generator (a circuit of the circom backend). */
  readonly wasm?: Uint8Array;
  /** The .r1cs's wire → label map (a circuit of the direct backend: the page computes its witness). */
  readonly labels?: Int32Array;
  /** The Groth16 proving key (snarkjs .zkey). */
  readonly zkey: Uint8Array;
  readonly vkey: Groth16VerificationKey;
  /** Public signals in snarkjs order: outputs, then public inputs. */
  readonly publicSignals: readonly PublicSignal[];
  /** "development": set up in this page; "prebuilt": loaded from a server's build. */
  readonly origin: "development" | "prebuilt";
}

const DB_NAME = "zkvm";
const STORE = "circuits";

export class KeyStore {
  private readonly memory = new Map<string, CircuitKeys>();
  private db: Promise<IDBDatabase | undefined> | undefined;

  constructor(private readonly persistent: boolean) {}

  private open(): Promise<IDBDatabase | undefined> {
    this.db ??= new Promise((resolve) => {
      if (!this.persistent || typeof indexedDB === "undefined") return resolve(undefined);
      try {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(undefined);
        request.onblocked = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
    return this.db;
  }

  async get(key: string): Promise<CircuitKeys | undefined> {
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    const db = await this.open();
    if (db === undefined) return undefined;
    const stored = await new Promise<CircuitKeys | undefined>((resolve) => {
      try {
        const request = db.transaction(STORE, "readonly").objectStore(STORE).get(key);
        request.onsuccess = () => resolve(request.result as CircuitKeys | undefined);
        request.onerror = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
    if (stored !== undefined) this.memory.set(key, stored);
    return stored;
  }

  async put(key: string, keys: CircuitKeys): Promise<void> {
    this.memory.set(key, keys);
    const db = await this.open();
    if (db === undefined) return;
    await new Promise<void>((resolve) => {
      try {
        const tx = db.transaction(STORE, "readwrite");
        tx.objectStore(STORE).put(keys, key);
        tx.oncomplete = () => resolve();
        tx.onerror = () => resolve();
        tx.onabort = () => resolve();
      } catch {
        resolve();
      }
    });
  }
}
