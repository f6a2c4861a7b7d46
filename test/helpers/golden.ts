/**
 * Golden files: generated output checked against a committed copy. A
 * difference fails with the first differing line, expected beside actual. A
 * missing golden file fails too (it would otherwise be written from the very
 * output under test and pass); UPDATE_GOLDEN=1 writes or rewrites it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { expect } from "chai";

export function expectGolden(
  path: string,
  actual: string,
  update = process.env.UPDATE_GOLDEN === "1",
): void {
  const name = basename(path);
  if (update) writeFileSync(path, actual);
  if (!existsSync(path)) {
    expect.fail(`the golden file ${path} is missing (UPDATE_GOLDEN=1 writes it from this output)`);
  }
  const expected = readFileSync(path, "utf8");
  if (actual !== expected) {
    const a = actual.split("\n");
    const e = expected.split("\n");
    const i = a.findIndex((line, k) => line !== e[k]);
    const at = i === -1 ? e.length : i;
    expect.fail(
      `${name} differs from its golden file at line ${at + 1}:\n  expected: ${e[at]}\n  actual:   ${a[at]}\n(UPDATE_GOLDEN=1 rewrites it)`,
    );
  }
}
