/** The `zkvm` command: a table of thin commands, each returning an exit status. */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ZkvmError, type ErrorLocation } from "../errors.js";
import { asmCommand, disasmCommand } from "./asm.js";
import { processIo, UsageError, type Command, type Io } from "./common.js";
import { runCommand } from "./run.js";
import { compileCommand, setupCommand } from "./build.js";
import { exportBundleCommand, proveCommand, verifyCommand } from "./prove.js";
import { calldataCommand, exportVerifierCommand } from "./evm.js";
import { hashCommand, universalCommandFor } from "./universal.js";
import { workerCommand } from "./worker.js";
import { PipelineError, terminateCurves, zkvmVersion } from "../pipeline/index.js";

export const COMMANDS: readonly Command[] = [
  runCommand,
  asmCommand,
  disasmCommand,
  compileCommand,
  setupCommand,
  proveCommand,
  verifyCommand,
  exportBundleCommand,
  exportVerifierCommand,
  calldataCommand,
  hashCommand,
  workerCommand,
];

function usage(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(16)}${c.summary}`).join("\n");
  return `Usage: zkvm <command> [options]

Prove the execution of small stack-machine programs with Groth16.

Commands:
${rows}

Run 'zkvm <command> --help' for a command's options.
Errors are one line on stderr (with --json, also a JSON object {"code",
"message", "location"} on stdout); --verbose adds a tool's full report (circom's) below it.
Exit status: 0 success, 1 an error in the program, inputs or files, 2 a usage error.`;
}

/**
 * Runs one `zkvm` command. `keepWorkers`: leave the proving curves and their
 * worker threads for the next call instead of stopping them at the end (for
 * a process that runs many commands, e.g. the tests; it calls
 * `terminateCurves()` itself when done).
 */
export async function main(
  argv: string[],
  io: Io = processIo,
  { keepWorkers = false }: { readonly keepWorkers?: boolean } = {},
): Promise<number> {
  // --verbose, anywhere: a tool's full report (circom's error block) below the one error line.
  const verbose = argv.includes("--verbose");
  const [name, ...rest] = argv.filter((a) => a !== "--verbose");
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    io.out(zkvmVersion());
    return 0;
  }
  const command = (await universalCommandFor(name, rest)) ?? COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`zkvm: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  // With --json, an error is also a JSON object on stdout: {code, message, location}.
  const end = rest.indexOf("--");
  const json = (end === -1 ? rest : rest.slice(0, end)).includes("--json");
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      if (json) io.out(errorJson("USAGE", `${e.detail} (see 'zkvm ${name} --help')`, {}));
      io.err(`zkvm ${name}: ${e.detail} (see 'zkvm ${name} --help')`);
      return 2;
    }
    if (e instanceof ZkvmError) {
      if (json) io.out(errorJson(e.code, e.detail, e));
      io.err(`zkvm ${name}: error ${e.describe()}`);
      if (verbose && e instanceof PipelineError && e.details !== undefined) io.err(e.details);
      return 1;
    }
    // Every failure a user can cause is a ZkvmError; anything else is a bug in
    // zkvm, still reported on one line (the stack only on request).
    if (process.env.ZKVM_DEBUG) io.err(String((e as Error).stack ?? e));
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ");
    const text = `${message} (a bug in zkvm; ZKVM_DEBUG=1 prints the stack)`;
    if (json) io.out(errorJson("INTERNAL_ERROR", text, {}));
    io.err(`zkvm ${name}: error INTERNAL_ERROR: ${text}`);
    return 1;
  } finally {
    // snarkjs keeps worker threads for its curve; without this the process never exits.
    if (!keepWorkers) await terminateCurves();
  }
}

/** `{"error": true, "code", "message", "location": {path, line, offset, step, pc}}` (the fields known). */
function errorJson(code: string, message: string, where: ErrorLocation): string {
  const location: ErrorLocation = {};
  for (const key of ["path", "line", "offset", "step", "pc"] as const) {
    if (where[key] !== undefined) Object.assign(location, { [key]: where[key] });
  }
  // One line, as docs/ERRORS.md shows it: `zkvm worker --json` streams its events as JSON lines.
  return JSON.stringify({ error: true, code, message, location });
}

/** True when node was started with this file, not when it is imported (tests, bin/zkvm.js). */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // A URL, not a path suffix: a space in the path is %20 in import.meta.url.
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.exitCode = await main(process.argv.slice(2));
