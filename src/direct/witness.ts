/**
 * The direct backend's witness: every signal's value (by label, see
 * circuit.ts) computed from the main template's inputs by walking the
 * intermediate form, as circom's witness generator computes them, with the
 * same checks: a failed `===` (an assert, a range check out of its width, an
 * asserted comparison that does not hold) throws a WitnessError naming the
 * block step and instruction.
 */
import { mod, P } from "../field.js";
import { tripCount, type Node, type Origin } from "../compiler/ir.js";
import type { Lin } from "../compiler/linear.js";
import type { Layout } from "./circuit.js";
import { inverse } from "./simplify.js";

export class WitnessError extends Error {}

function where(origin: Origin | undefined): string {
  if (origin === undefined) return "";
  return ` at block step ${origin.step}${origin.pc !== undefined ? `, pc ${origin.pc}` : ""}`;
}

/**
 * Values of every label (index 0 the constant 1) for `inputs` (main input
 * signal name → value, reduced into the field).
 */
export function computeValues(
  layout: Layout,
  nodes: readonly Node[],
  inputs: Readonly<Record<string, bigint>>,
): bigint[] {
  const v: bigint[] = new Array<bigint>(layout.size).fill(0n);
  v[0] = 1n;
  for (const [name, value] of Object.entries(inputs)) {
    const l = layout.mainLabel.get(name);
    if (
      l === undefined ||
      l <= layout.nOutputs ||
      l > layout.nOutputs + layout.nPublicInputs + layout.nPrivateInputs
    ) {
      throw new WitnessError(`Signal ${name} is not an input of the circuit`);
    }
    v[l] = mod(value);
  }
  const nInputs = layout.nPublicInputs + layout.nPrivateInputs;
  if (Object.keys(inputs).length !== nInputs) {
    throw new WitnessError(
      `Not all inputs have been set: ${Object.keys(inputs).length} of ${nInputs}`,
    );
  }
  const ev = (lin: Lin): bigint => {
    let s = lin.constant;
    for (const [name, k] of lin.terms) s += k * v[layout.label(name)]!;
    return s % P;
  };
  const bits = (base: number, n: number, x: bigint, origin: Origin | undefined) => {
    v[base + n] = x;
    if (x >> BigInt(n) !== 0n) {
      throw new WitnessError(`a value does not fit in ${n} bits${where(origin)}`);
    }
    for (let i = 0; i < n; i++) v[base + i] = (x >> BigInt(i)) & 1n;
  };
  const isZero = (base: number, x: bigint) => {
    v[base + 1] = x;
    v[base + 2] = x === 0n ? 0n : inverse(x);
    v[base] = x === 0n ? 1n : 0n;
  };
  nodes.forEach((node, index) => {
    switch (node.kind) {
      case "define":
        v[layout.label(node.signal)] = ev(node.value);
        return;
      case "hint": {
        const { trip } = node;
        v[layout.label(node.signal)] = tripCount(trip, ev(trip.s0), ev(trip.step), ev(trip.bound));
        return;
      }
      case "product": {
        const a = ev(node.a);
        const b = ev(node.b);
        v[layout.label(node.signal)] =
          node.form === "orNot" ? mod(1n - a * mod(1n - b)) : (a * b) % P;
        return;
      }
      case "assert":
        if (ev(node.left) !== ev(node.right)) {
          throw new WitnessError(`Assert Failed: ${node.why ?? "a linear constraint"}`);
        }
        return;
      case "output":
        v[layout.label(node.signal)] = ev(node.value);
        return;
      case "gadget":
      case "assertLess": {
        const c = layout.components.get(index)!;
        const g = c.gadget;
        const b = c.base;
        if (g.name === "Num2Bits") {
          bits(b, g.width, ev(g.x), node.origin);
          return;
        }
        switch (g.name) {
          case "LessThan": {
            const x = ev(g.a);
            const y = ev(g.b);
            v[b + 1] = x;
            v[b + 2] = y;
            bits(b + 3, g.k + 1, mod(x + (1n << BigInt(g.k)) - y), node.origin);
            v[b] = 1n - v[b + 3 + g.k]!;
            break;
          }
          case "IsEqual": {
            const x = ev(g.a);
            const y = ev(g.b);
            v[b + 1] = x;
            v[b + 2] = y;
            isZero(b + 3, mod(y - x));
            v[b] = v[b + 3]!;
            break;
          }
          case "NonZero": {
            const x = ev(g.x);
            v[b + 1] = x;
            isZero(b + 3, x);
            v[b + 2] = v[b + 3]!;
            v[b] = 1n - v[b + 2]!;
            break;
          }
          case "HighBitsZero": {
            const r = layout.componentByName.get(g.bits)!;
            let high = 0n;
            for (let i = 0; i < g.width; i++) {
              const bit = v[r.base + i]!;
              v[b + 1 + i] = bit;
              if (i >= g.k) high += bit << BigInt(i - g.k);
            }
            isZero(b + 1 + g.width, high % P);
            v[b] = v[b + 1 + g.width]!;
            break;
          }
          case "LowBits": {
            const r = layout.componentByName.get(g.bits)!;
            let low = 0n;
            for (let i = 0; i < g.width; i++) {
              const bit = v[r.base + i]!;
              v[b + 1 + i] = bit;
              if (i < g.k) low += bit << BigInt(i);
            }
            v[b] = low % P;
            break;
          }
          default:
            g satisfies never;
        }
        const s = layout.label(node.signal);
        v[s] = v[b]!;
        if (node.kind === "assertLess" && v[s] !== 1n) {
          throw new WitnessError(
            `Assert Failed: a bounded comparison does not hold${where(node.origin)}`,
          );
        }
        return;
      }
      case "blank":
      case "comment":
      case "instruction":
        return;
      default:
        node satisfies never;
    }
  });
  return v;
}
