#!/usr/bin/env node
// Entry point of the `zkvm` command: the compiled CLI in dist/ (built by `npm install` via "prepare").
import { fileURLToPath } from "node:url";

let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (e) {
  // Only dist/ itself missing; a dependency missing from inside it is reported as it is.
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !/'[^']*dist.cli.main\.js'/.test(String(e.message)))
    throw e;
  const root = fileURLToPath(new globalThis.URL("..", import.meta.url));
  process.stderr.write(
    `zkvm: the CLI is not built (no ${root}dist/); run 'npm install' or 'npm run build' in ${root}\n`,
  );
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
