import { inputCells } from "../inputs.js";
import { DEFAULT_WIDTH, MAX_WIDTH, run } from "../interpreter.js";
import { ZkvmError } from "../errors.js";
import { validate, type ValidatedProgram } from "../validator.js";
import { DEFAULT_RUN_STEPS } from "../zkvm.js";
import {
  ioOptions,
  rawIoFrom,
  inputPairs,
  parse,
  positiveInt,
  readProgram,
  toJson,
  UsageError,
  type Command,
} from "./common.js";

export const runCommand: Command = {
  name: "run",
  summary: "run a program in the reference interpreter",
  help: `Usage: zkvm run <file> [--input name=value ...] [--steps N] [--width W] [--trace] [--json]

Runs a program (.zkasm assembly, .hex text, or raw bytecode) and prints its outputs.

Options:
  --input name=value   an input value (decimal, 0x-hex, or negative meaning p - v); repeatable
  --steps N            step bound (default ${DEFAULT_RUN_STEPS})
  --width W            comparison width for LT/GT, 1..${MAX_WIDTH} (default ${DEFAULT_WIDTH})
  --trace              print every step: step, pc, opcode, stack, memory write
  --json               print {"outputs": {...}, "steps": n} (values as decimal strings)
  --private ADDR, --public ADDR, --output ADDR
                       I/O cells of raw bytecode (inputs are then named by address)`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        ...ioOptions,
        input: { type: "string", multiple: true, short: "i" },
        steps: { type: "string" },
        width: { type: "string" },
        trace: { type: "boolean" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const width = positiveInt(values.width, "width", DEFAULT_WIDTH);
    if (width > MAX_WIDTH) throw new UsageError(`--width must be at most ${MAX_WIDTH}`);
    // Usage first: a bad option is exit status 2 whatever the program holds.
    const steps = positiveInt(values.steps, "steps", DEFAULT_RUN_STEPS);
    const inputs = inputPairs(values.input);
    const rawIo = rawIoFrom(values);
    const path = positionals[0]!;
    let program: ValidatedProgram;
    try {
      program = validate(readProgram(path, rawIo));
    } catch (e) {
      if (e instanceof ZkvmError && e.path === undefined) (e as { path?: string }).path = path;
      throw e;
    }
    const result = run(program, inputCells(program.io, inputs), {
      steps,
      width,
      trace: values.trace ?? false,
    });
    const outputs: Record<string, string> = Object.fromEntries(
      program.io.outputs.map((out) => [out.name, (result.memory.get(out.cell) ?? 0n).toString()]),
    );
    if (values.json) {
      const json: Record<string, unknown> = { outputs, steps: result.steps };
      if (result.trace) json.trace = result.trace;
      io.out(toJson(json));
      return 0;
    }
    for (const t of result.trace ?? []) {
      const write = t.write ? `  mem[${t.write.cell}] = ${t.write.value}` : "";
      io.out(
        `${String(t.step).padStart(6)}  pc=${String(t.pc).padEnd(5)} ${t.op.padEnd(6)} [${t.stack.join(", ")}]${write}`,
      );
    }
    for (const [name, value] of Object.entries(outputs)) io.out(`${name} = ${value}`);
    io.out(`halted after ${result.steps} step${result.steps === 1 ? "" : "s"}`);
    return 0;
  },
};
