/**
 * The in-memory WASI layer the page runs circom2 with (src/browser/wasi.ts),
 * exercised in Node on the real circom.wasm: a circuit compiles to files in
 * the in-memory file system, and circom's errors come back as its exit code
 * and stderr, with nothing written.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "chai";
import { MemoryFileSystem, runWasi } from "../src/browser/wasi.js";

const require = createRequire(import.meta.url);

describe("in-memory WASI for circom2 (src/browser/wasi.ts)", function () {
  this.timeout(60_000);
  let circom: WebAssembly.Module;

  before(async () => {
    circom = await WebAssembly.compile(readFileSync(require.resolve("circom2/circom.wasm")));
  });

  const CIRCUIT = [
    "pragma circom 2.1.0;",
    'include "square.circom";',
    "template Main() { signal input x; signal output y; signal s <== Square()(x); y <== s + 1; }",
    "component main = Main();",
  ].join("\n");
  const LIBRARY =
    "pragma circom 2.1.0;\ntemplate Square() { signal input in; signal output out; out <== in * in; }\n";

  it("compiles a circuit whose include is found through -l, writing .r1cs and the witness wasm", async () => {
    const fs = new MemoryFileSystem();
    fs.writeFile("src/main.circom", CIRCUIT);
    fs.writeFile("lib/square.circom", LIBRARY);
    fs.mkdirs("out");
    const args = ["circom2", "src/main.circom", "--r1cs", "--wasm", "-o", "out", "-l", "lib"];
    const r = await runWasi(circom, args, fs);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("non-linear constraints: 1");
    expect(fs.list("out")).to.deep.equal(["main.r1cs", "main_js"]);
    const r1cs = fs.readFile("out/main.r1cs")!;
    expect(new TextDecoder().decode(r1cs.subarray(0, 4))).to.equal("r1cs");
    const wasm = fs.readFile("out/main_js/main.wasm")!;
    expect(WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)).to.equal(true);
  });

  it("reports a syntax error through the exit code and stderr, writing nothing", async () => {
    const fs = new MemoryFileSystem();
    fs.writeFile("main.circom", "pragma circom 2.1.0;\ntemplate Main() { signal input x\n}\n");
    fs.mkdirs("out");
    const r = await runWasi(circom, ["circom2", "main.circom", "--r1cs", "-o", "out"], fs);
    expect(r.exitCode).to.not.equal(0);
    expect(r.stderr).to.match(/error/i);
    expect(r.stderr).to.contain("main.circom");
    expect(fs.list("out")).to.deep.equal([]);
  });

  it("reports a missing include, and paths cannot escape the file system's root", async () => {
    const fs = new MemoryFileSystem();
    fs.writeFile("main.circom", CIRCUIT);
    fs.mkdirs("out");
    const r = await runWasi(
      circom,
      ["circom2", "main.circom", "--r1cs", "-o", "out", "-l", "../lib"],
      fs,
    );
    expect(r.exitCode).to.not.equal(0);
    expect(r.stderr).to.contain("square.circom");
    expect(fs.readFile("../main.circom")).to.equal(undefined);
  });
});
