import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { expectGolden } from "./helpers/golden.js";

describe("golden files (test/helpers/golden.ts)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "zkvm-golden-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a missing golden file fails and is not written, unless the update switch is set", () => {
    const file = join(dir, "new.circom");
    expect(() => expectGolden(file, "text\n", false)).to.throw(/missing.*UPDATE_GOLDEN=1/);
    expect(existsSync(file)).to.equal(false);
    expectGolden(file, "text\n", true);
    expect(readFileSync(file, "utf8")).to.equal("text\n");
  });

  it("a difference fails with the first differing line; equal output passes", () => {
    const file = join(dir, "old.circom");
    writeFileSync(file, "a\nb\nc\n");
    expectGolden(file, "a\nb\nc\n", false);
    expect(() => expectGolden(file, "a\nB\nc\n", false)).to.throw(
      /line 2:\n {2}expected: b\n {2}actual: {3}B/,
    );
    expect(() => expectGolden(file, "a\nb\nc\nd", false)).to.throw(/line 4/);
    expect(readFileSync(file, "utf8")).to.equal("a\nb\nc\n");
  });
});
