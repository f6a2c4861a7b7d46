/**
 * Disassembler: bytecode back to assembly that assembles to the same bytes.
 * Jump targets that start an instruction get labels `L<offset>`; I/O
 * declarations become directives.
 */
import { decode } from "./bytecode.js";
import { Op, opcodeInfo } from "./opcodes.js";
import type { IoLayout } from "./program.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function disassemble(code: Uint8Array, io?: IoLayout): string {
  const instructions = decode(code);
  const starts = new Set(instructions.map((i) => i.offset));
  const labelled = new Set(
    instructions
      .filter((i) => (i.op === Op.JUMP || i.op === Op.JUMPI) && starts.has(Number(i.arg)))
      .map((i) => Number(i.arg)),
  );
  const out: string[] = [];
  for (const input of io?.inputs ?? []) {
    if (IDENTIFIER.test(input.name)) out.push(`.${input.visibility} ${input.name} ${input.cell}`);
  }
  for (const output of io?.outputs ?? []) {
    if (IDENTIFIER.test(output.name)) out.push(`.output ${output.name} ${output.cell}`);
  }
  for (const ins of instructions) {
    if (labelled.has(ins.offset)) out.push(`L${ins.offset}:`);
    const info = opcodeInfo(ins.op);
    let text = info.mnemonic;
    if (ins.arg !== undefined) {
      const target = Number(ins.arg);
      text += info.immediate === "target" && labelled.has(target) ? ` L${target}` : ` ${ins.arg}`;
    }
    out.push(`  ${text.padEnd(24)}; ${ins.offset}`);
  }
  return out.join("\n") + "\n";
}
