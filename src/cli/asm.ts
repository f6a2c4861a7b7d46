import { assemble } from "../assembler.js";
import { toHex } from "../bytecode.js";
import { disassemble } from "../disassembler.js";
import { validate } from "../validator.js";
import {
  ioOptions,
  rawIoFrom,
  parse,
  readFile,
  readProgram,
  UsageError,
  writeOutput,
  type Command,
} from "./common.js";

export const asmCommand: Command = {
  name: "asm",
  summary: "assemble a .zkasm file to bytecode",
  help: `Usage: zkvm asm <file.zkasm> -o <out> [--json]

Assembles and validates a program. The output is raw bytecode, or hex text when
<out> ends in .hex. I/O directives are not part of bytecode: --json prints them
so that they can be passed to the other commands as --private/--public/--output.`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { out: { type: "string", short: "o" }, json: { type: "boolean" } },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    if (values.out === undefined) throw new UsageError("missing -o <out>");
    const path = positionals[0]!;
    let program;
    try {
      program = validate(assemble(readFile(path).toString("utf8")));
    } catch (e) {
      if (e instanceof Error && "path" in e && e.path === undefined)
        (e as { path?: string }).path = path;
      throw e;
    }
    const hex = values.out.endsWith(".hex");
    await writeOutput(values.out, hex ? toHex(program.code) + "\n" : program.code);
    if (values.json) {
      io.out(
        JSON.stringify(
          { bytes: program.code.length, hex: toHex(program.code), io: program.io },
          null,
          2,
        ),
      );
    } else {
      io.out(`wrote ${program.code.length} bytes to ${values.out}`);
    }
    return 0;
  },
};

export const disasmCommand: Command = {
  name: "disasm",
  summary: "disassemble bytecode to assembly",
  help: `Usage: zkvm disasm <file> [--private ADDR ...] [--public ADDR ...] [--output ADDR ...]

Prints assembly that assembles back to the same bytes (labels L<offset> mark jump
targets; the comment on each line is the instruction's byte offset).`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...ioOptions }, 1);
    if (values.help) return (io.out(this.help), 0);
    const program = readProgram(positionals[0]!, rawIoFrom(values));
    io.out(disassemble(program.code, program.io).trimEnd());
    return 0;
  },
};
