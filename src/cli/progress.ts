/** Progress lines on stderr for long work (setup, proving); silent with --json. */
import type { Progress } from "../pipeline/index.js";
import type { Io } from "./common.js";

export function progressPrinter(io: Io, quiet: boolean): Progress | undefined {
  if (quiet) return undefined;
  const start = performance.now();
  return (e) => {
    const at = ((performance.now() - start) / 1000).toFixed(1).padStart(6);
    const took = e.elapsedMs !== undefined ? ` (${(e.elapsedMs / 1000).toFixed(2)} s)` : "";
    io.err(`[${at}s] ${e.stage}: ${e.message}${took}`);
  };
}
