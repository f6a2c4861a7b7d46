/**
 * The emitter: intermediate-form nodes (ir.ts) → lines of Circom. Each node
 * prints as one line of the main template's body, so the text can be built
 * (or streamed) as lowering produces it.
 */
import { CompileError } from "../errors.js";
import { tripHint, type Gadget, type Node } from "./ir.js";

/**
 * The longest Circom text a compile produces, in characters: V8 cannot hold
 * a string much longer than 2^29 characters, and circom2 would not compile
 * one anyway. A circuit that needs more is CIRCUIT_TOO_LARGE, raised as soon
 * as the text passes the limit, not a crash once memory runs out.
 */
export const MAX_CIRCOM_CHARS = 256_000_000;

/**
 * Lines of text gathered in joined chunks, so that a circuit of millions of
 * lines is held as a few thousand strings rather than one array entry each.
 */
export class TextChunks {
  private readonly chunks: string[] = [];
  private lines: string[] = [];
  private length = 0;

  constructor(private readonly maxChars = MAX_CIRCOM_CHARS) {}

  push(line: string): void {
    this.lines.push(line);
    this.length += line.length + 1;
    if (this.length > this.maxChars) {
      throw new CompileError(
        "CIRCUIT_TOO_LARGE",
        `the circuit's Circom text passes ${this.maxChars.toLocaleString("en-US")} characters: choose a smaller step bound`,
      );
    }
    if (this.lines.length >= 4096) this.flush();
  }

  private flush(): void {
    if (this.lines.length > 0) this.chunks.push(this.lines.join("\n"));
    this.lines = [];
  }

  text(): string {
    this.flush();
    return this.chunks.join("\n");
  }
}

function gadgetCall(g: Gadget): string {
  switch (g.name) {
    case "IsEqual":
      return `IsEqual()([${g.a.toCircom()}, ${g.b.toCircom()}])`;
    case "NonZero":
      return `NonZero()(${g.x.toCircom()})`;
    case "LessThan":
      return `LessThan(${g.k})([${g.a.toCircom()}, ${g.b.toCircom()}])`;
    case "HighBitsZero":
      return `HighBitsZero(${g.width}, ${g.k})(${g.bits}.out)`;
    case "LowBits":
      return `LowBits(${g.width}, ${g.k})(${g.bits}.out)`;
    case "Num2Bits":
      // A component, not an anonymous call: comparisons read its bits by name.
      throw new Error("Num2Bits is emitted as a named component");
    default:
      return g satisfies never;
  }
}

/** One node as lines of the main template's body (indented), or "" for a blank. */
export function emitNode(node: Node): string {
  switch (node.kind) {
    case "blank":
      return "";
    case "comment":
      return `    // ${node.text}`;
    case "instruction":
      return `    // pc ${node.pc}${node.line !== undefined ? ` (line ${node.line})` : ""}: ${node.op}`;
    case "define":
      return `    signal ${node.signal} <== ${node.value.toCircom()};`;
    case "hint": {
      const v = (name: string) => `${node.signal}_${name}`;
      const { s0, step, bound } = node.trip;
      return [
        `    signal ${node.signal};`,
        `    var ${v("s0")} = ${s0.toCircom()};`,
        `    var ${v("c")} = ${step.toCircom()};`,
        `    var ${v("t")} = ${bound.toCircom()};`,
        ...tripHint(node.trip, v("k"), v("s0"), v("c"), v("t")).map((line) => `    ${line}`),
        `    ${node.signal} <-- ${v("k")};`,
      ].join("\n");
    }
    case "product": {
      const { a, b } = node;
      switch (node.form) {
        case "plain":
          return `    signal ${node.signal} <== (${a.toCircom()}) * (${b.toCircom()});`;
        case "and":
          return `    signal ${node.signal} <== ${a.toCircom()} * ${b.toCircom()};`;
        case "orNot":
          return `    signal ${node.signal} <== 1 - ${a.toCircom()} * (1 - ${b.toCircom()});`;
        default:
          return node.form satisfies never;
      }
    }
    case "gadget":
      if (node.gadget.name === "Num2Bits") {
        const { width, x } = node.gadget;
        return `    component ${node.signal} = Num2Bits(${width}); ${node.signal}.in <== ${x.toCircom()};`;
      }
      return `    signal ${node.signal} <== ${gadgetCall(node.gadget)};`;
    case "assertLess":
      return [
        `    signal ${node.signal} <== LessThan(${node.k})([${node.a.toCircom()}, ${node.b.toCircom()}]);`,
        `    ${node.signal} === 1;`,
      ].join("\n");
    case "assert":
      return `    ${node.left.toCircom()} === ${node.right.toCircom()};${node.why !== undefined ? ` // ${node.why}` : ""}`;
    case "output":
      return `    ${node.signal} <== ${node.value.toCircom()};`;
    default:
      return node satisfies never;
  }
}
