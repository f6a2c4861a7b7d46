/** Runs the `zkvm` command in-process, capturing what it prints. */
import type { Io } from "../../src/cli/common.js";
import { main } from "../../src/cli/main.js";

export interface Outcome {
  status: number;
  out: string;
  err: string;
  /** Wall time of the command, in milliseconds. */
  ms: number;
  /**
   * CPU time of this process (user + system) during the command, in
   * milliseconds: what a "quickly" check bounds, since, unlike wall time, it
   * does not grow when other work shares the machine.
   */
  cpuMs: number;
}

/**
 * `zkvm <argv>` in process; a throw out of main() fails the test with the
 * command and its stack. The curves and their workers stay for the next
 * command and the next test file (building one costs about half a second of
 * CPU); idle, they do not keep the process alive (src/pipeline/snarkjs.ts).
 */
export async function zkvm(...argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  const start = performance.now();
  const cpu = process.cpuUsage();
  let status: number;
  try {
    status = await main(argv, io, { keepWorkers: true });
  } catch (e) {
    throw new Error(`main() threw on zkvm ${argv.join(" ")}: ${(e as Error).stack}`, { cause: e });
  }
  const used = process.cpuUsage(cpu);
  return {
    status,
    out: out.join("\n"),
    err: err.join("\n"),
    ms: performance.now() - start,
    cpuMs: (used.user + used.system) / 1000,
  };
}
