/**
 * zkvm/browser and the playground in a real headless Chromium (playwright-core):
 * the page flow for two examples (run, compile, prove, verify, a tampered
 * public signal rejected) with every request recorded and required to stay on
 * the page's origin, and the library bundled into a page of its own (in-page
 * compile and setup, the IndexedDB cache across a reload, prebuilt artifacts
 * from `zkvm compile` + `zkvm setup` in Node). The page is built here, from
 * source. A missing Chromium fails with how to install it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { build } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { buildLibrary, buildLibraryPage, buildWeb } from "../scripts/build-web.js";
import { serveStatic } from "../scripts/playground.js";
import { chromiumPath, launchChromium } from "./helpers/chromium.js";
import { zkvm } from "./helpers/cli.js";
import { EXAMPLES_DIR } from "./helpers/examples.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The README's screenshot: rewritten only on request (ZKVM_UPDATE_SCREENSHOT=1), else taken into the test's directory. */
const DOCS_SCREENSHOT = join(ROOT, "docs", "playground.png");

interface ExampleCase {
  inputs: Record<string, string>;
  outputs?: Record<string, string>;
  steps?: number;
  error?: string;
}

function exampleSpec(name: string): { steps: number; cases: ExampleCase[] } {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), "utf8")) as {
    steps: number;
    cases: ExampleCase[];
  };
}

describe("in the browser (headless Chromium)", function () {
  this.timeout(180_000);
  let work: string;
  let browser: Browser;
  let server: Server;
  let url: string;
  let libraryBundle: { inputs: string[]; imports: string[]; text: string };
  let prebuiltManifest: { files: { r1cs: { sha256: string } } };
  let directManifest: { files: { r1cs: { sha256: string } }; setup: { zkey: string } };
  let playgroundFiles: string[];

  before(async function () {
    this.timeout(300_000);
    chromiumPath(); // fail first, with what to do, when there is no Chromium
    work = mkdtempSync(join(tmpdir(), "zkvm-browser-"));
    const site = join(work, "site");
    await buildWeb(site);
    // The playground compiles with the direct backend: no circom2 compiler in its folder.
    playgroundFiles = readdirSync(site).sort();

    // The library on its own, as an application bundles it, with a page that exposes it.
    const metafile = await buildLibraryPage(site);
    libraryBundle = {
      inputs: Object.keys(metafile.inputs),
      imports: Object.values(metafile.inputs).flatMap((i) => i.imports.map((imp) => imp.path)),
      text: readFileSync(join(site, "lib", "zkvm.js"), "utf8"),
    };

    // A server-side build of the seed example (compile, then setup), served as prebuilt artifacts.
    const build = join(work, "seed-build");
    for (const argv of [
      // The page proves with circom's witness generator: the circom backend writes it.
      [
        "compile",
        join(EXAMPLES_DIR, "seed.hex"),
        "--steps",
        "8",
        "-o",
        build,
        "--backend",
        "circom",
      ],
      ["setup", build],
    ]) {
      const r = await zkvm(...argv);
      expect(r.status, r.err).to.equal(0);
    }
    prebuiltManifest = JSON.parse(readFileSync(join(build, "manifest.json"), "utf8")) as {
      files: { r1cs: { sha256: string } };
    };
    const manifest = prebuiltManifest as unknown as {
      files: { wasm: { path: string } };
      setup: { zkey: string };
    };
    mkdirSync(join(site, "prebuilt"));
    for (const [from, to] of [
      ["manifest.json", "manifest.json"],
      [manifest.files.wasm.path, "seed.wasm"],
      [manifest.setup.zkey, "seed.zkey"],
      ["verification_key.json", "verification_key.json"],
    ] as const) {
      writeFileSync(join(site, "prebuilt", to), readFileSync(join(build, from)));
    }
    // The same program built by the direct backend (the default): no witness generator.
    const directBuild = join(work, "seed-direct");
    for (const argv of [
      ["compile", join(EXAMPLES_DIR, "seed.hex"), "--steps", "8", "-o", directBuild],
      ["setup", directBuild],
    ]) {
      const r = await zkvm(...argv);
      expect(r.status, r.err).to.equal(0);
    }
    directManifest = JSON.parse(
      readFileSync(join(directBuild, "manifest.json"), "utf8"),
    ) as typeof directManifest;
    mkdirSync(join(site, "prebuilt-direct"));
    for (const [from, to] of [
      ["manifest.json", "manifest.json"],
      [directManifest.setup.zkey, "seed.zkey"],
      ["verification_key.json", "verification_key.json"],
    ] as const) {
      writeFileSync(join(site, "prebuilt-direct", to), readFileSync(join(directBuild, from)));
    }

    ({ url, server } = await serveStatic(site, 0));
    browser = await launchChromium(work);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** A fresh context (own IndexedDB) whose every request is recorded. */
  async function openPage(path: string): Promise<{
    context: BrowserContext;
    page: Page;
    requests: string[];
    errors: string[];
  }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    // tsx compiles this file with esbuild's keepNames, which wraps functions in
    // page.evaluate callbacks with a `__name` helper that only exists in Node.
    await context.addInitScript("globalThis.__name = (f) => f;");
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    context.on("request", (r) => void requests.push(r.url()));
    page.on("pageerror", (e) => void errors.push(String(e)));
    await page.goto(new URL(path, url).href);
    return { context, page, requests, errors };
  }

  /** Every request went to the page's own server (blob: and data: URLs never leave the page). */
  function expectOwnOrigin(requests: readonly string[]): void {
    const origin = new URL(url).origin;
    const foreign = requests.filter((r) => {
      const u = new URL(r);
      return u.protocol !== "blob:" && u.protocol !== "data:" && u.origin !== origin;
    });
    expect(foreign, "requests that left the page's origin").to.deep.equal([]);
    expect(requests.length).to.be.greaterThan(0);
  }

  it("the playground's folder has no circom.wasm (the direct backend compiles in the page)", () => {
    expect(playgroundFiles).to.deep.equal(["app.js", "index.html", "style.css"]);
  });

  it("bundles zkvm/browser for a page with no Node built-in and no shim", () => {
    expect(
      libraryBundle.inputs.filter(
        (i) => i.startsWith("node:") || !/(\.(m?js|ts|circom)|^zkvm-worker:circom)$/.test(i),
      ),
    ).to.deep.equal([]);
    expect(libraryBundle.imports.filter((i) => i.startsWith("node:"))).to.deep.equal([]);
    expect(libraryBundle.text).not.to.match(/\b(require|import)\s*\(?\s*["']node:/);
    expect(libraryBundle.inputs).to.include.members([
      "src/browser/index.ts",
      "src/compiler/index.ts",
    ]);
    expect(libraryBundle.inputs.some((i) => i.endsWith("snarkjs/build/browser.esm.js"))).to.equal(
      true,
    );
  });

  it("the package's zkvm/browser build (npm run build's dist/browser) bundles for a page too", async () => {
    const dist = join(work, "dist-browser");
    await buildLibrary(dist);
    // As an application's bundler sees the installed package: snarkjs, ffjavascript
    // and @noble/hashes resolved from node_modules by their browser conditions.
    const consumer = await build({
      entryPoints: [join(dist, "index.js")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      nodePaths: [join(ROOT, "node_modules")],
      logLevel: "silent",
    });
    const inputs = Object.keys(consumer.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith("node:"))).to.deep.equal([]);
    expect(inputs.some((i) => i.endsWith("snarkjs/build/browser.esm.js"))).to.equal(true);
    expect(inputs.some((i) => i.endsWith("ffjavascript/build/browser.esm.js"))).to.equal(true);
    // The compiler sits beside the module, where the default circomWasm URL points.
    expect(readFileSync(join(dist, "circom.wasm")).subarray(0, 4)).to.deep.equal(
      Buffer.from([0, 0x61, 0x73, 0x6d]),
    );
  });

  for (const { name, tamper } of [
    { name: "power", tamper: 1 },
    { name: "max", tamper: 0 },
  ]) {
    it(`playground, ${name}: run, compile, prove and verify in the page; a tampered public signal is invalid`, async () => {
      const spec = exampleSpec(name);
      const chosen = spec.cases
        .filter((c) => c.error === undefined)
        .reduce((a, b) => ((b.steps ?? 0) > (a.steps ?? 0) ? b : a));
      const { context, page, requests, errors } = await openPage(`?example=${name}`);
      try {
        if (name === "max") {
          // Once the page and its compiler are loaded, everything works with the network gone.
          await page.locator('body[data-compiler="ready"]').waitFor();
          await context.setOffline(true);
        }
        expect(await page.getByTestId("example").inputValue()).to.equal(name);
        expect(await page.getByTestId("steps").inputValue()).to.equal(String(spec.steps));
        for (const [input, value] of Object.entries(chosen.inputs)) {
          await page.getByTestId(`input-${input}`).fill(value);
        }

        await page.getByTestId("run").click();
        const outputs = (await page.getByTestId("outputs").textContent()) ?? "";
        for (const [output, value] of Object.entries(chosen.outputs ?? {})) {
          expect(outputs).to.contain(`${output} = ${value}`);
        }
        expect(outputs).to.contain(`halted after ${chosen.steps} steps`);
        // One header row, then one row per step.
        expect(await page.getByTestId("trace").locator("tr").count()).to.equal(
          (chosen.steps ?? 0) + 1,
        );

        await page.getByTestId("compile").click();
        await page.getByTestId("constraints").filter({ hasText: /^\d+$/ }).waitFor();
        const constraints = Number(await page.getByTestId("constraints").textContent());
        expect(constraints).to.be.greaterThan(0);

        await page.getByTestId("prove").click();
        await page.waitForFunction(
          () =>
            (document.querySelector('[data-testid="proof"]') as HTMLTextAreaElement).value !== "" ||
            !(document.querySelector('[data-testid="error"]') as HTMLElement).hidden,
        );
        expect(
          await page.getByTestId("error").isHidden(),
          await page.getByTestId("error").innerText(),
        ).to.equal(true);
        const proofBox = JSON.parse(await page.getByTestId("proof").inputValue()) as {
          publicSignals: string[];
        };
        expect(proofBox.publicSignals.length).to.be.greaterThan(tamper);

        await page.getByTestId("verify").click();
        await page
          .getByTestId("verdict")
          .filter({ hasText: /^valid/ })
          .waitFor();
        if (name === "power") {
          const screenshot =
            process.env.ZKVM_UPDATE_SCREENSHOT === "1"
              ? DOCS_SCREENSHOT
              : join(work, "playground.png");
          mkdirSync(dirname(screenshot), { recursive: true });
          await page.screenshot({ path: screenshot, fullPage: true });
        }

        if (name === "power") {
          await page.getByTestId("export-verifier").click();
          await page
            .getByTestId("export")
            .filter({ hasText: "contract Groth16Verifier" })
            .waitFor();
          await page.getByTestId("export-calldata").click();
          await page
            .getByTestId("export")
            .filter({ hasText: /^download calldata\.txt\s*\[/ })
            .waitFor();
        }

        const tampered = { ...proofBox, publicSignals: [...proofBox.publicSignals] };
        tampered.publicSignals[tamper] = (BigInt(tampered.publicSignals[tamper]!) + 1n).toString();
        await page.getByTestId("proof").fill(JSON.stringify(tampered));
        await page.getByTestId("verify").click();
        await page
          .getByTestId("verdict")
          .filter({ hasText: /^invalid: / })
          .waitFor();

        // An error is shown with the line it comes from.
        await page.getByTestId("source").fill(".output y 0\nPUSH 1\nPUSHH 2\nSTOP\n");
        await page.getByTestId("error").filter({ hasText: "line 3" }).waitFor();
        await page.getByTestId("line-error").filter({ hasText: "PUSHH" }).waitFor();

        expect(errors).to.deep.equal([]);
        expectOwnOrigin(requests);
        expect(requests.filter((r) => r.endsWith(".wasm"))).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }

  it("library: compile and set up in the page, prove, verify, cache across a reload, prebuilt artifacts", async () => {
    const { context, page, requests, errors } = await openPage("lib/");
    try {
      await page.waitForFunction(() => document.title === "ready");
      const cubic = readFileSync(join(EXAMPLES_DIR, "cubic.zkasm"), "utf8");
      const seed = readFileSync(join(EXAMPLES_DIR, "seed.hex"), "utf8");
      const groth16Template = readFileSync(
        join(ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"),
        "utf8",
      );

      type Lib = typeof import("../src/browser/index.js");
      const inPage = await page.evaluate(
        async ({ cubic, seed, template }) => {
          const { ZKVM } = (window as unknown as { zkvm: Lib }).zkvm;
          const circomWasm = "/circom.wasm";
          const stages: string[] = [];
          const vm = new ZKVM(cubic);
          const run = vm.execute({ x: 3n });
          const proof = await vm.generateProof(
            { x: 3n },
            { steps: 16, onProgress: (e) => void stages.push(e.stage) },
          );
          const valid = await vm.verifyProof(proof);
          const tampered = await vm.checkProof({ ...proof, publicSignals: ["36"] });
          let badInput = "";
          await vm.generateProof({ x: 3n, z: 1n }, { steps: 16 }).catch((e: { code: string }) => {
            badInput = e.code;
          });

          // The same circuit compiled here and by `zkvm compile` in Node, with
          // each backend: byte-identical .r1cs.
          const sha = async (bytes: Uint8Array) =>
            Array.from(
              new Uint8Array(
                await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
              ),
              (b) => b.toString(16).padStart(2, "0"),
            ).join("");
          const seedVm = new ZKVM(seed, { backend: "circom", circomWasm });
          const compiled = await seedVm.compile(8);
          const r1csSha = await sha(compiled.r1cs);
          const directCompiled = await new ZKVM(seed).compile(8);
          const directR1csSha = await sha(directCompiled.r1cs);

          // Prebuilt artifacts from the server's build replace the page's setup for N = 8.
          const { steps } = await seedVm.useArtifacts({
            manifest: "/prebuilt/manifest.json",
            wasm: "/prebuilt/seed.wasm",
            zkey: "/prebuilt/seed.zkey",
            verificationKey: "/prebuilt/verification_key.json",
          });
          const seedProof = await seedVm.generateProof({}, { steps });
          const verifier = await seedVm.exportSolidityVerifier(steps, template);
          const calldata = await seedVm.solidityCalldata(seedProof);
          let corrupt = "";
          await seedVm
            .useArtifacts({
              manifest: "/prebuilt/manifest.json",
              wasm: "/prebuilt/seed.wasm",
              zkey: new Uint8Array([0x7a, 0x6b, 0x65, 0x79]),
              verificationKey: "/prebuilt/verification_key.json",
            })
            .catch((e: { code: string }) => {
              corrupt = e.code;
            });
          let wrongProgram = "";
          await vm
            .useArtifacts({
              manifest: "/prebuilt/manifest.json",
              wasm: "/prebuilt/seed.wasm",
              zkey: "/prebuilt/seed.zkey",
              verificationKey: "/prebuilt/verification_key.json",
            })
            .catch((e: { code: string }) => {
              wrongProgram = e.code;
            });
          // A direct build from the server: no witness generator, the page computes the witness.
          const directVm = new ZKVM(seed);
          await directVm.useArtifacts({
            manifest: "/prebuilt-direct/manifest.json",
            zkey: "/prebuilt-direct/seed.zkey",
            verificationKey: "/prebuilt-direct/verification_key.json",
          });
          const directProof = await directVm.generateProof({}, { steps });
          return {
            run: { y: String(run.outputs.y), steps: run.steps },
            directR1csSha,
            directBackend: directCompiled.backend,
            directProof: { proof: directProof.proof, publicSignals: directProof.publicSignals },
            publicSignals: proof.publicSignals,
            stages,
            valid,
            tampered,
            badInput,
            constraints: compiled.constraints,
            r1csSha,
            seedProof: { proof: seedProof.proof, publicSignals: seedProof.publicSignals },
            wrongProgram,
            corrupt,
            verifier,
            calldata,
          };
        },
        { cubic, seed, template: groth16Template },
      );
      expect(inPage.run).to.deep.equal({ y: "35", steps: 11 });
      expect(inPage.publicSignals).to.deep.equal(["35"]);
      expect(inPage.stages).to.include.members(["r1cs", "setup", "witness", "prove"]);
      expect(inPage.stages).to.not.include("circom");
      expect(inPage.directBackend).to.equal("direct");
      expect(inPage.directR1csSha).to.equal(directManifest.files.r1cs.sha256);
      expect(inPage.valid).to.equal(true);
      expect(inPage.tampered.valid).to.equal(false);
      expect(inPage.tampered.reason).to.be.a("string").and.not.equal("");
      expect(inPage.badInput).to.equal("UNKNOWN_INPUT");
      expect(inPage.constraints).to.equal(1);
      expect(inPage.r1csSha).to.equal(prebuiltManifest.files.r1cs.sha256);
      expect(inPage.seedProof.publicSignals).to.deep.equal(["8"]);
      expect(inPage.wrongProgram).to.equal("WRONG_PROGRAM");
      expect(inPage.corrupt).to.equal("BUILD_CORRUPT");

      // A page's proof, written out and checked by `zkvm verify` in Node against a server build.
      const proofFile = join(work, "page-proof.json");
      const publicFile = join(work, "page-public.json");
      const verifyInNode = async (
        build: string,
        { proof, publicSignals }: { proof: unknown; publicSignals: unknown },
      ) => {
        writeFileSync(proofFile, JSON.stringify(proof));
        writeFileSync(publicFile, JSON.stringify(publicSignals));
        const verified = await zkvm(
          "verify",
          join(work, build),
          "--proof",
          proofFile,
          "--public",
          publicFile,
        );
        expect(verified.status, `${build}: ${verified.err}`).to.equal(0);
      };
      // The page's proof with the prebuilt key, against the server's build.
      await verifyInNode("seed-build", inPage.seedProof);
      // The page's proof with the direct build's key, against that build.
      await verifyInNode("seed-direct", inPage.directProof);

      // The page's Solidity verifier and calldata are the Node CLI's, byte for byte.
      const verifierFile = join(work, "Verifier.sol");
      const exported = await zkvm("export-verifier", join(work, "seed-build"), "-o", verifierFile);
      expect(exported.status, exported.err).to.equal(0);
      expect(inPage.verifier).to.equal(readFileSync(verifierFile, "utf8"));
      expect(inPage.calldata).to.match(/^\[/);

      // After a reload the keys come from IndexedDB: no compile, no setup.
      await page.reload();
      await page.waitForFunction(() => document.title === "ready");
      const again = await page.evaluate(async (cubic) => {
        const { ZKVM } = (window as unknown as { zkvm: Lib }).zkvm;
        const stages: string[] = [];
        const vm = new ZKVM(cubic);
        const proof = await vm.generateProof(
          { x: 2n },
          { steps: 16, onProgress: (e) => void stages.push(e.stage) },
        );
        return { stages, publicSignals: proof.publicSignals, valid: await vm.verifyProof(proof) };
      }, cubic);
      expect(again.publicSignals).to.deep.equal(["15"]);
      expect(again.valid).to.equal(true);
      expect(again.stages).to.not.include.members(["r1cs"]);
      expect(again.stages).to.not.include("setup");

      expect(errors).to.deep.equal([]);
      expectOwnOrigin(requests);
    } finally {
      await context.close();
    }
  });
});
