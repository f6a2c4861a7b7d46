import path from "node:path";
import { buildCircuit, setupCircuit, type Manifest } from "../build/index.js";
import { MAX_WIDTH } from "../compiler/index.js";
import { validate } from "../validator.js";
import {
  cellList,
  parse,
  positiveInt,
  programName,
  readProgram,
  toJson,
  UsageError,
  type Command,
} from "./common.js";
import { progressPrinter } from "./progress.js";
import { ioOptions } from "./run.js";

function signalList(manifest: Manifest): string {
  return manifest.publicSignals
    .map((s) => `${s.name} (${s.kind === "output" ? "output" : "public input"})`)
    .join(", ");
}

function profileTable(manifest: Manifest): string[] {
  const rows = [
    "    pc  line  instruction          block-steps  constraints",
    ...manifest.profile.map(
      (p) =>
        `${String(p.pc).padStart(6)}  ${String(p.line ?? "").padStart(4)}  ${p.op.padEnd(20)} ${String(p.steps).padStart(11)}  ${String(p.constraints).padStart(11)}`,
    ),
  ];
  const transitions =
    manifest.estimatedConstraints - manifest.profile.reduce((a, p) => a + p.constraints, 0);
  rows.push(
    `        transitions (selectors, merges, step counter)      ${String(transitions).padStart(11)}`,
  );
  rows.push(
    `        estimated before circom --O2: ${manifest.estimatedConstraints}; in the .r1cs: ${manifest.constraints}`,
  );
  return rows;
}

export const compileCommand: Command = {
  name: "compile",
  summary: "compile a program to a Circom circuit, R1CS and witness wasm",
  help: `Usage: zkvm compile <file> --steps N [-o DIR] [--width W] [--profile] [--json]

Compiles a program into a circuit that accepts exactly its executions that halt
within N steps, then runs circom2 (--O2) on it. DIR (default circuits/<name>/)
receives <name>.circom, <name>.r1cs, <name>.sym, <name>_js/<name>.wasm and
manifest.json. A failed compile leaves a previous build in DIR untouched.

Options:
  --steps N        step bound (required)
  -o, --out DIR    build directory (default circuits/<name>/)
  --width W        comparison width for LT/GT, 1..${MAX_WIDTH} (default 64)
  --profile        print the constraints each instruction costs
  --json           print {"constraints", "publicSignals", "profile", ...} as JSON
  --private ADDR, --public ADDR, --output ADDR
                   I/O cells of raw bytecode`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        ...ioOptions,
        steps: { type: "string" },
        out: { type: "string", short: "o" },
        width: { type: "string" },
        profile: { type: "boolean" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    if (values.steps === undefined) throw new UsageError("missing --steps N");
    const steps = positiveInt(values.steps, "steps", 0);
    const width = positiveInt(values.width, "width", 64);
    if (width > MAX_WIDTH) throw new UsageError(`--width must be at most ${MAX_WIDTH}`);
    const file = positionals[0]!;
    const program = validate(
      readProgram(file, {
        private: cellList(values.private, "private"),
        public: cellList(values.public, "public"),
        outputs: cellList(values.output, "output"),
      }),
    );
    const name = programName(file);
    const dir = values.out ?? path.join("circuits", name);
    const onProgress = progressPrinter(io, values.json === true);
    const { manifest, cached } = await buildCircuit(program, dir, {
      steps,
      width,
      name,
      ...(onProgress ? { onProgress } : {}),
    });
    if (values.json) {
      io.out(
        toJson({
          dir,
          constraints: manifest.constraints,
          publicSignals: manifest.publicSignals.map((s) => s.name),
          publicSignalLayout: manifest.publicSignals,
          privateInputs: manifest.privateInputs.map((s) => s.name),
          programHash: manifest.programHash,
          steps: manifest.steps,
          width: manifest.width,
          blockSteps: manifest.blockSteps,
          stepCounter: manifest.stepCounter,
          estimatedConstraints: manifest.estimatedConstraints,
          profile: manifest.profile,
          cached,
        }),
      );
      return 0;
    }
    io.out(
      `${cached ? "up to date" : "compiled"}: ${dir} — ${manifest.constraints} constraint${manifest.constraints === 1 ? "" : "s"} (N = ${steps}, W = ${width}, ${manifest.blockSteps} block steps)`,
    );
    io.out(`public signals, in order: ${signalList(manifest) || "none"}`);
    if (manifest.privateInputs.length > 0) {
      io.out(`private inputs: ${manifest.privateInputs.map((s) => s.name).join(", ")}`);
    }
    if (values.profile) for (const row of profileTable(manifest)) io.out(row);
    io.out(`next: zkvm setup ${dir}`);
    return 0;
  },
};

export const setupCommand: Command = {
  name: "setup",
  summary: "Groth16 trusted setup of a compiled circuit",
  help: `Usage: zkvm setup DIR [--ptau FILE] [--force] [--json]

Runs the Groth16 setup for the circuit compiled in DIR: powers of tau, phase 2
with one random contribution, and verification_key.json.

Without --ptau, zkvm uses a LOCAL DEVELOPMENT ceremony: a powers-of-tau file it
generates on this machine (new, one contribution of random entropy, prepare
phase 2), cached in $ZKVM_CACHE_DIR or ~/.cache/zkvm and reused by every later
setup. Whoever ran it could forge proofs: use it for development only. For
proofs other people rely on, pass a phase-2-prepared file from a public
ceremony (for example the Hermez powersOfTau28_hez_final_<k>.ptau files) with
--ptau; zkvm checks that it is prepared and large enough. No network is used.

Options:
  --ptau FILE   phase-2-prepared powers of tau to use
  --force       redo the setup even if DIR already has one (replaces a damaged key)
  --json        print the setup record as JSON (no progress output)`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { ptau: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    if (values.ptau === "") throw new UsageError("--ptau needs a file name");
    const onProgress = progressPrinter(io, values.json === true);
    const { manifest, cached } = await setupCircuit(dir, {
      ...(values.ptau !== undefined ? { ptau: values.ptau } : {}),
      ...(values.force ? { force: true } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const setup = manifest.setup!;
    if (values.json) {
      io.out(toJson({ dir, cached, ...setup }));
      return 0;
    }
    io.out(
      `${cached ? "already set up" : "set up"}: ${dir} — proving key ${setup.zkey}, verification_key.json (2^${setup.power} domain)`,
    );
    if (setup.ptau.source === "local-development") {
      io.out(
        "note: the powers of tau come from a local development ceremony; use --ptau with a public ceremony file for real deployments",
      );
    }
    io.out(`next: zkvm prove ${dir} --input name=value ...`);
    return 0;
  },
};
