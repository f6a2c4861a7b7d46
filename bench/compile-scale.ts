/**
 * One compile-at-scale measurement, run by bench/compiler.ts in a child
 * process of its own: `node --import tsx bench/compile-scale.ts N` compiles
 * bench/programs/sum_up.zkasm for step bound N and prints one JSON line.
 */
import { compile } from "../src/compiler/index.js";
import { baselineFor, loadBenchProgram } from "./baselines.js";

const steps = Number(process.argv[2]);
const program = loadBenchProgram(baselineFor("sum_up"));
const start = performance.now();
const compiled = compile(program, { steps });
const compileMs = Math.round(performance.now() - start);
process.stdout.write(
  JSON.stringify({
    steps,
    blockSteps: compiled.blockSteps,
    estimatedConstraints: compiled.estimatedConstraints,
    compileMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    circomMb: Math.round(compiled.circom.length / 1e5) / 10,
  }) + "\n",
);
