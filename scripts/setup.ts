/**
 * The trusted-setup script: `npm run setup -- DIR [--ptau FILE] [--force] [--json]`,
 * the same as `zkvm setup`. Without --ptau it uses the cached local development
 * ceremony (generated on first use); with --ptau, a phase-2-prepared file from a
 * public ceremony. See `zkvm setup --help`.
 */
import { main } from "../src/cli/main.js";

process.exitCode = await main(["setup", ...process.argv.slice(2)]);
