/**
 * The playground keeps no stale state: an edited program is no longer named
 * as the example it came from, an error clears the results of the program
 * before it, and the trace shows instructions as the source writes them.
 * `npm run playground` on a busy port says so in one line and offers a free
 * one. Headless Chromium (playwright-core); a missing Chromium fails with how
 * to install it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { buildWeb } from "../scripts/build-web.js";
import { serveStatic } from "../scripts/playground.js";
import { launchChromium } from "./helpers/chromium.js";

const ROOT = join(import.meta.dirname, "..");

describe("the playground", function () {
  this.timeout(180_000);
  let work: string;
  let browser: Browser;
  let server: Server;
  let url: string;

  before(async function () {
    this.timeout(300_000);
    work = mkdtempSync(join(tmpdir(), "zkvm-playground-"));
    await buildWeb(join(work, "site"));
    ({ server, url } = await serveStatic(join(work, "site"), 0));
    browser = await launchChromium(work);
  });
  after(async () => {
    await browser?.close();
    server?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  async function open(query: string): Promise<Page> {
    const context = await browser.newContext();
    await context.addInitScript("globalThis.__name = (f) => f;");
    const page = await context.newPage();
    await page.goto(new URL(query, url).href);
    return page;
  }

  it("an edited program is no longer named as its example", async () => {
    const page = await open("?example=power");
    expect(await page.getByTestId("example").inputValue()).to.equal("power");
    const description = await page.locator("#description").textContent();
    expect(description).to.not.equal("");
    await page.getByTestId("source").fill(".output y 0\nPUSH 2\nSTORE y\nSTOP\n");
    await page.waitForFunction(
      () => (document.getElementById("example") as HTMLSelectElement).value !== "power",
    );
    expect(await page.locator("#description").textContent()).to.not.equal(description);
    await page.context().close();
  });

  it("an error clears the outputs and trace of the run before it", async () => {
    const page = await open("?example=power");
    await page.getByTestId("run").click();
    expect(await page.getByTestId("outputs").textContent()).to.match(/halted after/);
    expect(await page.getByTestId("trace").locator("tr").count()).to.be.greaterThan(1);
    await page.getByTestId("steps").fill("1");
    await page.getByTestId("run").click();
    await page
      .getByTestId("error")
      .filter({ hasText: /STEP_LIMIT_EXCEEDED/ })
      .waitFor();
    expect(await page.getByTestId("outputs").textContent()).to.not.match(/halted after/);
    expect(await page.getByTestId("trace").locator("tr").count()).to.equal(0);
    await page.context().close();
  });

  it("the trace shows LOAD x where the source says LOAD x", async () => {
    const page = await open("?example=power");
    await page
      .getByTestId("source")
      .fill(".private x 0\n.output y 1\nLOAD x ; the input\nSTORE y\nSTOP\n");
    await page.getByTestId("input-x").waitFor();
    await page.getByTestId("input-x").fill("5");
    await page.getByTestId("run").click();
    const first = page.getByTestId("trace").locator("tr").nth(1).locator("td").nth(2);
    expect(await first.textContent()).to.equal("LOAD x");
    await page.context().close();
  });

  it("npm run playground on a busy port: one line, and the next free port", async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const tsx = createRequire(import.meta.url).resolve("tsx");
      const child = spawn(
        process.execPath,
        ["--import", tsx, join(ROOT, "scripts", "playground.ts"), "--port", String(port)],
        { cwd: work },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
      const status = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("exit", (code) => (clearTimeout(timer), resolve(code)));
      });
      expect(status, out).to.equal(1);
      const lines = out.trim().split("\n");
      expect(lines, out).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`port ${port} is in use`));
      expect(lines[0]).to.match(/--port \d+/);
    } finally {
      busy.close();
    }
  });
});
