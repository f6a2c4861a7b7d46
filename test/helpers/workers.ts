/**
 * `zkvm worker` processes for the queue tests: the real CLI (src/cli/main.ts
 * under tsx), with --json so each event is a line on stdout.
 *
 *   spawnWorker(dir, url, args?, env?): SpawnedWorker
 *   worker.next(predicate, ms): the first event (past or future) matching it
 *   worker.exit: { code, signal, stderr } once the process has exited
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { WorkerEvent } from "../../src/distributed/index.js";

const MAIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "src",
  "cli",
  "main.ts",
);

/** A worker's event, with when this process read it (Date.now()). */
export type ReceivedEvent = WorkerEvent & { readonly receivedAt: number };

export interface SpawnedWorker {
  readonly process: ChildProcess;
  readonly events: ReceivedEvent[];
  next(match: (e: ReceivedEvent) => boolean, ms: number): Promise<ReceivedEvent>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function spawnWorker(
  dir: string,
  url: string,
  args: string[] = [],
  env: Record<string, string> = {},
): SpawnedWorker {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "worker", dir, "--queue", url, "--json", ...args],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  const events: ReceivedEvent[] = [];
  const waiters: Array<() => void> = [];
  let buffered = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line.startsWith("{")) {
        events.push({ ...(JSON.parse(line) as WorkerEvent), receivedAt: Date.now() });
      }
      for (const w of [...waiters]) w();
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  const next = (match: (e: ReceivedEvent) => boolean, ms: number): Promise<ReceivedEvent> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = events.find(match);
        if (found === undefined) return false;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(
          new Error(
            `worker ${child.pid}: no matching event in ${ms} ms; events: ${JSON.stringify(events)}; stderr: ${stderr}`,
          ),
        );
      }, ms);
      waiters.push(check);
      check();
    });
  void exit.then(() => {
    for (const w of [...waiters]) w();
  });
  return { process: child, events, next, exit };
}
