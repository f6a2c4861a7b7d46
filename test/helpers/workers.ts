/**
 * `zkvm worker` processes for the queue tests: the real CLI (src/cli/main.ts
 * under tsx), with --json so each event is a line on stdout.
 *
 *   spawnWorker(dir, url, args?, env?): SpawnedWorker
 *   worker.next(predicate, ms): the first event (past or future) matching it;
 *     rejects after ms, or as soon as the worker has exited without one
 *   worker.exit: { code, signal, stderr } once the process has exited
 *   worker.stray: stdout lines that are not JSON events (there should be none)
 *   worker.dispose(): drops the pending next() waiters and clears their timers
 *     (call it when a test ends: no timer may fire into the next test)
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
  readonly stray: string[];
  dispose(): void;
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
  const stray: string[] = [];
  const waiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  let exited = false;
  let buffered = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        // Not an event: kept for the test to report, never thrown from this handler.
        stray.push(line);
        continue;
      }
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        events.push({ ...(parsed as WorkerEvent), receivedAt: Date.now() });
      } else {
        stray.push(line);
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
      const settle = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        const i = waiters.indexOf(check);
        if (i >= 0) waiters.splice(i, 1);
      };
      const fail = (why: string): void => {
        settle();
        reject(
          new Error(
            `worker ${child.pid}: ${why}; events: ${JSON.stringify(events)}; stray stdout: ${JSON.stringify(stray)}; stderr: ${stderr}`,
          ),
        );
      };
      // Every way out clears the timer: none may fire once the test has ended.
      const check = (): void => {
        const found = events.find(match);
        if (found !== undefined) {
          settle();
          resolve(found);
        } else if (exited) {
          fail("exited without a matching event");
        }
      };
      const timer = setTimeout(() => fail(`no matching event in ${ms} ms`), ms);
      timers.add(timer);
      waiters.push(check);
      check();
    });
  void exit.then(() => {
    exited = true;
    for (const w of [...waiters]) w();
  });
  const dispose = (): void => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    waiters.length = 0;
  };
  return { process: child, events, stray, next, exit, dispose };
}
