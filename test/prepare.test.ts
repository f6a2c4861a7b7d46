/**
 * The first `npx zkvm` in the clone runs npm's "prepare" again (its output
 * hidden): it must not rebuild dist/ when nothing changed. And bin/zkvm.js
 * without dist/ says what to run, in one line.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const TSX = createRequire(import.meta.url).resolve("tsx");
const PREPARE = join(ROOT, "scripts", "prepare.ts");

describe("npm's prepare and bin/zkvm.js", function () {
  this.timeout(120_000);
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "zkvm-prepare-"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("the real package.json builds through the check and stamps dist/ at the end of every build", () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.prepare).to.match(/scripts\/prepare\.ts$/);
    expect(scripts.build).to.match(/scripts\/prepare\.ts --stamp$/);
  });

  it("builds when dist/ is missing or a source changed, and only then", () => {
    const root = join(work, "project");
    mkdirSync(join(root, "src"), { recursive: true });
    writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\n");
    // A stand-in build: counts its runs, makes dist/, stamps it as the real one does.
    const build = [
      `node -e "require('fs').appendFileSync('builds.log','x');require('fs').mkdirSync('dist',{recursive:true})"`,
      `node --import ${JSON.stringify(TSX)} ${JSON.stringify(PREPARE)} --stamp --root .`,
    ].join(" && ");
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "p", scripts: { build } }));
    const prepare = () => {
      const r = spawnSync(process.execPath, ["--import", TSX, PREPARE, "--root", root], {
        cwd: root,
        encoding: "utf8",
      });
      expect(r.status, r.stderr).to.equal(0);
      return { said: r.stderr, builds: readFileSync(join(root, "builds.log"), "utf8").length };
    };
    const first = prepare();
    expect(first.builds).to.equal(1);
    expect(first.said).to.match(/building dist\//);
    const again = prepare();
    expect(again.builds).to.equal(1);
    expect(again.said).to.match(/up to date/);
    writeFileSync(join(root, "src", "a.ts"), "export const a = 2;\n");
    expect(prepare().builds).to.equal(2);
    rmSync(join(root, "dist"), { recursive: true });
    expect(prepare().builds).to.equal(3);
  });

  it("bin/zkvm.js without dist/: one line that says to build, exit status 1", () => {
    const root = join(work, "nodist");
    cpSync(join(ROOT, "bin"), join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
    const r = spawnSync(process.execPath, [join(root, "bin", "zkvm.js"), "--version"], {
      encoding: "utf8",
    });
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split("\n"), r.stderr).to.have.length(1);
    expect(r.stderr).to.match(/npm run build/);
  });
});
