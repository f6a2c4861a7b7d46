/**
 * The trusted-setup script: `npm run setup -- DIR [--ptau FILE] [--force] [--contribute] [--json]`,
 * the same as `zkvm setup`. Without --ptau it makes a direct development key
 * (no powers of tau); with --ptau, a key from a phase-2-prepared file such as a
 * public ceremony's. See `zkvm setup --help`.
 */
import { main } from "../src/cli/main.js";

process.exitCode = await main(["setup", ...process.argv.slice(2)]);
