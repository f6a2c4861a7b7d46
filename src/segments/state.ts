/**
 * Boundary states of a segment chain (SPEC "Segment chains (v3)"): the
 * machine's state every L steps, as templates/segment.circom sees it (pc an
 * instruction index, the stack as S slots top first, the M renumbered cells),
 * taken from one run of the reference interpreter, and their salted Poseidon
 * commitments.
 */
import { randomBytes } from "node:crypto";
import { P } from "../field.js";
import { inputCells, type Inputs } from "../inputs.js";
import { run } from "../interpreter.js";
import type { ValidatedProgram } from "../validator.js";
import type { CanonicalProgram, UniversalBounds } from "../universal/encode.js";
import { loadPoseidon } from "../universal/hash.js";

export interface BoundaryState {
  /** Instruction index of the next instruction (a halted machine's stays on its STOP). */
  readonly pc: number;
  /** Steps run so far: the halting STOP counts, nothing after it. */
  readonly step: number;
  readonly halted: boolean;
  /** S slots, top first, 0 past the stack's height. */
  readonly stack: readonly bigint[];
  /** M cells, by renumbered cell. */
  readonly memory: readonly bigint[];
}

export interface SegmentedRun {
  /** Steps the run took (the STOP included). */
  readonly steps: number;
  /** The final memory, by original address (for the outputs). */
  readonly memory: ReadonlyMap<number, bigint>;
  /** states[i] is the state before step i * L, for i = 0..k. */
  readonly states: readonly BoundaryState[];
}

/** The fewest segments of L steps a run of `steps` steps needs (its STOP in the last). */
export function segmentsFor(steps: number, segmentSteps: number): number {
  return Math.ceil(steps / segmentSteps);
}

/**
 * Runs the program once (within `maxSteps`; a fault is thrown as the
 * interpreter throws it) and cuts the run into `segments(steps)` segments of
 * `bounds.steps` steps: the states at their boundaries.
 */
export function segmentRun(
  program: ValidatedProgram,
  canonical: CanonicalProgram,
  bounds: UniversalBounds,
  inputs: Inputs,
  options: { maxSteps: number; segments: (steps: number) => number },
): SegmentedRun {
  const L = bounds.steps;
  const initial = inputCells(program.io, inputs);
  const result = run(program, initial, {
    steps: options.maxSteps,
    width: bounds.width,
    trace: true,
  });
  const trace = result.trace!;
  const k = options.segments(result.steps);
  const indexAt = new Map(program.instructions.map((ins, i) => [ins.offset, i]));
  const memory = new Array<bigint>(bounds.maxCells).fill(0n);
  for (const [address, value] of initial) memory[canonical.cellOf.get(address)!] = value;
  const slots = (stack: readonly bigint[]) => {
    const top = [...stack].reverse();
    return [...top, ...new Array<bigint>(bounds.maxStack - top.length).fill(0n)];
  };
  const states: BoundaryState[] = [];
  const last = trace[trace.length - 1]!;
  for (let t = 0, i = 0; i <= k; i++) {
    const at = i * L;
    // Apply the writes of the steps before `at`.
    for (; t < Math.min(at, trace.length); t++) {
      const w = trace[t]!.write;
      if (w) memory[canonical.cellOf.get(w.cell)!] = w.value;
    }
    if (at < result.steps) {
      const entry = trace[at]!;
      states.push({
        pc: indexAt.get(entry.pc)!,
        step: at,
        halted: false,
        stack: slots(entry.stack),
        memory: [...memory],
      });
    } else {
      states.push({
        pc: indexAt.get(last.pc)!,
        step: result.steps,
        halted: true,
        stack: slots(last.stack),
        memory: [...memory],
      });
    }
  }
  return { steps: result.steps, memory: result.memory, states };
}

/** A salt for one boundary: uniform below p, from the operating system's CSPRNG. */
export function freshSalt(): bigint {
  for (;;) {
    const bytes = randomBytes(32);
    bytes[0]! &= 0x3f; // 254 bits, then rejection below p
    const x = BigInt(`0x${bytes.toString("hex")}`);
    if (x < P) return x;
  }
}

/** The elements a state commitment hashes, in templates/segment.circom's order. */
export function stateElements(salt: bigint, state: BoundaryState): bigint[] {
  return [
    salt,
    BigInt(state.pc),
    BigInt(state.step),
    state.halted ? 1n : 0n,
    ...state.stack,
    ...state.memory,
  ];
}

/** templates/segment.circom's StateHash: a sponge of Poseidon(16), then Poseidon(1 + up to 15). */
export async function stateHash(elements: readonly bigint[]): Promise<bigint> {
  const poseidon = await loadPoseidon();
  const h = (xs: bigint[]) => poseidon.F.toObject(poseidon(xs));
  let acc = h(elements.slice(0, 16));
  for (let at = 16; at < elements.length; at += 15) {
    acc = h([acc, ...elements.slice(at, at + 15)]);
  }
  return acc;
}

/** The commitment to a boundary state under `salt`. */
export function stateCommitment(salt: bigint, state: BoundaryState): Promise<bigint> {
  return stateHash(stateElements(salt, state));
}
