/**
 * Hostile input to every entry point, through the CLI (`main(argv, io)` in
 * process) and the library: random bytes as programs, huge immediates, 1 MB
 * programs, stacks past the limit, bad inputs and options, truncated or
 * corrupted build artifacts, proofs and powers of tau, build directories of
 * another program. Each gives its typed error and a non-zero exit status:
 * never a stack trace, never a hang, and never a half-written artifact (a
 * failed step leaves the previous good build as it was).
 */
import { createHash } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import type { Command } from "../src/cli/common.js";
import { COMMANDS } from "../src/cli/main.js";
import {
  AssemblyError,
  InputError,
  RuntimeFault,
  ValidationError,
  ZkvmError,
} from "../src/errors.js";
import { P } from "../src/field.js";
import { ZKVM } from "../src/zkvm.js";
import { compileCircom, domainPower } from "../src/pipeline/index.js";
import { loadSnarkjs } from "../src/pipeline/snarkjs.js";
import { EXAMPLES_DIR } from "./helpers/examples.js";
import { zkvm, type Outcome } from "./helpers/cli.js";

const CUBIC = join(EXAMPLES_DIR, "cubic.zkasm");
const MAX = join(EXAMPLES_DIR, "max.zkasm");

/** Progress lines (`[  1.2s] stage: ...`) that setup and prove print on stderr. */
const PROGRESS = /^\[\s*\d+\.\d+s\] /;
const STACK_FRAME = /^\s+at /m;

function errorLines(r: Outcome): string[] {
  return r.err.split("\n").filter((l) => l.trim() !== "" && !PROGRESS.test(l));
}

/** Expects exit status 1 and one stderr line `zkvm <cmd>: error <code> ...`, no stack frames. */
async function fails(code: string, ...argv: string[]): Promise<Outcome> {
  const r = await zkvm(...argv);
  const lines = errorLines(r);
  expect(r.status, r.err).to.equal(1);
  expect(lines, r.err).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^zkvm ${argv[0]}: error ${code}( at |: )`));
  expect(r.err).not.to.match(STACK_FRAME);
  return r;
}

/** Expects exit status 2 and one stderr line pointing at --help. */
async function misused(...argv: string[]): Promise<Outcome> {
  const r = await zkvm(...argv);
  const lines = errorLines(r);
  expect(r.status, r.err).to.equal(2);
  expect(lines, r.err).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^zkvm ${argv[0]}: .*\\(see 'zkvm ${argv[0]} --help'\\)$`));
  expect(r.err).not.to.match(STACK_FRAME);
  return r;
}

/** Expects `verify` to exit 1 with one line `invalid: <reason>`. */
async function invalid(...argv: string[]): Promise<string> {
  const r = await zkvm("verify", ...argv);
  const lines = errorLines(r);
  expect(r.status, r.err).to.equal(1);
  expect(lines, r.err).to.have.length(1);
  expect(lines[0]).to.match(/^invalid: \S/);
  expect(r.err).not.to.match(STACK_FRAME);
  return lines[0]!;
}

/** A ZkvmError class (the subclasses' constructors take fewer arguments). */
type ErrorClass = abstract new (...args: never[]) => ZkvmError;

/** Expects `fn` to throw a ZkvmError of class `type` with `code`. */
function throwsTyped(fn: () => unknown, type: ErrorClass, code: string): ZkvmError {
  try {
    fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(type);
    expect((e as ZkvmError).code, (e as Error).message).to.equal(code);
    return e as ZkvmError;
  }
  throw new Error(`expected ${type.name} ${code}, nothing was thrown`);
}

async function rejectsTyped(
  fn: () => Promise<unknown>,
  type: ErrorClass,
  code: string,
): Promise<ZkvmError> {
  try {
    await fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(type);
    expect((e as ZkvmError).code, (e as Error).message).to.equal(code);
    return e as ZkvmError;
  }
  throw new Error(`expected ${type.name} ${code}, nothing was thrown`);
}

/** sha256 of every file under `dir`, by relative path: "unchanged" means byte for byte. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else
        files[r] = createHash("sha256")
          .update(readFileSync(join(dir, r)))
          .digest("hex");
    }
  };
  walk("");
  return files;
}

/** Temporary files, staging directories and locks that a finished command must not leave. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter(
    (n) => n.startsWith(".") && /\.tmp|\.build-|\.circom-|\.old|\.lock/.test(n),
  );
}

/** Bytes that are mostly opcodes (and small immediates), so that random programs get past byte 0. */
const opcodeBytes = fc.array(
  fc.oneof(
    fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0xff),
    fc.integer({ min: 0, max: 255 }),
  ),
  { maxLength: 48 },
);
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  opcodeBytes.map((a) => Uint8Array.from(a)),
);

/** A PUSH whose immediate is LEB128 `bytes` long (value 2^(7(bytes-1)), minimal). */
function longPush(bytes: number): number[] {
  return [0x01, ...Array<number>(bytes - 1).fill(0x80), 0x01];
}

/** About 1 MB of valid straight-line code: PUSH 1, then PUSH 1; ADD repeated, STORE 0, STOP. */
function megabyteProgram(): Uint8Array {
  const body: number[] = [0x01, 0x01];
  while (body.length < (1 << 20) - 8) body.push(0x01, 0x01, 0x02);
  body.push(0x04, 0x00, 0xff);
  return Uint8Array.from(body);
}

/** A bound on the CPU time of work proportional to 1 MB of code (CPU, not wall: it does not grow with the load of a shared machine), far from a hang. */
const MEGABYTE_MS = 20_000;

describe("hostile input", function () {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "zkvm-hostile-"));
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
  });

  describe("programs through the CLI", function () {
    it("random bytes as a raw program: run and disasm exit 0 or 1 with one typed error line", async function () {
      const file = join(tmp, "random.bin");
      await fc.assert(
        fc.asyncProperty(anyBytes, async (bytes) => {
          writeFileSync(file, bytes);
          for (const argv of [
            ["run", file, "--steps", "1000"],
            ["disasm", file],
          ]) {
            const r = await zkvm(...argv);
            expect(r.status, r.err).to.be.oneOf([0, 1]);
            if (r.status === 1) {
              expect(errorLines(r)).to.have.length(1);
              // Where: the file (and byte offset) for a program that does not
              // validate; the step and pc for a run-time fault (06 00 is JUMP 0,
              // a valid program that never halts).
              expect(r.err).to.match(
                new RegExp(`^zkvm ${argv[0]}: error [A-Z_]+ at (${file}|step \\d+, pc \\d+:)`),
              );
            }
            expect(r.err).not.to.match(STACK_FRAME);
          }
        }),
        { numRuns: 300, examples: [[Uint8Array.from([0x06, 0x00])]] },
      );
    });

    it("random programs with one planted defect: compile exits 1 with that defect's code and offset, and writes nothing", async function () {
      const file = join(tmp, "random-compile.bin");
      const out = join(tmp, "random-build");
      // The expected code and offset come from how the bytes were made, not from the validator.
      // After k PUSHes (2 bytes each), at offset 2k:
      const defects: Array<{
        code: string;
        bytes: (k: number) => number[];
        at: (k: number) => number;
      }> = [
        { code: "UNKNOWN_OPCODE", bytes: () => [0x0b], at: (k) => 2 * k },
        { code: "UNKNOWN_OPCODE", bytes: () => [0x00, 0xff], at: (k) => 2 * k },
        { code: "TRUNCATED_IMMEDIATE", bytes: () => [0x01, 0x80], at: (k) => 2 * k },
        { code: "NON_MINIMAL_IMMEDIATE", bytes: () => [0x04, 0x80, 0x00, 0xff], at: (k) => 2 * k },
        { code: "FALLS_OFF_END", bytes: () => [0x04, 0x00], at: (k) => 2 * k },
        // k ADDs (at least one) after k PUSHes: the kth finds one value (the first none, when k = 0).
        {
          code: "STACK_UNDERFLOW",
          bytes: (k) => [...Array<number>(Math.max(k, 1)).fill(0x02), 0xff],
          at: (k) => 2 * k + Math.max(0, k - 1),
        },
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 6 }),
          fc.integer({ min: 0, max: defects.length - 1 }),
          async (pushes, which) => {
            const defect = defects[which]!;
            const k = pushes.length;
            if (defect.code === "FALLS_OFF_END") fc.pre(k > 0);
            const bytes = Uint8Array.from([
              ...pushes.flatMap((v) => [0x01, v]),
              ...defect.bytes(k),
            ]);
            writeFileSync(file, bytes);
            const r = await fails(defect.code, "compile", file, "--steps", "4", "-o", out);
            expect(errorLines(r)[0]).to.include(`offset ${defect.at(k)}`);
            expect(existsSync(out)).to.equal(false);
          },
        ),
        { numRuns: 100 },
      );
      expect(leftovers(tmp)).to.deep.equal([]);
    });

    it("random text as assembly or hex: exit 1 with a code, or it runs", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 80, unit: "binary" }),
          fc.constantFrom(".zkasm", ".hex"),
          async (text, ext) => {
            const file = join(tmp, `random${ext}`);
            writeFileSync(file, text);
            const r = await zkvm("run", file, "--steps", "1000");
            expect(r.status, r.err).to.be.oneOf([0, 1]);
            if (r.status === 1) expect(errorLines(r)).to.have.length(1);
            expect(r.err).not.to.match(STACK_FRAME);
          },
        ),
        { numRuns: 200 },
      );
    });

    it("a PUSH with a 40-byte LEB128 immediate is VALUE_OUT_OF_FIELD at offset 0", async function () {
      const file = join(tmp, "leb40.bin");
      writeFileSync(file, Uint8Array.from([...longPush(40), 0x04, 0x00, 0xff]));
      for (const cmd of ["run", "disasm"]) {
        const r = await fails("VALUE_OUT_OF_FIELD", cmd, file);
        expect(r.err).to.include("offset 0");
      }
      await fails("VALUE_OUT_OF_FIELD", "compile", file, "--steps", "3", "-o", join(tmp, "leb"));
      // The same immediate at STORE and JUMP: out of range and not an instruction start.
      writeFileSync(file, Uint8Array.from([0x01, 0x01, 0x04, ...longPush(40).slice(1), 0xff]));
      await fails("ADDRESS_OUT_OF_RANGE", "run", file);
      writeFileSync(file, Uint8Array.from([0x06, ...longPush(40).slice(1), 0xff]));
      await fails("BAD_JUMP_TARGET", "run", file);
      // Immediates that end at the end of the file are truncated, however long.
      writeFileSync(file, Uint8Array.from([0x01, ...Array<number>(30).fill(0x80)]));
      await fails("TRUNCATED_IMMEDIATE", "run", file);
    });

    it("1025 PUSHes: STACK_OVERFLOW at the 1025th, in run, compile and asm", async function () {
      const bin = join(tmp, "push1025.bin");
      writeFileSync(
        bin,
        Uint8Array.from([...Array<number[]>(1025).fill([0x01, 0x07]).flat(), 0xff]),
      );
      const r = await fails("STACK_OVERFLOW", "run", bin);
      expect(r.err).to.include(`offset ${1024 * 2}`);
      await fails("STACK_OVERFLOW", "compile", bin, "--steps", "2000", "-o", join(tmp, "ovf"));
      const asm = join(tmp, "push1025.zkasm");
      writeFileSync(asm, "PUSH 7\n".repeat(1025) + "STOP\n");
      const a = await fails("STACK_OVERFLOW", "asm", asm, "-o", join(tmp, "ovf.bin"));
      expect(a.err).to.include("line 1025");
      expect(existsSync(join(tmp, "ovf.bin"))).to.equal(false);
      // 1024 is the limit, not past it.
      writeFileSync(
        bin,
        Uint8Array.from([...Array<number[]>(1024).fill([0x01, 0x07]).flat(), 0xff]),
      );
      expect((await zkvm("run", bin)).status).to.equal(0);
    });

    it("1 MB of garbage is rejected at once (under 2 s of CPU)", async function () {
      const file = join(tmp, "garbage.bin");
      const bytes = new Uint8Array(1 << 20);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 0xff;
      bytes[0] = 0x01; // PUSH, then garbage
      writeFileSync(file, bytes);
      for (const argv of [
        ["run", file],
        ["disasm", file],
        ["compile", file, "--steps", "5", "-o", join(tmp, "garbage")],
      ]) {
        const r = await zkvm(...argv);
        expect(r.status, r.err).to.equal(1);
        expect(errorLines(r)).to.have.length(1);
        expect(r.cpuMs).to.be.below(2000);
      }
    });

    it(`1 MB of valid code is validated, run, disassembled or refused within ${MEGABYTE_MS / 1000} s of CPU`, async function () {
      const file = join(tmp, "megabyte.bin");
      const code = megabyteProgram();
      writeFileSync(file, code);
      const steps = 1 + ((code.length - 5) / 3) * 2 + 2;
      const run = await zkvm("run", file, "--json");
      expect(run.status, run.err).to.equal(0);
      expect(JSON.parse(run.out)).to.deep.equal({
        outputs: { "0": String((code.length - 5) / 3 + 1) },
        steps,
      });
      expect(run.cpuMs).to.be.below(MEGABYTE_MS);
      const short = await fails("STEP_LIMIT_EXCEEDED", "run", file, "--steps", "10");
      expect(short.cpuMs).to.be.below(MEGABYTE_MS);
      const disasm = await zkvm("disasm", file);
      expect(disasm.status).to.equal(0);
      expect(disasm.out.split("\n")).to.have.length(steps);
      expect(disasm.cpuMs).to.be.below(MEGABYTE_MS);
      const out = join(tmp, "megabyte");
      const compile = await fails(
        "STEP_BOUND_TOO_SMALL",
        "compile",
        file,
        "--steps",
        "10",
        "-o",
        out,
      );
      expect(compile.cpuMs).to.be.below(MEGABYTE_MS);
      expect(existsSync(out)).to.equal(false);
    });

    it("a directory, a missing file or an endless device as the program: a file error, exit 1", async function () {
      await fails("FILE_UNREADABLE", "run", tmp);
      await fails("FILE_UNREADABLE", "disasm", tmp);
      await fails("FILE_UNREADABLE", "compile", tmp, "--steps", "3");
      await fails("FILE_UNREADABLE", "asm", tmp, "-o", join(tmp, "x.bin"));
      await fails("FILE_NOT_FOUND", "run", join(tmp, "missing.zkasm"));
      await fails("FILE_NOT_FOUND", "asm", join(tmp, "missing.zkasm"), "-o", join(tmp, "x.bin"));
      if (existsSync("/dev/zero")) {
        const r = await fails("FILE_TOO_LARGE", "run", "/dev/zero");
        expect(r.cpuMs).to.be.below(5000);
      }
    });
  });

  describe("unexpected internal errors", function () {
    it("main() reports a non-ZkvmError on one line with exit 1 instead of throwing", async function () {
      const exploding: Command = {
        name: "explode",
        summary: "throws a TypeError",
        help: "",
        run: () => Promise.reject(new TypeError("boom\nsecond line")),
      };
      (COMMANDS as Command[]).push(exploding);
      try {
        const r = await fails("INTERNAL_ERROR", "explode");
        expect(r.err).to.include("boom second line");
      } finally {
        (COMMANDS as Command[]).pop();
      }
    });
  });

  describe("tool errors on one line", function () {
    it("circom's multi-line error is one stderr line; --verbose adds circom's message below it", async function () {
      const bad = join(EXAMPLES_DIR, "..", "test", "fixtures", "pipeline", "bad.circom");
      const circomBad: Command = {
        name: "circom-bad",
        summary: "compiles a circuit that circom rejects",
        help: "",
        run: async () => {
          await compileCircom({
            circomFile: bad,
            outDir: join(tmp, "circom-bad"),
            includePaths: [],
          });
          return 0;
        },
      };
      (COMMANDS as Command[]).push(circomBad);
      try {
        const r = await fails("CIRCOM_FAILED", "circom-bad");
        expect(r.err).to.match(/Non quadratic constraints are not allowed/);
        const verbose = await zkvm("circom-bad", "--verbose");
        expect(verbose.status).to.equal(1);
        const lines = errorLines(verbose);
        expect(lines[0]).to.equal(errorLines(r)[0]);
        expect(lines.length).to.be.greaterThan(1);
        expect(lines.slice(1).join("\n")).to.include(bad);
        expect(verbose.err).not.to.match(STACK_FRAME);
      } finally {
        (COMMANDS as Command[]).pop();
      }
    });
  });

  describe("inputs and options through the CLI", function () {
    it("unknown, missing, non-integer and empty inputs", async function () {
      await fails("UNKNOWN_INPUT", "run", CUBIC, "--input", "x=1", "--input", "q=1");
      await fails("MISSING_INPUT", "run", CUBIC);
      await fails("MISSING_INPUT", "run", MAX, "--input", "a=1");
      await fails("BAD_INPUT_VALUE", "run", CUBIC, "--input", "x=abc");
      await fails("BAD_INPUT_VALUE", "run", CUBIC, "--input", "x=");
      await fails("BAD_INPUT_VALUE", "run", CUBIC, "--input", "x=1.5");
      await fails("BAD_INPUT_VALUE", "run", CUBIC, "--input", "x=--1");
      await fails("BAD_INPUT_VALUE", "run", CUBIC, "--input", "x=0x");
    });

    it("p, -p and 2^300 are INPUT_OUT_OF_FIELD; p - 1 and -(p - 1) are accepted", async function () {
      for (const v of [P, -P, 1n << 300n, -(1n << 300n), P + 1n]) {
        await fails("INPUT_OUT_OF_FIELD", "run", CUBIC, "--input", `x=${v}`);
      }
      await fails("INPUT_OUT_OF_FIELD", "run", CUBIC, "--input", `x=0x${P.toString(16)}`);
      for (const v of [P - 1n, -(P - 1n)]) {
        expect((await zkvm("run", CUBIC, "--input", `x=${v}`)).status).to.equal(0);
      }
    });

    it("a huge input value is refused quickly", async function () {
      const r = await fails(
        "INPUT_OUT_OF_FIELD",
        "run",
        CUBIC,
        "--input",
        `x=${"9".repeat(100_000)}`,
      );
      expect(r.cpuMs).to.be.below(5000);
    });

    it("malformed --input, --steps and --width are usage errors (exit 2), before the program is read", async function () {
      const missing = join(tmp, "missing.zkasm");
      await misused("run", CUBIC, "--input", "noequals");
      await misused("run", CUBIC, "--input", "=5");
      await misused("run", CUBIC, "--input", "x=1", "--input", "x=2");
      for (const steps of ["0", "-1", "abc", "1.5", "1e3", "", "99999999999999999999"]) {
        await misused("run", missing, "--input", "x=1", `--steps=${steps}`);
        await misused("compile", missing, `--steps=${steps}`);
      }
      await misused("run", CUBIC, "--steps");
      await misused("compile", CUBIC);
      for (const width of ["0", "253", "-1", "abc", "64.5"]) {
        await misused("run", missing, `--width=${width}`);
        await misused("compile", missing, "--steps", "5", `--width=${width}`);
      }
      await misused("run", missing, "--private", "4294967296");
      await misused("run", missing, "--output", "x");
      await misused("run");
      await misused("run", CUBIC, CUBIC);
      await misused("run", CUBIC, "--no-such-option");
      await misused("prove", join(tmp, "nowhere"), "--input", "noequals");
    });

    it("a run that faults: COMPARISON_OUT_OF_RANGE and STEP_LIMIT_EXCEEDED with the step", async function () {
      const r = await fails("COMPARISON_OUT_OF_RANGE", "run", MAX, "-i", "a=-1", "-i", "b=0");
      expect(r.err).to.match(/step 2/);
      await fails("STEP_LIMIT_EXCEEDED", "run", CUBIC, "-i", "x=1", "--steps", "3");
    });
  });

  describe("the library", function () {
    it("new ZKVM(random bytes) validates or throws a ValidationError with a code", function () {
      fc.assert(
        fc.property(anyBytes, (bytes) => {
          try {
            new ZKVM(bytes);
          } catch (e) {
            expect(e).to.be.instanceOf(ValidationError);
            expect((e as ZkvmError).code).to.match(/^[A-Z_]+$/);
            expect((e as ZkvmError).offset).to.be.a("number");
          }
        }),
        { numRuns: 1000 },
      );
    });

    it("new ZKVM(random text) assembles or throws an AssemblyError or ValidationError", function () {
      fc.assert(
        fc.property(fc.string({ maxLength: 80 }), (text) => {
          try {
            new ZKVM(text);
          } catch (e) {
            expect(e).to.satisfy(
              (x: unknown) => x instanceof AssemblyError || x instanceof ValidationError,
              String(e),
            );
            expect((e as ZkvmError).code).to.match(/^[A-Z_]+$/);
          }
        }),
        { numRuns: 1000 },
      );
    });

    it("specific hostile programs give their codes", function () {
      throwsTyped(
        () => new ZKVM(Uint8Array.from([...longPush(40), 0xff])),
        ValidationError,
        "VALUE_OUT_OF_FIELD",
      );
      throwsTyped(
        () => new ZKVM(Uint8Array.from([...Array<number[]>(1025).fill([1, 0]).flat(), 0xff])),
        ValidationError,
        "STACK_OVERFLOW",
      );
      throwsTyped(() => new ZKVM(new Uint8Array(0)), ValidationError, "FALLS_OFF_END");
      throwsTyped(() => new ZKVM("PUSH 1\nFLY\n"), AssemblyError, "UNKNOWN_MNEMONIC");
      throwsTyped(() => new ZKVM(""), ValidationError, "FALLS_OFF_END");
      throwsTyped(() => new ZKVM("01 0"), AssemblyError, "UNKNOWN_MNEMONIC");
    });

    it("a program or options of the wrong type: a ZkvmError, not a TypeError", function () {
      for (const source of [null, undefined, 42, {}, [1, 2], new ArrayBuffer(2)]) {
        throwsTyped(() => new ZKVM(source as never), ZkvmError, "BAD_PROGRAM");
      }
      const seed = Uint8Array.from([0x01, 0x05, 0x01, 0x03, 0x02, 0x04, 0x00, 0xff]);
      for (const width of [0, 253, 1.5, NaN, "64"]) {
        throwsTyped(() => new ZKVM(seed, { width: width as never }), ZkvmError, "BAD_WIDTH");
      }
      throwsTyped(
        () => new ZKVM(seed, { io: { private: [2 ** 32] } }),
        ValidationError,
        "ADDRESS_OUT_OF_RANGE",
      );
      for (const io of [5, { private: 5 }, { outputs: ["0"] }, { public: [null] }]) {
        throwsTyped(() => new ZKVM(seed, { io: io as never }), ZkvmError, "BAD_OPTION");
      }
    });

    it("execute with bad inputs throws InputError; a bad step bound BAD_OPTION", function () {
      const vm = new ZKVM(readFileSync(CUBIC, "utf8"));
      throwsTyped(() => vm.execute({}), InputError, "MISSING_INPUT");
      throwsTyped(() => vm.execute({ x: 1, q: 2 }), InputError, "UNKNOWN_INPUT");
      for (const x of ["abc", "", 1.5, NaN, Infinity, 2 ** 60, true, {}, [], null]) {
        throwsTyped(() => vm.execute({ x: x as never }), InputError, "BAD_INPUT_VALUE");
      }
      for (const x of [P, -P, 1n << 300n, P.toString(), `-${P}`]) {
        throwsTyped(() => vm.execute({ x }), InputError, "INPUT_OUT_OF_FIELD");
      }
      for (const inputs of [null, 5, "x=1", [1]]) {
        throwsTyped(() => vm.execute(inputs as never), InputError, "BAD_INPUTS");
      }
      for (const steps of [0, -1, 1.5, NaN, Infinity]) {
        throwsTyped(() => vm.execute({ x: 1 }, { steps }), ZkvmError, "BAD_OPTION");
      }
      throwsTyped(() => vm.execute({ x: 1 }, { steps: 3 }), RuntimeFault, "STEP_LIMIT_EXCEEDED");
    });

    it("generateProof with a faulting or bad input throws before any compile work", async function () {
      const cacheDir = join(tmp, "lib-cache");
      const vm = new ZKVM(readFileSync(MAX, "utf8"), { cacheDir });
      await rejectsTyped(
        () => vm.generateProof({ a: 1n << 64n, b: 0 }, { steps: 10 }),
        RuntimeFault,
        "COMPARISON_OUT_OF_RANGE",
      );
      await rejectsTyped(
        () => vm.generateProof({ a: 1, b: 2 }, { steps: 3 }),
        RuntimeFault,
        "STEP_LIMIT_EXCEEDED",
      );
      await rejectsTyped(
        () => vm.generateProof({ a: 1 }, { steps: 10 }),
        InputError,
        "MISSING_INPUT",
      );
      await rejectsTyped(
        () => vm.generateProof({ a: P, b: 0 }, { steps: 10 }),
        InputError,
        "INPUT_OUT_OF_FIELD",
      );
      await rejectsTyped(
        () => vm.generateProof({ a: 1, b: 2 }, { steps: 0 }),
        ZkvmError,
        "BAD_OPTION",
      );
      expect(existsSync(cacheDir)).to.equal(false);
    });
  });

  describe("build directories", function () {
    /** y = x^5: four multiplications, so the Groth16 domain is 2^3 (a few constraints, one public signal). */
    const PROGRAM_A = `.private x 0\n.output y 1\n${"LOAD x\n".repeat(2)}MUL\n${"LOAD x\nMUL\n".repeat(3)}STORE y\nSTOP\n`;
    /** y = x^5 + x: another program with the same I/O. */
    const PROGRAM_B = PROGRAM_A.replace("STORE y", "LOAD x\nADD\nSTORE y");
    let builds: string;
    let cases: string;
    let a: string;
    let b: string;
    let caseNo = 0;

    /** A fresh copy of a good build, so that each case starts from one. */
    function copyOf(build: string): string {
      const dir = join(cases, `case${++caseNo}`);
      cpSync(build, dir, { recursive: true });
      return dir;
    }

    function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
      const file = join(dir, "manifest.json");
      const m = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      edit(m);
      writeFileSync(file, JSON.stringify(m));
    }

    async function build(name: string, source: string): Promise<string> {
      const file = join(builds, `${name}.zkasm`);
      writeFileSync(file, source);
      const dir = join(builds, name);
      for (const argv of [
        ["compile", file, "--steps", "16", "-o", dir, "--json"],
        ["setup", dir, "--json"],
        ["prove", dir, "--input", "x=3", "--json"],
        ["verify", dir],
      ]) {
        const r = await zkvm(...argv);
        expect(r.status, `${argv.join(" ")}: ${r.err}`).to.equal(0);
      }
      return dir;
    }

    before(async function () {
      builds = join(tmp, "builds");
      cases = join(tmp, "cases");
      mkdirSync(builds);
      mkdirSync(cases);
      a = await build("a", PROGRAM_A);
      b = await build("b", PROGRAM_B);
    });

    afterEach(function () {
      expect(leftovers(builds), "left in builds/").to.deep.equal([]);
      expect(leftovers(cases), "left in cases/").to.deep.equal([]);
    });

    // A direct build (the default backend): no witness generator.
    const ARTIFACTS = ["a.zkey", "a.r1cs", "verification_key.json", "a.sym", "a.circom"];
    const SETUP_ARTIFACTS = ["a.zkey", "verification_key.json"];
    /** Commands that need only the verification key and the manifest (not the zkey, wasm or r1cs). */
    const KEY_ONLY = ["verify", "export-verifier"];
    const COMMANDS: string[][] = [
      ["prove", "--input", "x=3"],
      ["setup", "--force"],
      ["verify"],
      ["export-verifier"],
    ];

    it("a truncated, emptied, corrupted or missing artifact: BUILD_CORRUPT from every command, nothing rewritten", async function () {
      const damage: Record<string, (file: string) => void> = {
        truncated: (f) => truncateSync(f, Math.floor(statSync(f).size / 2)),
        emptied: (f) => truncateSync(f, 0),
        "one byte flipped": (f) => {
          const data = readFileSync(f);
          const at = data.length >> 1;
          data[at] = data[at]! ^ 0x01;
          writeFileSync(f, data);
        },
        deleted: (f) => unlinkSync(f),
      };
      for (const artifact of ARTIFACTS) {
        for (const [how, hurt] of Object.entries(damage)) {
          for (const [cmd, ...args] of COMMANDS) {
            // setup --force replaces a damaged key (the next test); it cannot repair the circuit.
            if (cmd === "setup" && SETUP_ARTIFACTS.includes(artifact)) continue;
            const dir = copyOf(a);
            hurt(join(dir, artifact));
            const before = snapshot(dir);
            if (KEY_ONLY.includes(cmd!) && artifact !== "verification_key.json") {
              // Verifying reads only the verification key and the manifest's layout.
              const r = await zkvm(cmd!, dir, ...args);
              expect(r.status, `${artifact} ${how}: ${r.err}`).to.equal(0);
              rmSync(join(dir, "verifier.sol"), { force: true });
            } else {
              const r = await fails("BUILD_CORRUPT", cmd!, dir, ...args);
              expect(r.err, `${artifact} ${how}`).to.include(artifact);
            }
            expect(snapshot(dir), `${cmd} after ${artifact} ${how}`).to.deep.equal(before);
          }
        }
      }
    });

    it("setup --force repairs a damaged proving or verification key or setup record; setup alone refuses it", async function () {
      const damaged: Record<string, (dir: string) => void> = {
        "a.zkey truncated": (dir) => truncateSync(join(dir, "a.zkey"), 100),
        "verification_key.json emptied": (dir) =>
          truncateSync(join(dir, "verification_key.json"), 0),
        "a.zkey deleted": (dir) => unlinkSync(join(dir, "a.zkey")),
        "the setup record mangled": (dir) =>
          editManifest(dir, (m) => {
            m.setup = { zkey: "../elsewhere.zkey" };
          }),
      };
      for (const [how, hurt] of Object.entries(damaged)) {
        const dir = copyOf(a);
        hurt(dir);
        await fails("BUILD_CORRUPT", "setup", dir);
        await fails("BUILD_CORRUPT", "prove", dir, "--input", "x=3");
        const r = await zkvm("setup", dir, "--force", "--json");
        expect(r.status, `${how}: ${r.err}`).to.equal(0);
        expect(JSON.parse(r.out)).to.include({ cached: false });
        for (const argv of [
          ["prove", dir, "--input", "x=3"],
          ["verify", dir],
        ]) {
          const ok = await zkvm(...argv);
          expect(ok.status, `${how}, then ${argv[0]}: ${ok.err}`).to.equal(0);
        }
      }
    });

    it("the zkey and verification key of another program's build: BUILD_CORRUPT (setup --force replaces them)", async function () {
      for (const [cmd, ...args] of COMMANDS) {
        if (cmd === "setup") continue;
        const dir = copyOf(a);
        cpSync(join(b, "b.zkey"), join(dir, "a.zkey"));
        cpSync(join(b, "verification_key.json"), join(dir, "verification_key.json"));
        await fails("BUILD_CORRUPT", cmd!, dir, ...args);
      }
      const dir = copyOf(a);
      cpSync(join(b, "b.r1cs"), join(dir, "a.r1cs"));
      await fails("BUILD_CORRUPT", "prove", dir, "--input", "x=3");
    });

    it("another program's zkey with a manifest edited to match: PROVE_FAILED, no proof written", async function () {
      const dir = copyOf(a);
      cpSync(join(b, "b.zkey"), join(dir, "a.zkey"));
      cpSync(join(b, "verification_key.json"), join(dir, "verification_key.json"));
      const bSetup = (
        JSON.parse(readFileSync(join(b, "manifest.json"), "utf8")) as {
          setup: Record<string, unknown>;
        }
      ).setup;
      editManifest(dir, (m) => {
        m.setup = { ...bSetup, zkey: "a.zkey" };
      });
      const before = snapshot(dir);
      await fails("PROVE_FAILED", "prove", dir, "--input", "x=3", "--json");
      expect(snapshot(dir)).to.deep.equal(before);
    });

    it("B's proof verified with A's build: invalid, with a reason", async function () {
      const reason = await invalid(
        a,
        "--proof",
        join(b, "proof.json"),
        "--public",
        join(b, "public.json"),
      );
      expect(reason).to.include("pairing check failed");
      // B's proof with A's public output, and A's proof with B's.
      expect(await invalid(a, "--proof", join(b, "proof.json"))).to.include("pairing check failed");
      expect(await invalid(b, "--proof", join(a, "proof.json"))).to.include("pairing check failed");
    });

    it("proof.json or public.json truncated, empty or not JSON: BAD_JSON_FILE from verify and calldata", async function () {
      for (const name of ["proof.json", "public.json"]) {
        const good = readFileSync(join(a, name), "utf8");
        for (const text of [
          good.slice(0, good.length >> 1),
          "",
          "   \n",
          "not json",
          '{"pi_a": [',
          "\u0000\u0001",
        ]) {
          const dir = copyOf(a);
          writeFileSync(join(dir, name), text);
          const before = snapshot(dir);
          await fails("BAD_JSON_FILE", "verify", dir);
          await fails("BAD_JSON_FILE", "calldata", dir);
          expect(snapshot(dir)).to.deep.equal(before);
        }
      }
      await fails("BAD_JSON_FILE", "verify", a, "--proof", cases);
      await fails("FILE_NOT_FOUND", "verify", a, "--public", join(cases, "none.json"));
      if (existsSync("/dev/zero")) {
        const r = await fails("BAD_JSON_FILE", "verify", a, "--proof", "/dev/zero");
        expect(r.cpuMs).to.be.below(10_000);
      }
    });

    it("proof.json or public.json of the wrong shape: verify says invalid and why, calldata BAD_PROOF_FILE", async function () {
      const proof = JSON.parse(readFileSync(join(a, "proof.json"), "utf8")) as Record<
        string,
        string[]
      >;
      const signals = JSON.parse(readFileSync(join(a, "public.json"), "utf8")) as string[];
      const badProofs: unknown[] = [
        {},
        [],
        null,
        "proof",
        42,
        { ...proof, pi_a: proof.pi_a!.slice(0, 2) },
        { ...proof, pi_a: [...proof.pi_a!.slice(0, 2), "x"] },
        { ...proof, pi_c: proof.pi_c!.map(() => "9".repeat(80)) },
        { ...proof, pi_b: "nope" },
        { ...proof, protocol: "plonk" },
      ];
      for (const bad of badProofs) {
        const dir = copyOf(a);
        writeFileSync(join(dir, "proof.json"), JSON.stringify(bad));
        expect(await invalid(dir)).to.match(/proof/);
        await fails("BAD_PROOF_FILE", "calldata", dir);
      }
      const badSignals: unknown[] = [
        {},
        null,
        "5",
        [],
        [...signals, "1"],
        [P.toString()],
        ["-1"],
        ["0x10"],
        [7],
        ["1".repeat(100)],
      ];
      for (const bad of badSignals) {
        const dir = copyOf(a);
        writeFileSync(join(dir, "public.json"), JSON.stringify(bad));
        expect(await invalid(dir)).to.match(/public signal/);
        if (!(Array.isArray(bad) && (bad.length === 0 || bad.length === 2))) {
          await fails("BAD_PROOF_FILE", "calldata", dir);
        }
      }
      // A tampered output value: well formed, so the pairing check says no.
      const dir = copyOf(a);
      writeFileSync(join(dir, "public.json"), JSON.stringify([String(BigInt(signals[0]!) + 1n)]));
      expect(await invalid(dir)).to.include("pairing check failed");
    });

    it("manifest.json deleted: BUILD_NOT_FOUND; truncated or malformed: BUILD_CORRUPT", async function () {
      const dir = copyOf(a);
      unlinkSync(join(dir, "manifest.json"));
      for (const [cmd, ...args] of COMMANDS) await fails("BUILD_NOT_FOUND", cmd!, dir, ...args);
      await fails("BUILD_NOT_FOUND", "prove", cases, "--input", "x=3");
      await fails("BUILD_NOT_FOUND", "setup", join(cases, "nothing-here"));
      const good = readFileSync(join(a, "manifest.json"), "utf8");
      for (const text of [good.slice(0, good.length >> 1), "", "null", "[]", "{}", '"zkvm"']) {
        const d = copyOf(a);
        writeFileSync(join(d, "manifest.json"), text);
        for (const [cmd, ...args] of COMMANDS) await fails("BUILD_CORRUPT", cmd!, d, ...args);
      }
    });

    it("a manifest with fields of the wrong type or paths outside the build: BUILD_CORRUPT, never a TypeError", async function () {
      const edits: Record<string, (m: Record<string, unknown>) => void> = {
        "no files": (m) => (m.files = {}),
        "files.r1cs null": (m) => ((m.files as Record<string, unknown>).r1cs = null),
        "files.r1cs without a hash": (m) =>
          ((m.files as Record<string, { sha256?: string }>).r1cs!.sha256 = undefined),
        "an unknown backend": (m) => (m.backend = "gnark"),
        "a circom build without its wasm": (m) => {
          m.backend = "circom";
        },
        "a path outside the build": (m) =>
          ((m.files as Record<string, { path: string }>).sym!.path = "../../a/a.sym"),
        "an absolute path": (m) =>
          ((m.files as Record<string, { path: string }>).sym!.path = join(a, "a.sym")),
        "io null": (m) => (m.io = null),
        "io without outputs": (m) => (m.io = { inputs: [] }),
        "setup empty": (m) => (m.setup = {}),
        "setup.zkey outside": (m) => ((m.setup as Record<string, unknown>).zkey = "../b/b.zkey"),
        "steps a string": (m) => (m.steps = "16"),
        "steps zero": (m) => (m.steps = 0),
        "publicSignals null": (m) => (m.publicSignals = null),
        "bytecode not hex": (m) => (m.bytecode = "zz"),
        "bytecode of an invalid program": (m) => (m.bytecode = "02ff"),
        "an input on two cells": (m) =>
          (m.io = {
            inputs: [
              { name: "x", cell: 0, visibility: "private" },
              { name: "x", cell: 3, visibility: "private" },
            ],
            outputs: [],
          }),
        "another format": (m) => (m.format = "zkvm-build/0"),
      };
      for (const [what, edit] of Object.entries(edits)) {
        const dir = copyOf(a);
        editManifest(dir, edit);
        for (const [cmd, ...args] of COMMANDS) {
          // A bad setup record is what setup --force replaces (tested above).
          if (cmd === "setup" && what.startsWith("setup")) continue;
          // Verifying reads the layout and the key's hash, not the program.
          if (KEY_ONLY.includes(cmd!) && /^(bytecode|an input)/.test(what)) continue;
          const r = await zkvm(cmd!, dir, ...args);
          expect(r.status, `${what}: ${r.err}`).to.equal(1);
          expect(errorLines(r), what).to.have.length(1);
          expect(errorLines(r)[0], what).to.match(new RegExp(`^zkvm ${cmd}: error BUILD_CORRUPT`));
        }
      }
    });

    it("prove and verify before setup: NOT_SET_UP", async function () {
      const dir = copyOf(a);
      editManifest(dir, (m) => delete m.setup);
      await fails("NOT_SET_UP", "prove", dir, "--input", "x=3");
      await fails("NOT_SET_UP", "verify", dir);
      await fails("NOT_SET_UP", "export-verifier", dir);
    });

    it("prove with bad inputs fails before the witness and leaves proof.json and public.json as they were", async function () {
      const dir = copyOf(a);
      const before = snapshot(dir);
      await fails("MISSING_INPUT", "prove", dir);
      await fails("UNKNOWN_INPUT", "prove", dir, "--input", "x=1", "--input", "z=1");
      await fails("BAD_INPUT_VALUE", "prove", dir, "--input", "x=abc");
      await fails("INPUT_OUT_OF_FIELD", "prove", dir, "--input", `x=${P}`);
      await fails("INPUT_OUT_OF_FIELD", "prove", dir, "--input", `x=${1n << 300n}`);
      await misused("prove", dir, "--input", "x");
      expect(snapshot(dir)).to.deep.equal(before);
    });

    it("compile of a broken program into a good build fails and leaves the build intact", async function () {
      const dir = copyOf(a);
      const before = snapshot(dir);
      const broken: Record<string, [string, string]> = {
        "PUSH 1\nFLY\nSTOP\n": ["1", "UNKNOWN_MNEMONIC"],
        "ADD\nSTOP\n": ["1", "STACK_UNDERFLOW"],
        [PROGRAM_A]: ["1", "STEP_BOUND_TOO_SMALL"],
        "L: JUMP L\n": ["1", "STEP_BOUND_TOO_SMALL"],
      };
      const file = join(cases, "broken.zkasm");
      for (const [source, [, code]] of Object.entries(broken)) {
        writeFileSync(file, source);
        await fails(code, "compile", file, "--steps", source === PROGRAM_A ? "3" : "16", "-o", dir);
        expect(snapshot(dir), code).to.deep.equal(before);
      }
      await fails(
        "FILE_NOT_FOUND",
        "compile",
        join(cases, "none.zkasm"),
        "--steps",
        "16",
        "-o",
        dir,
      );
      await misused("compile", file, "--steps", "0", "-o", dir);
      expect(snapshot(dir)).to.deep.equal(before);
      const r = await zkvm("verify", dir);
      expect(r.status, r.err).to.equal(0);
      expect(r.out).to.equal("valid: y = 243");
    });

    it("compile -o a file or a directory that is not a build: NOT_A_BUILD_DIR, nothing deleted", async function () {
      const source = join(builds, "a.zkasm");
      const file = join(cases, "notes.txt");
      writeFileSync(file, "keep me");
      await fails("NOT_A_BUILD_DIR", "compile", source, "--steps", "16", "-o", file);
      expect(readFileSync(file, "utf8")).to.equal("keep me");
      const project = join(cases, "project");
      mkdirSync(project);
      writeFileSync(join(project, "README.md"), "keep me too");
      await fails("NOT_A_BUILD_DIR", "compile", source, "--steps", "16", "-o", project);
      expect(readdirSync(project)).to.deep.equal(["README.md"]);
      await fails("FILE_UNWRITABLE", "compile", source, "--steps", "16", "-o", join(file, "build"));
      expect(readFileSync(file, "utf8")).to.equal("keep me");
    });

    it("compile removes the staging directories of a compile whose process died", async function () {
      const dir = copyOf(a);
      const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
      const staging = `.${"case" + caseNo}.tmp-${dead}-0badf00d0bad`;
      const stale = [staging, `${staging}.old`, `.${staging}.tmp-${dead}-0123456789ab`];
      for (const n of stale) {
        mkdirSync(join(cases, n));
        writeFileSync(join(cases, n, "half.r1cs"), "partial");
      }
      const r = await zkvm(
        "compile",
        join(builds, "a.zkasm"),
        "--steps",
        "16",
        "-o",
        dir,
        "--json",
      );
      expect(r.status, r.err).to.equal(0);
      expect(JSON.parse(r.out)).to.include({ cached: true });
      for (const n of stale) expect(existsSync(join(cases, n)), n).to.equal(false);
    });

    it("a compile killed at any point leaves the previous build whole, and nothing once the next compile ran", async function () {
      const main = join(EXAMPLES_DIR, "..", "src", "cli", "main.ts");
      // Killed (with circom, its whole process group) as it starts, as circom starts, as circom ends.
      const killPoints: Array<{ what: string; at: RegExp }> = [
        { what: "at start", at: /^/ },
        { what: "in circom", at: /circom: circom b\.circom\.\.\./ },
        { what: "after circom", at: /circom: circom b\.circom done/ },
      ];
      for (const { what, at } of killPoints) {
        const dir = copyOf(a);
        const before = snapshot(dir);
        const child = spawn(
          process.execPath,
          ["--import", "tsx", main, "compile", join(builds, "b.zkasm"), "--steps", "16", "-o", dir],
          { detached: true, stdio: ["ignore", "ignore", "pipe"] },
        );
        const killed = new Promise<void>((resolve) => child.on("close", () => resolve()));
        let err = "";
        const kill = () => {
          if (child.exitCode === null && child.signalCode === null)
            process.kill(-child.pid!, "SIGKILL");
        };
        if (what === "at start") kill();
        child.stderr.on("data", (chunk: Buffer) => {
          err += chunk.toString();
          if (at.test(err)) kill();
        });
        await killed;
        // Whatever the point, the directory is the old build or the new one, whole.
        const after = snapshot(dir);
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
            name: string;
          };
          expect(manifest.name, what).to.equal("b");
        }
        const r = await zkvm("compile", join(builds, "a.zkasm"), "--steps", "16", "-o", dir);
        expect(r.status, `${what}: ${r.err}`).to.equal(0);
        expect(
          readdirSync(cases).filter((n) => n.startsWith(".")),
          what,
        ).to.deep.equal([]);
      }
    });

    it("outputs that cannot be written: FILE_UNWRITABLE, no temporary file left", async function () {
      const dir = copyOf(a);
      const before = snapshot(dir);
      const file = join(cases, "plain.txt");
      writeFileSync(file, "x");
      await fails("FILE_UNWRITABLE", "prove", dir, "--input", "x=3", "--out", join(file, "out"));
      await fails("FILE_UNWRITABLE", "export-verifier", dir, "-o", cases);
      await fails("FILE_UNWRITABLE", "export-verifier", dir, "-o", join(file, "v.sol"));
      await fails("FILE_UNWRITABLE", "asm", join(builds, "a.zkasm"), "-o", cases);
      expect(snapshot(dir)).to.deep.equal(before);
      expect(readFileSync(file, "utf8")).to.equal("x");
    });

    describe("powers of tau", function () {
      let need: number;
      let ptau: Record<string, string>;

      before(async function () {
        const m = JSON.parse(readFileSync(join(a, "manifest.json"), "utf8")) as {
          constraints: number;
          publicSignals: unknown[];
        };
        need = domainPower(m.constraints, m.publicSignals.length);
        expect(need, "the test needs a domain above 2^1").to.be.at.least(2);
        const dir = join(tmp, "ptau");
        mkdirSync(dir);
        const snarkjs = await loadSnarkjs();
        const curve = await snarkjs.curves.getCurveFromName("bn128");
        ptau = {
          small: join(dir, "small.ptau"),
          unprepared: join(dir, "unprepared.ptau"),
          enough: join(dir, "enough.ptau"),
          truncated: join(dir, "truncated.ptau"),
          random: join(dir, "random.ptau"),
          empty: join(dir, "empty.ptau"),
        };
        const raw = join(dir, "raw.ptau");
        await snarkjs.powersOfTau.newAccumulator(curve, need - 1, raw);
        await snarkjs.powersOfTau.preparePhase2(raw, ptau.small!);
        await snarkjs.powersOfTau.newAccumulator(curve, need, ptau.unprepared!);
        await snarkjs.powersOfTau.preparePhase2(ptau.unprepared!, ptau.enough!);
        const data = readFileSync(ptau.enough!);
        writeFileSync(ptau.truncated!, data.subarray(0, data.length >> 1));
        writeFileSync(
          ptau.random!,
          Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff),
        );
        writeFileSync(ptau.empty!, "");
      });

      it("too small, not prepared, truncated, random, empty, missing or a directory: typed errors, the previous setup intact", async function () {
        const expected: Array<[string, string]> = [
          [ptau.small!, "PTAU_TOO_SMALL"],
          [ptau.unprepared!, "PTAU_NOT_PREPARED"],
          [ptau.truncated!, "PTAU_INVALID"],
          [ptau.random!, "PTAU_INVALID"],
          [ptau.empty!, "PTAU_INVALID"],
          [join(tmp, "ptau", "missing.ptau"), "FILE_NOT_FOUND"],
          [join(tmp, "ptau"), "PTAU_INVALID"],
          [join(builds, "a", "a.zkey"), "PTAU_INVALID"],
        ];
        if (existsSync("/dev/zero")) expected.push(["/dev/zero", "PTAU_INVALID"]);
        for (const [file, code] of expected) {
          const dir = copyOf(a);
          const before = snapshot(dir);
          await fails(code, "setup", dir, "--ptau", file, "--force");
          await fails(code, "setup", dir, "--ptau", file);
          expect(snapshot(dir), code).to.deep.equal(before);
          expect(leftovers(dir)).to.deep.equal([]);
        }
        await misused("setup", a, "--ptau=");
        const r = await zkvm("verify", a);
        expect(r.status, r.err).to.equal(0);
      });

      it("a prepared ptau exactly as large as the circuit's domain is enough, below the local floor of 2^8", async function () {
        const dir = copyOf(a);
        const r = await zkvm("setup", dir, "--ptau", ptau.enough!, "--json");
        expect(r.status, r.err).to.equal(0);
        expect(JSON.parse(r.out)).to.deep.include({ power: need });
        for (const argv of [
          ["prove", dir, "--input", "x=2", "--json"],
          ["verify", dir],
        ]) {
          const s = await zkvm(...argv);
          expect(s.status, s.err).to.equal(0);
        }
        // The old proof was made with the previous keys.
        expect(
          await invalid(dir, "--proof", join(a, "proof.json"), "--public", join(a, "public.json")),
        ).to.include("pairing check failed");
      });
    });
  });
});
