/**
 * Segment chains on the command line: `prove` and `verify` on a segment
 * build directory (`zkvm compile --universal --segment-steps L`); main.ts
 * routes to these through universal.ts's `universalCommandFor`.
 */
import path from "node:path";
import { readJsonFile } from "../pipeline/index.js";
import { PipelineError } from "../pipeline/errors.js";
import { proveChain, verifyChain } from "../segments/index.js";
import { exportChainVerifier } from "../segments/solidity.js";
import { openUniversal, prepareProgram, universalVerificationKey } from "../universal/index.js";
import {
  inputPairs,
  ioOptions,
  parse,
  positiveInt,
  rawIoFrom,
  readProgram,
  toJson,
  UsageError,
  writeOutput,
  type Command,
} from "./common.js";
import { progressPrinter } from "./progress.js";

type IoValues = { private?: string[]; public?: string[]; output?: string[] };

function programFrom(file: string | undefined, values: IoValues) {
  if (file === undefined || file === "") throw new UsageError("missing --program FILE");
  return readProgram(file, rawIoFrom(values));
}

function segmentsOption(text: string | undefined): number | undefined {
  if (text === undefined || text === "auto") return undefined;
  return positiveInt(text, "segments", 1);
}

export const chainProveCommand: Command = {
  name: "prove",
  summary: "prove one execution as a chain of segment proofs",
  help: `Usage: zkvm prove DIR --program FILE [--input name=value ...] [--segments auto|K]
       [--pad-segments K] [--local P] [--queue redis://HOST:PORT] [--out FILE] [--json]
       [--private ADDR ...] [--public ADDR ...] [--output ADDR ...]

DIR is a segment build (zkvm compile --universal --segment-steps L). Runs the
program once in the interpreter, cuts the run every L steps and proves each
segment from its boundary states (salted commitments; the salts and states are
never written), with P local prover processes (default: the cores) or, with
--queue, on 'zkvm worker' processes (they see the private inputs: run them only
where those may go). Then checks the chain and writes it to --out (default
DIR/chain.json).

--segments K     exactly K segments (the run must halt within K * L steps; a
                 shorter run is padded with halted segments); default auto, the
                 fewest (the interpreter stops at 1,000,000 steps)
--pad-segments K at least K segments`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        ...ioOptions,
        program: { type: "string" },
        input: { type: "string", multiple: true, short: "i" },
        segments: { type: "string" },
        "pad-segments": { type: "string" },
        local: { type: "string" },
        queue: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const program = programFrom(values.program, values);
    const inputs = inputPairs(values.input);
    const segments = segmentsOption(values.segments);
    const quiet = values.json === true;
    const onSegment = quiet
      ? undefined
      : (p: { done: number; total: number; index: number; ms: number }) =>
          io.err(`segment ${p.index} proven (${p.done}/${p.total}, ${(p.ms / 1000).toFixed(1)} s)`);
    const progress = progressPrinter(io, quiet);
    progress?.({ stage: "chain", message: "running the program and cutting it into segments" });
    const result = await proveChain(dir, program, inputs, {
      ...(segments !== undefined ? { segments } : {}),
      ...(values["pad-segments"] !== undefined
        ? { padSegments: positiveInt(values["pad-segments"], "pad-segments", 1) }
        : {}),
      ...(values.local !== undefined ? { local: positiveInt(values.local, "local", 1) } : {}),
      ...(values.queue !== undefined ? { queue: values.queue } : {}),
      ...(onSegment ? { onSegment } : {}),
    });
    const file = values.out ?? path.join(dir, "chain.json");
    await writeOutput(file, JSON.stringify(result.chain, null, 1) + "\n");
    const outputs = Object.fromEntries(
      Object.entries(result.outputs).map(([k, v]) => [k, v.toString()]),
    );
    if (quiet) {
      io.out(
        toJson({
          programHash: result.chain.programHash,
          outputs,
          steps: result.steps,
          segments: result.chain.segments.length,
          segmentSteps: result.chain.segmentSteps,
          chain: file,
          timings: result.timings,
        }),
      );
      return 0;
    }
    for (const [name, value] of Object.entries(outputs)) io.out(`${name} = ${value}`);
    io.out(`program hash ${result.chain.programHash}`);
    io.out(
      `proved an execution of ${result.steps} steps as ${result.chain.segments.length} segments of ${result.chain.segmentSteps}; wrote ${file}`,
    );
    return 0;
  },
};

export const chainExportVerifierCommand: Command = {
  name: "export-verifier",
  summary: "write the Solidity chain verifier of a segment build",
  help: `Usage: zkvm export-verifier DIR [-o FILE]

DIR is a segment build. Writes its chain verifier (contract SegmentChainVerifier)
to FILE (default DIR/chain-verifier.sol): verifyChain(proofs, signals, programHash)
checks a whole chain in one call, the links as 'zkvm verify' does and the k
proofs in one batched pairing check, with weights from keccak256 over all
proofs and signals.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: "string", short: "o" } }, 1);
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const manifest = await openUniversal(dir);
    const vkey = await universalVerificationKey(dir, "segment");
    const file = values.out ?? path.join(dir, "chain-verifier.sol");
    await writeOutput(file, exportChainVerifier(vkey, manifest.bounds));
    io.out(`wrote ${file}`);
    return 0;
  },
};

export const chainVerifyCommand: Command = {
  name: "verify",
  summary: "verify a segment chain as a proof about a program",
  help: `Usage: zkvm verify DIR --program FILE [--chain FILE] [--json]
       [--private ADDR ...] [--public-cell ADDR ...] [--output ADDR ...]

DIR is a segment build. Recomputes the program's hash and checks the chain
(default DIR/chain.json): every segment proves that hash under DIR's key,
segment 0 is the first (pc 0, the inputs in their cells), each segment starts
in the state the previous one ends in, and the last is halted. The k proofs
are checked in one batch. Prints "valid" with the outputs and exits 0, or
prints why not and exits 1.`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        private: ioOptions.private,
        output: ioOptions.output,
        "public-cell": { type: "string", multiple: true },
        program: { type: "string" },
        chain: { type: "string" },
        json: { type: "boolean" },
      },
      1,
    );
    if (values.help) return (io.out(this.help), 0);
    const dir = positionals[0]!;
    const program = programFrom(values.program, {
      ...(values.private ? { private: values.private } : {}),
      ...(values["public-cell"] ? { public: values["public-cell"] } : {}),
      ...(values.output ? { output: values.output } : {}),
    });
    const manifest = await openUniversal(dir);
    const vkey = await universalVerificationKey(dir, "segment");
    const chainFile = values.chain ?? path.join(dir, "chain.json");
    const chain = await readJsonFile(chainFile).catch((e: unknown) => {
      if (e instanceof PipelineError && e.code === "BAD_JSON_FILE") {
        throw new PipelineError("BAD_CHAIN_FILE", `${chainFile} is not a segment chain`, {
          cause: e,
          path: chainFile,
        });
      }
      throw e;
    });
    const prepared = await prepareProgram(program);
    const expected = prepared.hash.toString();
    const t0 = performance.now();
    const result = await verifyChain(vkey, manifest.bounds, chain, { programHash: expected });
    const verifyMs = Math.round(performance.now() - t0);
    const { io: decl } = prepared.program;
    const named =
      result.valid && result.outputs && result.publicInputs
        ? Object.fromEntries([
            ...decl.outputs.map((o, k) => [o.name, result.outputs![k]!]),
            ...decl.inputs
              .filter((i) => i.visibility === "public")
              .map((i, k) => [i.name, result.publicInputs![k]!]),
          ])
        : undefined;
    if (values.json) {
      io.out(toJson({ ...result, programHash: expected, values: named, verifyMs }));
      return result.valid ? 0 : 1;
    }
    if (result.valid) {
      const shown = Object.entries(named ?? {}).map(([k, v]) => `, ${k} = ${v}`);
      const k = (chain as { segments: unknown[] }).segments.length;
      io.out(`valid: program hash ${expected}, ${k} segments${shown.join("")}`);
      return 0;
    }
    io.err(`invalid: ${result.reason ?? "the chain does not verify"}`);
    return 1;
  },
};
