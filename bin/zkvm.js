#!/usr/bin/env node
// Entry point of the `zkvm` command: the compiled CLI in dist/ (built by `npm install` via "prepare").
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
