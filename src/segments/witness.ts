/**
 * The segment circuit's input (templates/segment.circom, template Segment)
 * for each segment of a run: the program as the universal circuit takes it,
 * the opened start state with its salt, the end state's salt, and the public
 * inputs and private inputs (first segment only).
 */
import type { Inputs } from "../inputs.js";
import type { IoLayout } from "../program.js";
import type { CanonicalProgram, UniversalBounds } from "../universal/encode.js";
import { universalInput, type UniversalInput } from "../universal/witness.js";
import { freshSalt, type BoundaryState, type SegmentedRun } from "./state.js";

export type SegmentInput = UniversalInput;

const strings = (xs: readonly bigint[]) => xs.map((x) => x.toString());

/** The input of a segment from `from` (salted with saltIn) whose end state is salted with saltOut. */
export function segmentInput(
  base: UniversalInput,
  from: BoundaryState,
  salts: { readonly saltIn: bigint; readonly saltOut: bigint },
  first: boolean,
): SegmentInput {
  const zeros = (base.publicIn as string[]).map(() => "0");
  return {
    ...base,
    publicIn: first ? base.publicIn! : zeros,
    privateIn: first ? base.privateIn! : zeros,
    saltIn: salts.saltIn.toString(),
    pcIn: String(from.pc),
    stepIn: String(from.step),
    haltedIn: from.halted ? "1" : "0",
    stackIn: strings(from.stack),
    memIn: strings(from.memory),
    saltOut: salts.saltOut.toString(),
    first: first ? "1" : "0",
  };
}

/**
 * Every segment's input, with a fresh salt per boundary (never stored: the
 * salts live only in these inputs, which go to the provers).
 */
export function segmentInputs(
  canonical: CanonicalProgram,
  io: IoLayout,
  bounds: UniversalBounds,
  inputs: Inputs,
  run: SegmentedRun,
): SegmentInput[] {
  const base = universalInput(canonical, io, bounds, inputs);
  const salts = run.states.map(() => freshSalt());
  return run.states
    .slice(0, -1)
    .map((state, i) =>
      segmentInput(base, state, { saltIn: salts[i]!, saltOut: salts[i + 1]! }, i === 0),
    );
}
