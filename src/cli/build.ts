import path from "node:path";
import { buildCircuit, contributeToKey, setupCircuit, type Manifest } from "../build/index.js";
import { DEFAULT_WIDTH, MAX_WIDTH } from "../interpreter.js";
import { validate } from "../validator.js";
import {
  ioOptions,
  rawIoFrom,
  parse,
  positiveInt,
  programName,
  readProgram,
  toJson,
  UsageError,
  type Command,
} from "./common.js";
import { progressPrinter } from "./progress.js";

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
  summary: "compile a program to a Circom circuit and its R1CS",
  help: `Usage: zkvm compile <file> --steps N [-o DIR] [--width W] [--backend B] [--force] [--profile] [--json]

Compiles a program into a circuit that accepts exactly its executions that halt
within N steps. DIR (default circuits/<name>/) receives <name>.circom (the
readable circuit), <name>.r1cs, <name>.sym and manifest.json. A failed compile
leaves a previous build in DIR untouched; a build whose key or proof the new
circuit would discard is kept unless --force.

Backends (--backend):
  direct   (default) writes the .r1cs and .sym straight from the compiler's
           constraints, as circom2 --O2 would, and computes witnesses in
           TypeScript: no circom2 run, no size ceiling from it
  circom   runs circom2 --O2 on <name>.circom (the reference), which also
           writes the witness generator <name>_js/<name>.wasm

Options:
  --steps N        step bound (required)
  -o, --out DIR    build directory (default circuits/<name>/)
  --backend B      direct or circom (default direct)
  --width W        comparison width for LT/GT, 1..${MAX_WIDTH} (default ${DEFAULT_WIDTH})
  --force          replace DIR even if it holds a proving key or a proof (deleted with it)
  --profile        print the constraints each instruction costs
  --json           print {"constraints", "publicSignals", "profile", ...} as JSON
  --private ADDR, --public ADDR, --output ADDR
                   I/O cells of raw bytecode

zkvm compile --universal [bounds] builds one circuit for every program within
the bounds instead: see zkvm compile --universal --help.`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        ...ioOptions,
        steps: { type: "string" },
        out: { type: "string", short: "o" },
        width: { type: "string" },
        force: { type: "boolean" },
        profile: { type: "boolean" },
        json: { type: "boolean" },
        backend: { type: "string" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    if (values.steps === undefined) throw new UsageError("missing --steps N");
    const backend = values.backend ?? "direct";
    if (backend !== "direct" && backend !== "circom") {
      throw new UsageError(`--backend must be direct or circom, got ${JSON.stringify(backend)}`);
    }
    const steps = positiveInt(values.steps, "steps", 0);
    const width = positiveInt(values.width, "width", DEFAULT_WIDTH);
    if (width > MAX_WIDTH) throw new UsageError(`--width must be at most ${MAX_WIDTH}`);
    const file = positionals[0]!;
    const program = validate(readProgram(file, rawIoFrom(values)));
    const name = programName(file);
    const dir = values.out ?? path.join("circuits", name);
    const onProgress = progressPrinter(io, values.json === true);
    const { manifest, cached } = await buildCircuit(program, dir, {
      steps,
      width,
      name,
      backend,
      ...(values.force ? { force: true } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    if (values.json) {
      io.out(
        toJson({
          dir,
          constraints: manifest.constraints,
          backend,
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
       zkvm setup DIR --contribute [--name NAME] [--json]

Makes the Groth16 proving key (DIR/<name>.zkey) and verification_key.json for
the circuit compiled in DIR, and records in DIR/manifest.json how.

Without --ptau: a DIRECT DEVELOPMENT setup. zkvm samples the secrets (tau,
alpha, beta, gamma, delta) from the system's CSPRNG, computes the key from the
R1CS, and drops them; no powers of tau are generated or downloaded. Whoever
ran it could forge proofs, as with any one-party setup: use it for
development, or have other parties add contributions (--contribute).

With --ptau FILE: snarkjs's route from a phase-2-prepared powers of tau (for
example a public ceremony's, such as the Hermez
powersOfTau28_hez_final_<k>.ptau files), then one random contribution. zkvm
checks that the file is prepared and large enough. No network is used.

--contribute adds one contribution of fresh random entropy to DIR's existing
key (of either kind) with snarkjs, and updates the verification key and the
manifest: the key is sound unless every party that contributed was dishonest.

Options:
  --ptau FILE     phase-2-prepared powers of tau to use
  --force         redo the setup even if DIR already has one (replaces a damaged key)
  --contribute    add a contribution to DIR's key
  --name NAME     the contribution's name, recorded in the key (with --contribute)
  --json          print the setup record as JSON (no progress output)`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        ptau: { type: "string" },
        force: { type: "boolean" },
        contribute: { type: "boolean" },
        name: { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    if (values.ptau === "") throw new UsageError("--ptau needs a file name");
    if (values.contribute && (values.ptau !== undefined || values.force)) {
      throw new UsageError("--contribute adds to the existing key: no --ptau or --force with it");
    }
    if (values.name !== undefined && !values.contribute) {
      throw new UsageError("--name names a contribution: use it with --contribute");
    }
    const onProgress = progressPrinter(io, values.json === true);
    const progress = onProgress ? { onProgress } : {};
    const { manifest, cached } = values.contribute
      ? await contributeToKey(dir, {
          ...(values.name !== undefined ? { name: values.name } : {}),
          ...progress,
        })
      : await setupCircuit(dir, {
          ...(values.ptau !== undefined ? { ptau: values.ptau } : {}),
          ...(values.force ? { force: true } : {}),
          ...progress,
        });
    const setup = manifest.setup;
    if (values.json) {
      io.out(toJson({ dir, cached, ...setup }));
      return 0;
    }
    const made =
      setup.kind === "ptau"
        ? `from ${setup.ptau?.path ?? "a powers of tau"}`
        : "from the direct development setup";
    const contributions =
      setup.contributions > 0
        ? `, ${setup.contributions} contribution${setup.contributions === 1 ? "" : "s"}`
        : "";
    const what = cached ? "already set up" : values.contribute ? "contributed" : "set up";
    io.out(
      `${what}: ${dir} — proving key ${setup.zkey} ${made}${contributions} (2^${setup.power} domain)`,
    );
    if (setup.kind === "direct-development" && setup.contributions === 0) {
      io.out(
        "note: a development key: this machine chose its secrets. Other parties can add contributions (zkvm setup DIR --contribute); --ptau uses a public ceremony's powers of tau",
      );
    }
    io.out(`next: zkvm prove ${dir} --input name=value ...`);
    return 0;
  },
};
