/**
 * Assembler for SPEC's syntax: one instruction per line, case-insensitive
 * mnemonics, `;` comments, `name:` labels, `.private/.public/.output name cell`
 * directives (plus `.cell name cell` to name a work cell), decimal or 0x-hex
 * numbers, negative PUSH values meaning p - v.
 */
import { encodeInstruction, encodeLeb128 } from "./bytecode.js";
import { AssemblyError } from "./errors.js";
import { P, parseInteger } from "./field.js";
import { ADDRESS_LIMIT, MNEMONICS, type OpcodeInfo } from "./opcodes.js";
import type { InputDecl, OutputDecl, Program } from "./program.js";

type Operand = { kind: "number"; value: bigint; text: string } | { kind: "name"; name: string };

interface ParsedInstruction {
  info: OpcodeInfo;
  operand?: Operand;
  line: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseOperand(text: string): Operand {
  const value = parseInteger(text);
  if (value !== undefined) return { kind: "number", value, text };
  return { kind: "name", name: text };
}

function parseCell(text: string, line: number): number {
  const value = parseInteger(text);
  if (value === undefined || value < 0n || value >= ADDRESS_LIMIT) {
    throw new AssemblyError("BAD_ADDRESS", `'${text}' is not a cell address in [0, 2^32)`, {
      line,
    });
  }
  return Number(value);
}

/** What a newcomer's guess at an instruction that does not exist should do instead. */
const SLIPS: Readonly<Record<string, string>> = {
  "#": "comments start with ';'",
  SUB: "there is no SUB: to compute a - b, push b, PUSH -1, MUL, then ADD; PUSH -1 then ADD subtracts 1",
  NEG: "there is no NEG: PUSH -1 then MUL negates",
  DIV: "there is no DIV: division is not an instruction of this machine",
  POP: "there is no POP: STORE the value into an unused cell",
  DUP: "there is no DUP: STORE the value into a cell, then LOAD it twice",
  HALT: "the instruction that halts is STOP",
  JMP: "the jump is JUMP (JUMPI jumps if the top of the stack is not 0)",
  JZ: "the conditional jump is JUMPI, which jumps if the top of the stack is not 0",
  JNZ: "the conditional jump is JUMPI, which jumps if the top of the stack is not 0",
};

export function assemble(source: string): Program {
  const parsed: ParsedInstruction[] = [];
  const labels = new Map<string, { index: number; line: number }>();
  const cellNames = new Map<string, { cell: number; line: number }>();
  const inputs: InputDecl[] = [];
  const outputs: OutputDecl[] = [];

  const lines = source.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    let text = raw.replace(/;.*$/, "").trim();
    // Labels: `name:` at the start of a line, optionally followed by an instruction.
    for (let m = /^([^\s:]+):\s*/.exec(text); m !== null; m = /^([^\s:]+):\s*/.exec(text)) {
      const name = m[1]!;
      if (!IDENTIFIER.test(name)) {
        throw new AssemblyError("BAD_LABEL", `'${name}' is not a valid label name`, { line });
      }
      if (labels.has(name)) {
        throw new AssemblyError(
          "DUPLICATE_LABEL",
          `label '${name}' is already defined on line ${labels.get(name)!.line}`,
          { line },
        );
      }
      labels.set(name, { index: parsed.length, line });
      text = text.slice(m[0].length);
    }
    if (text === "") return;
    const words = text.split(/\s+/);
    const head = words[0]!;

    if (head.startsWith(".")) {
      const directive = head.toLowerCase();
      if (![".private", ".public", ".output", ".cell"].includes(directive)) {
        throw new AssemblyError("UNKNOWN_DIRECTIVE", `unknown directive '${head}'`, { line });
      }
      if (words.length !== 3) {
        throw new AssemblyError("SYNTAX_ERROR", `${directive} takes a name and a cell address`, {
          line,
        });
      }
      const name = words[1]!;
      if (!IDENTIFIER.test(name)) {
        throw new AssemblyError("BAD_NAME", `'${name}' is not a valid name`, { line });
      }
      if (cellNames.has(name)) {
        throw new AssemblyError(
          "DUPLICATE_NAME",
          `name '${name}' is already declared on line ${cellNames.get(name)!.line}`,
          { line },
        );
      }
      const cell = parseCell(words[2]!, line);
      cellNames.set(name, { cell, line });
      if (directive === ".private" || directive === ".public") {
        const clash = inputs.find((d) => d.cell === cell);
        if (clash !== undefined) {
          throw new AssemblyError(
            "DUPLICATE_INPUT_CELL",
            `cell ${cell} already holds input '${clash.name}'`,
            { line },
          );
        }
        inputs.push({ name, cell, visibility: directive === ".private" ? "private" : "public" });
      } else if (directive === ".output") {
        outputs.push({ name, cell });
      }
      return;
    }

    const info = MNEMONICS.get(head.toUpperCase());
    if (info === undefined) {
      const hint = SLIPS[head.toUpperCase()] ?? (head.startsWith("#") ? SLIPS["#"] : undefined);
      throw new AssemblyError(
        "UNKNOWN_MNEMONIC",
        `unknown instruction '${head}'${hint !== undefined ? ` (${hint})` : ""}`,
        { line },
      );
    }
    const expected = info.immediate === "none" ? 1 : 2;
    if (words.length !== expected) {
      throw new AssemblyError(
        "BAD_OPERAND",
        info.immediate === "none"
          ? `${info.mnemonic} takes no operand`
          : `${info.mnemonic} takes exactly one operand`,
        { line },
      );
    }
    const instruction: ParsedInstruction = { info, line };
    if (words[1] !== undefined) instruction.operand = parseOperand(words[1]);
    parsed.push(instruction);
  });

  const immediates = parsed.map((p) => resolveStatic(p, cellNames));

  // Jump targets depend on the sizes of earlier instructions, which depend on
  // the targets' LEB128 lengths: grow from one-byte guesses to a fixpoint.
  const targetIndex = parsed.map((p) => resolveLabel(p, labels));
  let offsets: number[] = [];
  let sizes = parsed.map((p, i) =>
    p.info.immediate === "none" ? 1 : 1 + encodeLeb128(immediates[i] ?? 0n).length,
  );
  for (let round = 0; ; round++) {
    offsets = [];
    let at = 0;
    for (const size of sizes) {
      offsets.push(at);
      at += size;
    }
    const end = at;
    const next = parsed.map((p, i) => {
      const target = targetIndex[i];
      if (target === undefined) return sizes[i]!;
      return 1 + encodeLeb128(BigInt(offsets[target] ?? end)).length;
    });
    if (next.every((s, i) => s === sizes[i])) break;
    if (round > 64) throw new Error("assembler layout did not converge");
    sizes = next;
  }

  // A label after the last instruction names the end of the code.
  const end = sizes.reduce((sum, size) => sum + size, 0);
  const bytes: number[] = [];
  const lineAt = new Map<number, number>();
  parsed.forEach((p, i) => {
    lineAt.set(bytes.length, p.line);
    const target = targetIndex[i];
    const arg = target !== undefined ? BigInt(offsets[target] ?? end) : immediates[i];
    bytes.push(...encodeInstruction(p.info.op, arg));
  });
  return { code: Uint8Array.from(bytes), io: { inputs, outputs }, lines: lineAt };
}

/** Immediates that do not depend on layout: PUSH values, addresses, numeric jump targets. */
function resolveStatic(
  p: ParsedInstruction,
  cellNames: ReadonlyMap<string, { cell: number }>,
): bigint | undefined {
  const { info, operand, line } = p;
  if (operand === undefined) return undefined;
  switch (info.immediate) {
    case "value": {
      if (operand.kind !== "number") {
        throw new AssemblyError("BAD_OPERAND", `PUSH needs a number, not '${operand.name}'`, {
          line,
        });
      }
      const v = operand.value;
      if (v <= -P || v >= P) {
        throw new AssemblyError(
          "VALUE_OUT_OF_FIELD",
          `PUSH value ${operand.text} is outside (-p, p)`,
          { line },
        );
      }
      return v < 0n ? P + v : v;
    }
    case "address": {
      if (operand.kind === "name") {
        const named = cellNames.get(operand.name);
        if (named === undefined) {
          throw new AssemblyError("UNDEFINED_NAME", `no cell is named '${operand.name}'`, { line });
        }
        return BigInt(named.cell);
      }
      if (operand.value < 0n || operand.value >= ADDRESS_LIMIT) {
        throw new AssemblyError(
          "ADDRESS_OUT_OF_RANGE",
          `address ${operand.text} is not in [0, 2^32)`,
          { line },
        );
      }
      return operand.value;
    }
    case "target": {
      if (operand.kind === "name") return undefined;
      if (operand.value < 0n) {
        throw new AssemblyError("BAD_OPERAND", `jump target ${operand.text} is negative`, { line });
      }
      return operand.value;
    }
    case "none":
      return undefined;
    default:
      return info.immediate satisfies never;
  }
}

/** Index of the instruction a jump's label names (labels at the very end name the end). */
function resolveLabel(
  p: ParsedInstruction,
  labels: ReadonlyMap<string, { index: number }>,
): number | undefined {
  if (p.info.immediate !== "target" || p.operand?.kind !== "name") return undefined;
  const label = labels.get(p.operand.name);
  if (label === undefined) {
    throw new AssemblyError("UNDEFINED_LABEL", `no label '${p.operand.name}'`, { line: p.line });
  }
  return label.index;
}
