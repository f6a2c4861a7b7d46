/// <reference lib="dom" />
/**
 * The playground: an assembly editor over zkvm/browser. Run, Compile, Prove
 * and Verify all happen in this page; the only files it loads are its own
 * (app.js and style.css): circuits are compiled with the direct backend, no
 * circom2 compiler to download.
 */
import {
  decode,
  disassemble,
  P,
  ZKVM,
  ZkvmError,
  type Compilation,
  type ProgressEvent,
  type TraceStep,
  type ZKVMProof,
} from "../src/browser/index.js";

const EXAMPLES = __ZKVM_EXAMPLES__;
const DEFAULT_EXAMPLE = "power";
/** The example selector's value once the source is edited. */
const EDITED = "";

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`missing #${id}`);
  return el as T;
}

const ui = {
  example: $<HTMLSelectElement>("example"),
  steps: $<HTMLInputElement>("steps"),
  source: $<HTMLTextAreaElement>("source"),
  lineError: $<HTMLDivElement>("line-error"),
  gutter: $<HTMLPreElement>("gutter"),
  error: $<HTMLDivElement>("error"),
  description: $<HTMLParagraphElement>("description"),
  inputs: $<HTMLDivElement>("inputs"),
  run: $<HTMLButtonElement>("run"),
  compile: $<HTMLButtonElement>("compile"),
  prove: $<HTMLButtonElement>("prove"),
  verify: $<HTMLButtonElement>("verify"),
  progress: $<HTMLDivElement>("progress"),
  outputs: $<HTMLDivElement>("outputs"),
  constraints: $<HTMLElement>("constraints"),
  circuitInfo: $<HTMLSpanElement>("circuit-info"),
  profile: $<HTMLTableElement>("profile"),
  trace: $<HTMLTableElement>("trace"),
  proofInfo: $<HTMLDivElement>("proof-info"),
  proof: $<HTMLTextAreaElement>("proof"),
  verdict: $<HTMLDivElement>("verdict"),
  exportVerifier: $<HTMLButtonElement>("export-verifier"),
  exportCalldata: $<HTMLButtonElement>("export-calldata"),
  exportOut: $<HTMLPreElement>("export"),
};

let vm: ZKVM | undefined;
/** The lines of the source `vm` was made from. */
let vmSource: string[] = [];
/** A source edit not yet validated (validation waits for a pause in typing). */
let editTimer: ReturnType<typeof setTimeout> | undefined;
let lastProof: ZKVMProof | undefined;
const inputFields = new Map<string, HTMLInputElement>();
let defaultInputs: Record<string, string> = {};

/** The step bound in the N field, or undefined with the error shown. */
function stepBound(): number | undefined {
  const n = Number(ui.steps.value);
  if (!Number.isSafeInteger(n) || n <= 0) {
    showError("steps: N must be a positive integer");
    return undefined;
  }
  return n;
}

function renderGutter(badLine?: number): void {
  const count = ui.source.value.split("\n").length;
  ui.gutter.replaceChildren(
    ...Array.from({ length: count }, (_, i) => {
      const span = document.createElement("span");
      span.textContent = `${i + 1}\n`;
      if (i + 1 === badLine) span.className = "bad";
      return span;
    }),
  );
  ui.gutter.scrollTop = ui.source.scrollTop;
}

/** The line an error is about (1-based), while one is shown. */
let errorLine: number | undefined;

/** Places the error's label on its line, beside the text, following the editor's scroll. */
function placeLineError(): void {
  const style = getComputedStyle(ui.source);
  const top =
    parseFloat(style.paddingTop) +
    ((errorLine ?? 1) - 1) * parseFloat(style.lineHeight) -
    ui.source.scrollTop;
  ui.lineError.style.top = `${top}px`;
  ui.lineError.hidden = errorLine === undefined || top < 0 || top > ui.source.clientHeight;
}

/** The source line of a byte offset, for assembly programs. */
function lineOfPc(pc: number | undefined): number | undefined {
  return pc === undefined ? undefined : vm?.program.lines?.get(pc);
}

/** Shows an error beside the editor, marking the line it comes from; the results shown before go. */
function showError(e: unknown): void {
  clearResults();
  let line: number | undefined;
  let text: string;
  if (e instanceof ZkvmError) {
    line = e.line ?? lineOfPc(e.pc ?? e.offset);
    text = `${line !== undefined ? `line ${line}: ` : ""}${e.code}: ${e.detail}`;
  } else text = e instanceof Error ? e.message : String(e);
  ui.error.textContent = text;
  ui.error.hidden = false;
  renderGutter(line);
  errorLine = line;
  ui.lineError.textContent = text.replace(/^line \d+: /, "");
  ui.lineError.title = text;
  placeLineError();
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = "";
  renderGutter();
  errorLine = undefined;
  placeLineError();
}

function setBusy(busy: boolean): void {
  for (const b of [ui.run, ui.compile, ui.prove, ui.verify, ui.exportVerifier, ui.exportCalldata]) {
    b.disabled = busy;
  }
}

/** Runs `action` with the buttons disabled, showing any error next to the source. */
async function act(action: () => Promise<void> | void): Promise<void> {
  // An edit still waiting for its debounce is applied first: the action sees what is on screen.
  if (editTimer !== undefined) {
    clearTimeout(editTimer);
    editTimer = undefined;
    loadSource();
  }
  setBusy(true);
  try {
    await action();
  } catch (e) {
    ui.progress.textContent = "";
    showError(e);
  } finally {
    setBusy(false);
  }
}

function onProgress(e: ProgressEvent): void {
  ui.progress.textContent =
    e.elapsedMs !== undefined ? `${e.message} (${e.elapsedMs} ms)` : e.message;
}

/** Re-validates the source; rebuilds the input fields from its declarations. */
function loadSource(): void {
  clearResults();
  markEdited();
  try {
    vm = new ZKVM(ui.source.value);
    vmSource = ui.source.value.split("\n");
  } catch (e) {
    vm = undefined;
    showError(e);
    return;
  }
  clearError();
  const previous = new Map([...inputFields].map(([name, field]) => [name, field.value]));
  inputFields.clear();
  const rows: HTMLElement[] = [];
  for (const decl of vm.program.io.inputs) {
    const label = document.createElement("label");
    label.htmlFor = `input-${decl.name}`;
    label.innerHTML = `<code></code> <span class="kind"></span>`;
    label.querySelector("code")!.textContent = decl.name;
    label.querySelector(".kind")!.textContent = `${decl.visibility} · cell ${decl.cell}`;
    const field = document.createElement("input");
    field.id = `input-${decl.name}`;
    field.dataset.testid = `input-${decl.name}`;
    field.value = previous.get(decl.name) ?? defaultInputs[decl.name] ?? "0";
    inputFields.set(decl.name, field);
    rows.push(label, field);
  }
  if (rows.length === 0) {
    const none = document.createElement("span");
    none.className = "kind";
    none.textContent = "this program declares no inputs";
    rows.push(none);
  }
  ui.inputs.replaceChildren(...rows);
}

function inputs(): Record<string, string> {
  return Object.fromEntries([...inputFields].map(([name, field]) => [name, field.value.trim()]));
}

function loadExample(name: string): void {
  const example = EXAMPLES.find((e) => e.name === name) ?? EXAMPLES[0]!;
  ui.example.value = example.name;
  ui.source.value = example.source;
  ui.steps.value = String(example.spec.steps ?? 64);
  ui.description.textContent = example.spec.description ?? "";
  // The successful case that runs longest is the most interesting one to start from.
  const cases = example.spec.cases.filter((c) => c.error === undefined);
  const longest = cases.reduce<(typeof cases)[number] | undefined>(
    (best, c) => (best === undefined || (c.steps ?? 0) > (best.steps ?? 0) ? c : best),
    undefined,
  );
  defaultInputs = longest?.inputs ?? {};
  inputFields.clear();
  loadSource();
}

/** Empties the outputs, trace, circuit and proof: what a new program or an error makes stale. */
function clearResults(): void {
  lastProof = undefined;
  for (const el of [ui.outputs, ui.constraints]) el.textContent = "—";
  for (const el of [ui.trace, ui.profile]) el.replaceChildren();
  ui.proof.value = "";
  ui.proofInfo.textContent = "";
  ui.verdict.textContent = "";
  ui.verdict.className = "verdict";
  ui.circuitInfo.textContent = "";
  ui.exportOut.hidden = true;
}

/** Once the source is not the selected example's any more, the page no longer names that example. */
function markEdited(): void {
  const example = EXAMPLES.find((e) => e.name === ui.example.value);
  if (example === undefined || example.source === ui.source.value) return;
  ui.example.value = EDITED;
  ui.description.textContent = "Your program (edited). Pick an example to start again from one.";
}

function row(cells: readonly string[], header = false): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const cell = document.createElement(header ? "th" : "td");
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}

function renderOutputs(outputs: Record<string, bigint>, steps: number): void {
  const lines = Object.entries(outputs).map(([name, value]) => `${name} = ${value}`);
  ui.outputs.textContent = `${lines.join("\n") || "(no outputs)"}\nhalted after ${steps} steps`;
}

/** A field element for the trace: values just below p as p-k (the wrap-around of negatives), else decimal. */
function fieldText(v: bigint): string {
  return v > P - 2n ** 64n ? `p-${P - v}` : String(v);
}

/** The instruction as the source writes it (`LOAD x`, `JUMPI loop`), without its label and comment. */
function sourceText(pc: number): string | undefined {
  const line = vm?.program.lines?.get(pc);
  const text = line === undefined ? undefined : vmSource[line - 1];
  if (text === undefined) return undefined;
  const bare = text
    .replace(/;.*$/, "")
    .replace(/^\s*[A-Za-z_][A-Za-z0-9_]*:/, "")
    .trim()
    .replace(/\s+/g, " ");
  return bare === "" ? undefined : bare;
}

function renderTrace(trace: readonly TraceStep[]): void {
  const text = new Map(
    decode(vm!.program.code).map((i) => [
      i.offset,
      sourceText(i.offset) ??
        // The disassembler's line for this one instruction, without its offset comment.
        disassemble(vm!.program.code.subarray(i.offset, i.offset + i.size))
          .replace(/;.*$/s, "")
          .trim()
          .replace(/\d{20,}/g, (v) => fieldText(BigInt(v))),
    ]),
  );
  const shown = trace.slice(0, 2000);
  ui.trace.replaceChildren(
    row(["step", "pc", "instruction", "stack (before)", "memory write"], true),
    ...shown.map((t) =>
      row([
        String(t.step),
        String(t.pc),
        text.get(t.pc) ?? t.op,
        `[${t.stack.map(fieldText).join(", ")}]`,
        t.write ? `mem[${t.write.cell}] = ${fieldText(t.write.value)}` : "",
      ]),
    ),
  );
}

function renderCompilation(c: Compilation): void {
  $<HTMLDetailsElement>("profile-box").open = true;
  ui.constraints.textContent = String(c.constraints);
  ui.circuitInfo.textContent = ` (N = ${c.circuit.steps}, W = ${c.circuit.width}, ${c.circuit.blockSteps} block steps; .r1cs in ${c.backendMs} ms)`;
  ui.profile.replaceChildren(
    row(["pc", "line", "instruction", "block-steps", "constraints"], true),
    ...c.circuit.profile.map((p) =>
      row([String(p.pc), String(p.line ?? ""), p.op, String(p.steps), String(p.constraints)]),
    ),
    row(["", "", "transitions", "", String(c.circuit.transitionConstraints)]),
  );
}

function namedSignals(steps: number, signals: readonly string[]): string {
  return vm!
    .publicSignals(steps)
    .map((s, i) => `${s.name} = ${signals[i] ?? "?"}`)
    .join(", ");
}

/** The proof box: what Verify checks, so editing it (a tampered signal) is verified as edited. */
function readProofBox(): ZKVMProof | string {
  if (lastProof === undefined) return "no proof yet: press Prove first";
  let parsed: unknown;
  try {
    parsed = JSON.parse(ui.proof.value);
  } catch (e) {
    return `the proof box is not JSON: ${(e as Error).message}`;
  }
  const { publicSignals, proof } = (parsed ?? {}) as { publicSignals?: unknown; proof?: unknown };
  return { ...lastProof, publicSignals: publicSignals as string[], proof: proof as never };
}

ui.run.addEventListener("click", () =>
  act(() => {
    const steps = stepBound();
    if (vm === undefined || steps === undefined) return;
    clearError();
    const result = vm.execute(inputs(), { steps, trace: true });
    renderOutputs(result.outputs, result.steps);
    renderTrace(result.trace ?? []);
  }),
);

ui.compile.addEventListener("click", () =>
  act(async () => {
    const steps = stepBound();
    if (vm === undefined || steps === undefined) return;
    clearError();
    const compilation = await vm.compile(steps, { onProgress });
    renderCompilation(compilation);
    ui.progress.textContent = `compiled: ${compilation.constraints} constraints`;
  }),
);

ui.prove.addEventListener("click", () =>
  act(async () => {
    const steps = stepBound();
    if (vm === undefined || steps === undefined) return;
    clearError();
    ui.verdict.textContent = "";
    ui.verdict.className = "verdict";
    const started = performance.now();
    const proof = await vm.generateProof(inputs(), { steps, onProgress });
    const total = Math.round(performance.now() - started);
    lastProof = proof;
    renderOutputs(proof.outputs, proof.steps);
    renderCompilation(await vm.compile(steps));
    ui.proof.value = JSON.stringify(
      { publicSignals: proof.publicSignals, proof: proof.proof },
      null,
      2,
    );
    ui.proofInfo.textContent = `public signals: ${namedSignals(steps, proof.publicSignals) || "none"} · witness ${proof.timings.witnessMs} ms, prove ${proof.timings.proveMs} ms · ${total} ms in all`;
    ui.progress.textContent = `proved in ${total} ms`;
  }),
);

ui.verify.addEventListener("click", () =>
  act(async () => {
    if (vm === undefined) return;
    const proof = readProofBox();
    const result =
      typeof proof === "string" ? { valid: false, reason: proof } : await vm.checkProof(proof);
    if (result.valid && typeof proof !== "string") {
      ui.verdict.textContent = `valid: ${namedSignals(proof.circuit.steps, proof.publicSignals) || "no public signals"}`;
      ui.verdict.className = "verdict valid";
    } else {
      ui.verdict.textContent = `invalid: ${result.reason ?? "rejected"}`;
      ui.verdict.className = "verdict invalid";
    }
  }),
);

function showExport(text: string, fileName: string): void {
  ui.exportOut.hidden = false;
  ui.exportOut.textContent = text;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  link.download = fileName;
  link.textContent = `download ${fileName}`;
  ui.exportOut.prepend(link, document.createElement("br"));
}

ui.exportVerifier.addEventListener("click", () =>
  act(async () => {
    const steps = stepBound();
    if (vm === undefined || steps === undefined) return;
    if ((await vm.verificationKey(steps)) === undefined) {
      throw new Error("prove once first: the verifier is made from the circuit's keys");
    }
    showExport(
      await vm.exportSolidityVerifier(steps, __GROTH16_VERIFIER_TEMPLATE__),
      "Verifier.sol",
    );
  }),
);

ui.exportCalldata.addEventListener("click", () =>
  act(async () => {
    const proof = readProofBox();
    if (vm === undefined) return;
    if (typeof proof === "string") throw new Error(proof);
    showExport(await vm.solidityCalldata(proof), "calldata.txt");
  }),
);

ui.source.addEventListener("input", () => {
  renderGutter();
  clearTimeout(editTimer);
  editTimer = setTimeout(() => {
    editTimer = undefined;
    loadSource();
  }, 250);
});
ui.source.addEventListener("scroll", () => {
  ui.gutter.scrollTop = ui.source.scrollTop;
  placeLineError();
});
ui.example.addEventListener("change", () => {
  const url = new URL(location.href);
  url.searchParams.set("example", ui.example.value);
  history.replaceState(null, "", url);
  loadExample(ui.example.value);
});

for (const example of EXAMPLES) {
  const option = document.createElement("option");
  option.value = option.textContent = example.name;
  ui.example.append(option);
}
{
  const edited = document.createElement("option");
  edited.value = EDITED;
  edited.textContent = "(edited)";
  edited.disabled = true;
  ui.example.append(edited);
}
loadExample(new URL(location.href).searchParams.get("example") ?? DEFAULT_EXAMPLE);

// The compiler is in app.js (the direct backend: no circom2 to fetch), so once
// the page is loaded it needs no network at all (Compile, Prove and Verify all work offline).
$<HTMLSpanElement>("compiler-status").textContent = "compiler loaded: works offline";
document.body.dataset.compiler = "ready";
