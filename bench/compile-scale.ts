/**
 * One compile-at-scale measurement, run by bench/compiler.ts in a child
 * process of its own: `node --import tsx bench/compile-scale.ts N [PROGRAM]`
 * compiles bench/programs/sum_up.zkasm (or, with PROGRAM = mul8, the setup
 * study's loop of 8 MULs per iteration) for step bound N and prints one JSON line.
 */
import { compile } from "../src/compiler/index.js";
import { loadProgram } from "../src/load.js";
import { baselineFor, loadBenchProgram } from "./baselines.js";
import { SCALE_PROGRAM } from "./scale.js";

const steps = Number(process.argv[2]);
const name = process.argv[3] ?? "sum_up";
const program =
  name === "mul8" ? loadProgram(SCALE_PROGRAM) : loadBenchProgram(baselineFor("sum_up"));
const start = performance.now();
const compiled = compile(program, { steps });
const compileMs = Math.round(performance.now() - start);
process.stdout.write(
  JSON.stringify({
    program: name,
    steps,
    blockSteps: compiled.blockSteps,
    estimatedConstraints: compiled.estimatedConstraints,
    compileMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    circomMb: Math.round(compiled.circom.length / 1e5) / 10,
  }) + "\n",
);
