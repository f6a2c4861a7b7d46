/**
 * The documentation's examples, run: every ```console block of README.md and
 * of the docs pages listed in DOCUMENTS is executed, command by command, in a
 * temporary directory, and what the command prints must be what the page
 * shows. A change that alters an output fails here until the page follows.
 *
 * Conventions the pages follow (and this file enforces):
 * - A code block whose first line is a comment naming a file (`; name.zkasm`,
 *   `; name.zkasm: ...`, `// name.mjs`) is written to that file before the
 *   console blocks after it run.
 * - In a ```console block, a line starting with `$ ` is a command (a trailing
 *   `\` continues it; a trailing `# ...` is a comment); the lines up to the
 *   next command are its output: stdout and stderr in the order printed,
 *   without progress lines (`[   0.4s] stage: ...`). A line `...` stands for
 *   any number of lines. Times (`0.64 s`, `12 ms`) are compared as `<time>`.
 * - Commands: `npx zkvm ARGS` (the CLI's main(), in process), `cat FILE`,
 *   `node FILE.mjs` (the script imported in process, with `zkvm` resolved to
 *   this checkout's src/index.ts and console.log captured).
 * - A command must exit 0 unless its output shows an error
 *   (`zkvm <command>: error ...`) or an invalid proof (`invalid: ...`).
 */
import { expect } from "chai";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";
import { main } from "../src/cli/main.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Pages whose console examples are checked. */
export const DOCUMENTS = ["README.md", "docs/CLI.md", "docs/UNIVERSAL.md"];

export interface Block {
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  lines: string[];
}

/** The fenced code blocks of a Markdown text, in order. */
export function codeBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split("\n");
  let open: Block | undefined;
  lines.forEach((l, i) => {
    if (open === undefined) {
      const m = /^```(\S*)/.exec(l);
      if (m !== null) open = { lang: m[1] ?? "", line: i + 1, lines: [] };
    } else if (/^```\s*$/.test(l)) {
      blocks.push(open);
      open = undefined;
    } else {
      open.lines.push(l);
    }
  });
  if (open !== undefined) throw new Error(`unclosed code block at line ${open.line}`);
  return blocks;
}

/** The file a block stands for, from its first line (`; name.zkasm`, `// name.mjs`), if any. */
export function blockFile(block: Block): string | undefined {
  if (block.lang === "console") return undefined;
  const m = /^(?:;|\/\/)\s*([\w.-]+\.(?:zkasm|hex|mjs|json))\b/.exec(block.lines[0] ?? "");
  return m?.[1];
}

export interface Command {
  argv: string[];
  expected: string[];
  /** 1-based line of the `$` line in the page. */
  line: number;
}

/** Shell-like words: whitespace-separated, with '...' and "..." quoting. */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

export function commands(block: Block): Command[] {
  const out: Command[] = [];
  for (let i = 0; i < block.lines.length; i++) {
    const l = block.lines[i] ?? "";
    if (!l.startsWith("$ ")) {
      const last = out[out.length - 1];
      if (last === undefined)
        throw new Error(`console block at line ${block.line}: output before any command`);
      last.expected.push(l);
      continue;
    }
    const line = block.line + 1 + i;
    let text = l.slice(2);
    while (text.endsWith("\\")) text = text.slice(0, -1) + " " + (block.lines[++i] ?? "").trim();
    text = text.replace(/\s+#.*$/, "");
    out.push({ argv: words(text), expected: [], line });
  }
  return out;
}

const PROGRESS = /^\[\s*\d+(\.\d+)?s\] /;
const TIME = /\b\d[\d,]*(\.\d+)? ?(s|ms)\b/g;

export function normalise(lines: string[]): string[] {
  return lines.map((l) => l.replace(TIME, "<time>").trimEnd());
}

/** Does `actual` match `expected`, where an expected line `...` matches any number of lines? */
export function matches(expected: string[], actual: string[]): boolean {
  const e = normalise(expected);
  const a = normalise(actual);
  const go = (i: number, j: number): boolean => {
    if (i === e.length) return j === a.length;
    if (e[i]?.trim() === "...") return go(i + 1, j) || (j < a.length && go(i, j + 1));
    return j < a.length && e[i] === a[j] && go(i + 1, j + 1);
  };
  return go(0, 0);
}

function splitLines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}

async function runCommand(
  argv: string[],
  cwd: string,
): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const [program, ...args] = argv;
  const file = args.length === 1 ? path.resolve(cwd, args[0] ?? "") : undefined;
  if (program === "npx" && args[0] === "zkvm") {
    const status = await main(args.slice(1), {
      out: (t) => void lines.push(...splitLines(t)),
      err: (t) => void lines.push(...splitLines(t).filter((l) => !PROGRESS.test(l))),
    });
    return { status, lines };
  }
  if (program === "cat" && file !== undefined) {
    return { status: 0, lines: splitLines(readFileSync(file, "utf8")) };
  }
  if (program === "node" && file?.endsWith(".mjs") === true) {
    // The script as written, with `zkvm` resolved to this checkout's sources.
    const script = file;
    const source = readFileSync(script, "utf8").replace(
      /from "zkvm"/g,
      `from ${JSON.stringify(pathToFileURL(path.join(ROOT, "src", "index.ts")).href)}`,
    );
    const runnable = script.replace(/\.mjs$/, `.run-${Date.now()}.mjs`);
    writeFileSync(runnable, source);
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(...splitLines(format(...a)));
    try {
      await import(pathToFileURL(runnable).href);
    } finally {
      console.log = log;
    }
    return { status: 0, lines };
  }
  throw new Error(
    `the docs test cannot run '${argv.join(" ")}' (only npx zkvm, cat and node *.mjs)`,
  );
}

const FAILURE = /^(zkvm [\w-]+: error |invalid: )/;

for (const document of DOCUMENTS) {
  describe(`the console examples of ${document}`, function () {
    const text = readFileSync(path.join(ROOT, document), "utf8");
    const blocks = codeBlocks(text);
    let work: string;
    let cwd: string;

    before(() => {
      work = mkdtempSync(path.join(tmpdir(), "zkvm-docs-"));
      cpSync(path.join(ROOT, "examples"), path.join(work, "examples"), { recursive: true });
      // Worker threads resolve `--import tsx` from the current directory, which becomes `work`.
      symlinkSync(path.join(ROOT, "node_modules"), path.join(work, "node_modules"), "dir");
      cwd = process.cwd();
      process.chdir(work);
    });
    after(async () => {
      process.chdir(cwd);
      rmSync(work, { recursive: true, force: true });
    });

    it("has console examples, each command one the test can run", () => {
      const consoles = blocks.filter((b) => b.lang === "console");
      expect(consoles, `${document} has no console block`).to.not.be.empty;
      for (const b of consoles)
        for (const c of commands(b)) expect(c.argv[0]).to.be.oneOf(["npx", "cat", "node"]);
    });

    for (const block of blocks) {
      const file = blockFile(block);
      if (file !== undefined) {
        it(`writes ${file} (line ${block.line})`, () => {
          writeFileSync(path.join(work, file), block.lines.join("\n") + "\n");
        });
        continue;
      }
      if (block.lang !== "console") continue;
      for (const command of commands(block)) {
        it(`${document}:${command.line}: $ ${command.argv.join(" ")}`, async function () {
          const started = performance.now();
          const { status, lines } = await runCommand(command.argv, work);
          if (performance.now() - started > 5000) {
            // Long commands say what they did, so a slow run shows where the time went.
            console.log(`      (${((performance.now() - started) / 1000).toFixed(1)} s)`);
          }
          const shown = command.expected.join("\n");
          const printed = lines.join("\n");
          expect(
            matches(command.expected, lines),
            `${document}:${command.line}: '$ ${command.argv.join(" ")}' printed\n${printed}\n\nbut the page shows\n${shown}\n`,
          ).to.equal(true);
          const shouldFail = command.expected.some((l) => FAILURE.test(l));
          expect(status !== 0, `exit status ${status}`).to.equal(shouldFail);
        });
      }
    }
  });
}

describe("the docs test's own rules", () => {
  it("'...' matches any number of lines, times are normalised", () => {
    expect(matches(["a", "...", "d"], ["a", "b", "c", "d"])).to.equal(true);
    expect(matches(["a", "...", "d"], ["a", "d"])).to.equal(true);
    expect(matches(["a", "d"], ["a", "b", "d"])).to.equal(false);
    expect(matches(["took 0.64 s"], ["took 12.01 s"])).to.equal(true);
    expect(matches(["21 constraints"], ["22 constraints"])).to.equal(false);
  });
  it("reads commands with continuations and comments", () => {
    const c = commands({
      lang: "console",
      line: 1,
      lines: ["$ npx zkvm hash \\", "  a.zkasm   # a comment", "42"],
    });
    expect(c.map((x) => [x.argv, x.expected])).to.deep.equal([
      [["npx", "zkvm", "hash", "a.zkasm"], ["42"]],
    ]);
  });
});

/** Pages other branches add; the integrator empties this list once they are merged. */
const PENDING: string[] = [];

describe("the documentation's links", () => {
  const pages = [
    "README.md",
    ...readdirSync(path.join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  for (const page of pages) {
    it(`${page}: every relative link names a file of the repository`, () => {
      const text = readFileSync(path.join(ROOT, page), "utf8");
      const missing: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] ?? "").replace(/#.*$/, "");
        if (target === "" || /^[a-z]+:/.test(target)) continue;
        const file = path.normalize(path.join(path.dirname(page), target));
        if (!existsSync(path.join(ROOT, file)) && !PENDING.includes(file)) missing.push(target);
      }
      expect(missing, `${page} links to files that do not exist`).to.deep.equal([]);
    });
  }
});
