/**
 * Runs a circom 2 witness generator (`<name>_js/<name>.wasm`) in memory and
 * returns the witness and snarkjs's `.wtns` bytes.
 *
 * circom_runtime (what snarkjs's `wtns.calculate` uses) prints the circuit's
 * `log()` lines and its assert messages with `console.log`/`console.error`;
 * capturing them meant replacing the host's console for the whole process.
 * The generator's only imports are four `runtime` functions, so this module
 * instantiates it with its own: messages go to a callback, nothing global is
 * touched. The wasm interface (circom 2's `init`, `getInputSignalSize`,
 * `setInputSignal`, shared read/write memory of `getFieldNumLen32` words,
 * `getWitness`) and the `.wtns` layout (version 2: a header section with the
 * field size, prime and witness count, then the values) are those that
 * circom_runtime's WitnessCalculatorCircom2 and snarkjs read and write.
 * No Node APIs: runs in a browser too.
 */

/** An input value: an integer (reduced into the field), or an array of them. */
export type WitnessInputValue = string | number | bigint | WitnessInputValue[];

export interface CircomWitness {
  /** Every witness value, index 0 the constant 1. */
  readonly values: bigint[];
  /** The witness in snarkjs's `.wtns` format. */
  readonly wtns: Uint8Array;
}

interface CircomExports {
  getFieldNumLen32(): number;
  getRawPrime(): void;
  readSharedRWMemory(i: number): number;
  writeSharedRWMemory(i: number, v: number): void;
  init(sanityCheck: number): void;
  getInputSignalSize(hMSB: number, hLSB: number): number;
  setInputSignal(hMSB: number, hLSB: number, i: number): void;
  getInputSize(): number;
  getWitnessSize(): number;
  getWitness(i: number): void;
  getMessageChar(): number;
}

/**
 * The part of the WebAssembly JS API used here (the project's `lib` is ES2022,
 * which does not declare it; Node and browsers both provide it).
 */
interface WebAssemblyApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: unknown } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** circom_runtime's texts for the exception codes circom's generated code raises. */
const EXCEPTIONS: Record<number, string> = {
  1: "Signal not found.",
  2: "Too many signals set.",
  3: "Signal already set.",
  4: "Assert Failed.",
  5: "Not enough memory.",
  6: "Input signal array access exceeds the size.",
};

/** The 64-bit FNV-1a hash of an input signal's name, as two 32-bit halves (circom's lookup key). */
function signalHash(name: string): [number, number] {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < name.length; i++) {
    h ^= BigInt(name.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return [Number(h >> 32n), Number(h & 0xffffffffn)];
}

function flatten(v: WitnessInputValue): Array<string | number | bigint> {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

/**
 * Computes the witness of `input` with the circom 2 generator `wasm`. A
 * failed assert, an unknown input, a wrong array size or a missing input
 * throws an Error with circom's message. `onMessage` receives each line the
 * circuit logs and each error line, as they come.
 */
export async function calculateWitness(
  wasm: Uint8Array,
  input: Readonly<Record<string, WitnessInputValue>>,
  onMessage: (line: string) => void = () => undefined,
): Promise<CircomWitness> {
  // Set once instantiated; the runtime callbacks below need the instance's exports.
  const started: { exports?: CircomExports } = {};
  const api = (): CircomExports => {
    const exports = started.exports;
    if (exports === undefined)
      throw new Error("the witness generator called back before it started");
    return exports;
  };
  const readMessage = (): string => {
    let text = "";
    for (let c = api().getMessageChar(); c !== 0; c = api().getMessageChar()) {
      text += String.fromCharCode(c);
    }
    return text;
  };
  let n32 = 0;
  const readWords = (): bigint => {
    let v = 0n;
    for (let j = n32 - 1; j >= 0; j--) v = (v << 32n) | BigInt(api().readSharedRWMemory(j) >>> 0);
    return v;
  };
  let errors = "";
  let line = "";
  const runtime = {
    exceptionHandler(code: number): never {
      throw new Error(`${EXCEPTIONS[code] ?? "Unknown error."} ${errors}`.trim());
    },
    printErrorMessage(): void {
      const message = readMessage();
      errors += `${message}\n`;
      onMessage(message.trimEnd());
    },
    // log(): its parts arrive one by one, then a lone "\n" ends the line.
    writeBufferMessage(): void {
      const message = readMessage();
      if (message === "\n") {
        onMessage(line);
        line = "";
      } else {
        line = line === "" ? message : `${line} ${message}`;
      }
    },
    showSharedRWMemory(): void {
      const value = readWords().toString();
      line = line === "" ? value : `${line} ${value}`;
    },
  };
  const { instance } = await wasmApi.instantiate(wasm, { runtime });
  const w = instance.exports as CircomExports;
  started.exports = w;

  n32 = w.getFieldNumLen32();
  w.getRawPrime();
  const prime = readWords();
  const primeWords = Array.from({ length: n32 }, (_, j) => w.readSharedRWMemory(j) >>> 0);

  w.init(0);
  let set = 0;
  for (const [name, value] of Object.entries(input)) {
    const [hMSB, hLSB] = signalHash(name);
    const values = flatten(value);
    const size = w.getInputSignalSize(hMSB, hLSB);
    if (size < 0) throw new Error(`Signal ${name} is not an input of the circuit`);
    if (values.length !== size) {
      throw new Error(
        `input signal ${name} takes ${size} value${size === 1 ? "" : "s"}, got ${values.length}`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      let x = BigInt(values[i]!) % prime;
      if (x < 0n) x += prime;
      for (let j = 0; j < n32; j++) {
        w.writeSharedRWMemory(j, Number((x >> BigInt(32 * j)) & 0xffffffffn));
      }
      w.setInputSignal(hMSB, hLSB, i);
      set++;
    }
  }
  if (set < w.getInputSize()) {
    throw new Error(`Not all inputs have been set: ${set} of ${w.getInputSize()}`);
  }

  const size = w.getWitnessSize();
  const n8 = n32 * 4;
  // "wtns", version 2, 2 sections; section 1: n8, prime, witness count; section 2: the values.
  const words = new Uint32Array(3 + 3 + 1 + n32 + 1 + 3 + size * n32);
  const bytes = new Uint8Array(words.buffer);
  bytes.set([0x77, 0x74, 0x6e, 0x73]);
  const header = [2, 2, 1, n8 + 8, 0, n8, ...primeWords, size, 2, n8 * size, 0];
  words.set(header, 1);
  let at = 1 + header.length;
  const values: bigint[] = [];
  for (let i = 0; i < size; i++) {
    w.getWitness(i);
    let v = 0n;
    for (let j = 0; j < n32; j++) {
      const word = w.readSharedRWMemory(j) >>> 0;
      words[at + j] = word;
      v |= BigInt(word) << BigInt(32 * j);
    }
    values.push(v);
    at += n32;
  }
  return { values, wtns: bytes };
}
