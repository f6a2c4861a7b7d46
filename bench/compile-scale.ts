/**
 * One compile-at-scale measurement, run by bench/compiler.ts in a child
 * process of its own: `node --import tsx bench/compile-scale.ts N [PROGRAM]`
 * compiles bench/programs/sum_up.zkasm (or, with PROGRAM = mul8, the setup
 * study's loop of 8 MULs per iteration) for step bound N, then writes its
 * .r1cs and .sym with the direct backend (in memory), and prints one JSON line.
 */
import { compile } from "../src/compiler/index.js";
import { directArtifacts } from "../src/direct/index.js";
import { loadProgram } from "../src/load.js";
import { baselineFor, loadBenchProgram } from "./baselines.js";
import { SCALE_PROGRAM } from "./scale.js";

const steps = Number(process.argv[2]);
const name = process.argv[3] ?? "sum_up";
const program =
  name === "mul8" ? loadProgram(SCALE_PROGRAM) : loadBenchProgram(baselineFor("sum_up"));
const start = performance.now();
const cpu0 = process.cpuUsage();
const compiled = compile(program, { steps, keepNodes: true });
const compileMs = Math.round(performance.now() - start);
// The direct backend's .r1cs and .sym (in memory), after the compile.
const directStart = performance.now();
const direct = directArtifacts(compiled);
const directMs = Math.round(performance.now() - directStart);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    program: name,
    steps,
    blockSteps: compiled.blockSteps,
    estimatedConstraints: compiled.estimatedConstraints,
    compileMs,
    directMs,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    r1csMb: Math.round(direct.r1cs.reduce((n, b) => n + b.byteLength, 0) / 1e5) / 10,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    circomMb: Math.round(compiled.circom.length / 1e5) / 10,
  }) + "\n",
);
