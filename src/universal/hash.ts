/**
 * The program hash of a canonical program (src/universal/encode.ts), computed
 * with circomlibjs's Poseidon exactly as templates/universal.circom computes
 * it with circomlib's:
 *
 *   chain(tag, xs) = h, where h = tag and, for each chunk of 14 elements of xs
 *                    (zero-padded), h = Poseidon(h, chunk)
 *   code    = chain(1, [op_0, arg_0, op_1, arg_1, ...])
 *   cells   = chain(2, [address_0 + 1, address_1 + 1, ...])
 *   outputs = chain(3, [cell_0 + 1, cell_1 + 1, ...])
 *   hash    = Poseidon(TAG, publicInputs, inputs, maxHeight,
 *                      chunks(code), code, chunks(cells), cells,
 *                      chunks(outputs), outputs)
 *
 * TAG is "zkvm-u1" read as a big-endian integer. Every element of a sequence
 * that starts a chunk is non-zero (an opcode byte, an address or cell plus
 * one), which is how the circuit, which holds a fixed number of chunks, knows
 * which of them to absorb: the hash depends on the program, not on the bounds.
 */
import type { CanonicalProgram } from "./encode.js";

export const PROGRAM_HASH_TAG = 34458103540708657n;
const CHUNK = 14;

export type Poseidon = ((inputs: bigint[]) => unknown) & { F: { toObject(x: unknown): bigint } };

const CIRCOMLIBJS: string = "circomlibjs";
let poseidon: Promise<Poseidon> | undefined;

/** circomlibjs's Poseidon, built once. */
export function loadPoseidon(): Promise<Poseidon> {
  // circomlibjs ships no types; its buildPoseidon uses a single-threaded curve
  // (no worker threads to terminate).
  poseidon ??= (import(CIRCOMLIBJS) as Promise<{ buildPoseidon(): Promise<Poseidon> }>).then((m) =>
    m.buildPoseidon(),
  );
  return poseidon;
}

/** The field-element sequences the hash absorbs. */
export function hashedSequences(program: CanonicalProgram): {
  code: bigint[];
  cells: bigint[];
  outputs: bigint[];
} {
  return {
    code: program.rows.flatMap((r) => [BigInt(r.op), r.arg]),
    cells: program.cellAddresses.map((a) => BigInt(a) + 1n),
    outputs: program.outputCells.map((c) => BigInt(c) + 1n),
  };
}

function chunks(xs: readonly bigint[]): bigint[][] {
  const out: bigint[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) {
    const chunk = xs.slice(i, i + CHUNK);
    while (chunk.length < CHUNK) chunk.push(0n);
    out.push(chunk);
  }
  return out;
}

/** The program hash, a field element. */
export async function programHash(program: CanonicalProgram): Promise<bigint> {
  const hash = await loadPoseidon();
  const h = (inputs: bigint[]) => hash.F.toObject(hash(inputs));
  const chain = (tag: bigint, xs: readonly bigint[]) => {
    const parts = chunks(xs);
    return { chunks: BigInt(parts.length), h: parts.reduce((acc, c) => h([acc, ...c]), tag) };
  };
  const seq = hashedSequences(program);
  const code = chain(1n, seq.code);
  const cells = chain(2n, seq.cells);
  const outputs = chain(3n, seq.outputs);
  return h([
    PROGRAM_HASH_TAG,
    BigInt(program.publicInputs),
    BigInt(program.inputs),
    BigInt(program.maxHeight),
    code.chunks,
    code.h,
    cells.chunks,
    cells.h,
    outputs.chunks,
    outputs.h,
  ]);
}
