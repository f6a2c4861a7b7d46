/**
 * Writes a snarkjs 0.7.6 Groth16 .zkey as a stream: the iden3 container
 * header (magic "zkey", u32 version 1, u32 section count) and each section as
 * (u32 id, u64 size, data). Every section's size is known before its data
 * (they follow from the circuit's sizes), so sections go straight to the sink
 * in the order they are computed, and readers find them by id.
 *
 * It also computes the key's csHash (section 10): BLAKE2b-512 over the
 * SHA-256 digests of the chunks written before section 10, in order. snarkjs
 * hashes its γ = δ = 1 initial key instead (which it can recompute from a
 * ptau); a direct key has no such initial key, so its hash binds the whole
 * key as made. `snarkjs zkey contribute` only chains it into the transcript.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { sha256 } from "@noble/hashes/sha2.js";

export type ByteSink = { write(chunk: Uint8Array): Promise<void> | void };

export const ZKEY_SECTIONS = 10;

export class ZkeyStream {
  private digests: Promise<ArrayBuffer | Uint8Array>[] = [];
  private open: { id: number; remaining: number } | undefined;
  bytesWritten = 0;

  constructor(private readonly sink: ByteSink) {}

  async header(): Promise<void> {
    const b = new Uint8Array(12);
    b.set([0x7a, 0x6b, 0x65, 0x79]); // "zkey"
    const dv = new DataView(b.buffer);
    dv.setUint32(4, 1, true);
    dv.setUint32(8, ZKEY_SECTIONS, true);
    await this.put(b);
  }

  async beginSection(id: number, size: number): Promise<void> {
    if (this.open !== undefined) throw new Error(`section ${this.open.id} is not complete`);
    const b = new Uint8Array(12);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, id, true);
    dv.setBigUint64(4, BigInt(size), true);
    await this.put(b);
    // An empty section (no private wires: C) is complete as soon as it begins.
    this.open = size > 0 ? { id, remaining: size } : undefined;
  }

  async data(chunk: Uint8Array): Promise<void> {
    if (this.open === undefined || chunk.byteLength > this.open.remaining) {
      throw new Error("data outside a section or beyond its size");
    }
    this.open.remaining -= chunk.byteLength;
    await this.put(chunk);
    if (this.open.remaining === 0) this.open = undefined;
  }

  /** The csHash of everything written so far. */
  async csHash(): Promise<Uint8Array> {
    const h = blake2b.create({ dkLen: 64 });
    for (const d of await Promise.all(this.digests)) h.update(new Uint8Array(d));
    return h.digest();
  }

  private async put(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength === 0) return;
    this.digests.push(digest(chunk));
    this.bytesWritten += chunk.byteLength;
    await this.sink.write(chunk);
  }
}

/**
 * SHA-256 of a chunk: WebCrypto's (native, off the main thread) where there is
 * one — browsers expose it only in secure contexts — else @noble/hashes'.
 * WebCrypto copies the chunk when called, so the caller may reuse it.
 */
function digest(chunk: Uint8Array): Promise<ArrayBuffer | Uint8Array> {
  const { crypto } = globalThis as {
    crypto?: { subtle?: { digest(alg: string, data: Uint8Array): Promise<ArrayBuffer> } };
  };
  const subtle = crypto?.subtle;
  if (subtle !== undefined) return subtle.digest("SHA-256", chunk);
  return Promise.resolve(sha256(chunk));
}
