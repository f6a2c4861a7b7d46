/** What every CLI command shares: argument parsing, reading programs, printing, errors. */
import { closeSync, openSync, readSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseHex } from "../bytecode.js";
import { ZkvmError } from "../errors.js";
import { parseInteger } from "../field.js";
import { assemble } from "../assembler.js";
import { rawIoLayout, type Program, type RawIoOptions } from "../program.js";
import type { ProofResult } from "../machine.js";
import { writeFileAtomic } from "../pipeline/index.js";

/** Where a command writes: injectable so tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
};

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full --help text. */
  readonly help: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** A mistake in how the command was called: exit status 2. */
export class UsageError extends ZkvmError {
  constructor(message: string) {
    super("usage", "USAGE", message);
    this.name = "UsageError";
  }
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ParseConfig<T extends Options> {
  args: string[];
  options: T & { help: { type: "boolean"; short: "h" } };
  allowPositionals: true;
  strict: true;
}

export type Parsed<T extends Options> = ReturnType<typeof parseArgs<ParseConfig<T>>>;

export function parse<T extends Options>(
  argv: string[],
  options: T,
  positionals: number | readonly [min: number, max: number],
): Parsed<T> {
  const [min, max] = typeof positionals === "number" ? [positionals, positionals] : positionals;
  const all: Options = { ...options, help: { type: "boolean", short: "h" } };
  let parsed: Parsed<T>;
  try {
    const config: ParseConfig<T> = {
      args: negativeValuesJoined(argv, all),
      options: all as T & { help: { type: "boolean"; short: "h" } },
      allowPositionals: true,
      strict: true,
    };
    parsed = parseArgs(config);
  } catch (e) {
    throw new UsageError(usageMessage(e as Error, all));
  }
  const wantsHelp = (parsed.values as { help?: boolean }).help === true;
  const got = parsed.positionals.length;
  if (!wantsHelp && (got < min || got > max)) {
    const expected = min === max ? String(min) : `${min} to ${max}`;
    throw new UsageError(`expected ${expected} argument${max === 1 ? "" : "s"}, got ${got}`);
  }
  return parsed;
}

/**
 * `--steps -5`: node:util calls a value starting with '-' ambiguous; a
 * negative number after an option that takes a value is that value (and
 * then checked as one: "--steps -5: expected a positive integer").
 */
function negativeValuesJoined(argv: readonly string[], options: Options): string[] {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (option.short !== undefined) takesValue.add(`-${option.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === "--") return [...out, ...argv.slice(i)];
    if (takesValue.has(arg) && next !== undefined && /^-[0-9]/.test(next)) {
      out.push(`${arg.startsWith("--") ? arg : longName(arg, options)}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function longName(short: string, options: Options): string {
  const name = Object.entries(options).find(([, o]) => `-${o.short}` === short)?.[0];
  return name === undefined ? short : `--${name}`;
}

/** node:util's parse errors in the CLI's words, on one line, with a suggestion for a misspelt option. */
function usageMessage(e: Error, options: Options): string {
  const quoted = /'(-[^' ]*)(?:, (--[^' ]+))?(?: <value>)?'/.exec(e.message);
  const option = quoted?.[2] ?? quoted?.[1];
  const code = (e as NodeJS.ErrnoException).code;
  if (option !== undefined && code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const guess = closestOption(option, options);
    return `unknown option ${option}${guess !== undefined ? ` (did you mean ${guess}?)` : ""}`;
  }
  if (option !== undefined && code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = option.startsWith("--") ? option : longName(option, options);
    if (/argument missing/.test(e.message)) return `${name} needs a value`;
    if (/does not take an argument/.test(e.message)) return `${name} takes no value`;
    if (/ambiguous/.test(e.message)) {
      return `${name} needs a value (a value that starts with '-' is written ${name}=-VALUE)`;
    }
  }
  // Anything else node:util says, still on one line.
  return e.message.replace(/\s*\n\s*/g, " ");
}

/** The command's option nearest to a misspelt one (at most 2 edits, or a prefix), as --name. */
function closestOption(given: string, options: Options): string | undefined {
  const word = given.replace(/^-+/, "").split("=")[0]!.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of Object.keys(options)) {
    const distance = name.startsWith(word) && word.length >= 2 ? 1 : editDistance(word, name);
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { name, distance };
  }
  return best === undefined ? undefined : `--${best.name}`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
}

/** Larger than any program worth reading; stops `/dev/zero` or a stray disk image from eating memory. */
export const MAX_INPUT_FILE_BYTES = 64 * 1024 * 1024;

export function readFile(path: string): Buffer {
  try {
    return readBounded(path);
  } catch (e) {
    if (e instanceof ZkvmError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ZkvmError(
      "input",
      code === "ENOENT" ? "FILE_NOT_FOUND" : "FILE_UNREADABLE",
      code === "ENOENT" ? `no such file` : `cannot read the file (${code ?? String(e)})`,
      { path },
    );
  }
}

/** Reads at most MAX_INPUT_FILE_BYTES (a device or pipe has no size to check first). */
function readBounded(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Unfilled: only the n bytes read are kept.
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_INPUT_FILE_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_INPUT_FILE_BYTES) {
        throw new ZkvmError(
          "input",
          "FILE_TOO_LARGE",
          `the file is larger than ${MAX_INPUT_FILE_BYTES / (1024 * 1024)} MiB`,
          { path },
        );
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** `.zkasm` is assembly, `.hex` is hex text, anything else raw bytecode. */
export function readProgram(path: string, io: RawIoOptions = {}): Program {
  const data = readFile(path);
  try {
    if (path.endsWith(".zkasm")) return assemble(data.toString("utf8"));
    let code: Uint8Array = new Uint8Array(data);
    if (path.endsWith(".hex")) {
      const parsed = parseHex(data.toString("utf8"));
      if (parsed === undefined) {
        throw new ZkvmError(
          "decode",
          "BAD_HEX",
          "the file is not hex text (an even number of hex digits)",
        );
      }
      code = parsed;
    }
    return { code, io: rawIoLayout(code, io) };
  } catch (e) {
    if (e instanceof ZkvmError && e.path === undefined) (e as { path?: string }).path = path;
    throw e;
  }
}

/** The program's name for build directories: the file name without its extension. */
export function programName(path: string): string {
  return basename(path, extname(path)).replace(/[^A-Za-z0-9_]/g, "_") || "program";
}

export function cellList(values: string[] | undefined, option: string): number[] {
  return (values ?? []).map((text) => {
    const v = parseInteger(text);
    if (v === undefined || v < 0n || v >= 1n << 32n) {
      throw new UsageError(`--${option} ${text}: not a cell address in [0, 2^32)`);
    }
    return Number(v);
  });
}

/** `--private`, `--public`, `--output` cell addresses: raw bytecode's I/O (assembly declares its own). */
export const ioOptions = {
  private: { type: "string", multiple: true },
  public: { type: "string", multiple: true },
  output: { type: "string", multiple: true },
} as const;

/** The raw-bytecode I/O cells that the `ioOptions` values name. */
export function rawIoFrom(values: {
  private?: string[] | undefined;
  public?: string[] | undefined;
  output?: string[] | undefined;
}): RawIoOptions {
  return {
    private: cellList(values.private, "private"),
    public: cellList(values.public, "public"),
    outputs: cellList(values.output, "output"),
  };
}

/** `--input name=value` pairs. */
export function inputPairs(values: string[] | undefined): Record<string, string> {
  // A Map, not `name in {}`: an input may be named `constructor` or `__proto__`.
  const inputs = new Map<string, string>();
  for (const pair of values ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--input ${pair}: expected name=value`);
    const name = pair.slice(0, eq);
    if (inputs.has(name)) throw new UsageError(`--input ${name} is given twice`);
    inputs.set(name, pair.slice(eq + 1));
  }
  return Object.fromEntries(inputs);
}

export function positiveInt(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${option} ${text}: expected a positive integer`);
  }
  return Number(text);
}

/** Writes a file atomically (see `writeFileAtomic` in the pipeline); FILE_UNWRITABLE when it cannot. */
export async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ZkvmError(
      "input",
      "FILE_UNWRITABLE",
      `cannot write the file (${code === "EISDIR" ? "it is a directory" : (code ?? String(e))})`,
      { path },
      { cause: e },
    );
  }
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/**
 * Writes proof.json and public.json into `out` and reports the proven
 * outputs: one JSON object (`extra` first), or a line per output, the
 * `extra` values, then what was written.
 */
export async function writeProof(
  io: Io,
  out: string,
  result: ProofResult,
  json: boolean,
  extra: { readonly programHash?: string } = {},
): Promise<void> {
  const proofFile = join(out, "proof.json");
  const publicFile = join(out, "public.json");
  await writeOutput(proofFile, JSON.stringify(result.proof, null, 2) + "\n");
  await writeOutput(publicFile, JSON.stringify(result.publicSignals, null, 2) + "\n");
  const outputs = Object.fromEntries(
    Object.entries(result.outputs).map(([k, v]) => [k, v.toString()]),
  );
  if (json) {
    io.out(
      toJson({
        ...extra,
        outputs,
        publicSignals: result.publicSignals,
        steps: result.steps,
        proof: proofFile,
        public: publicFile,
      }),
    );
    return;
  }
  for (const [name, value] of Object.entries(outputs)) io.out(`${name} = ${value}`);
  if (extra.programHash !== undefined) io.out(`program hash ${extra.programHash}`);
  io.out(`proved an execution of ${result.steps} steps; wrote ${proofFile} and ${publicFile}`);
}
