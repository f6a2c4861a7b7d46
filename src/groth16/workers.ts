/**
 * Worker threads that keep Node alive only while they work.
 *
 * An ffjavascript curve (snarkjs's shared one, or a private one of the
 * direct setup) starts a worker per core and keeps them for its lifetime. A
 * Node worker thread keeps the process alive until it is terminated, so a
 * script that proved something would never exit on its own. Here each
 * worker is `unref()`ed while idle and `ref()`ed for the time it has a job:
 * an awaited proof still keeps the process alive, and once the last job is
 * done nothing does. Browser workers (no Node handle) are left as they are.
 */

/** The part of ffjavascript's ThreadManager this module needs. */
interface ThreadManagerLike {
  workers?: unknown[];
  working?: boolean[];
  postAction?: (workerId: number, ...rest: unknown[]) => Promise<unknown>;
}

/** A Node `worker_threads.Worker`'s reference counting. */
interface NodeWorkerHandle {
  ref(): void;
  unref(): void;
}

/** web-worker (ffjavascript's Worker for Node) keeps the worker_threads.Worker under this symbol. */
const NODE_WORKER = Symbol.for("worker");

const released = new WeakSet<object>();

function nodeHandle(worker: unknown): NodeWorkerHandle | undefined {
  if (typeof worker !== "object" || worker === null) return undefined;
  const handle = (worker as Record<symbol, unknown>)[NODE_WORKER];
  if (typeof handle !== "object" || handle === null) return undefined;
  const { ref, unref } = handle as Partial<NodeWorkerHandle>;
  return typeof ref === "function" && typeof unref === "function"
    ? (handle as NodeWorkerHandle)
    : undefined;
}

/**
 * Makes a curve's workers hold the process open only while busy. Idempotent;
 * a single-threaded curve, a terminated one or a browser one is left alone.
 */
export function releaseWhenIdle(curve: unknown): void {
  const tm = (curve as { tm?: ThreadManagerLike } | null | undefined)?.tm;
  if (typeof tm !== "object" || tm === null || released.has(tm)) return;
  const { workers, working, postAction } = tm;
  if (!Array.isArray(workers) || !Array.isArray(working) || typeof postAction !== "function") {
    return;
  }
  const handles = workers.map(nodeHandle);
  if (handles.some((h) => h === undefined)) return;
  released.add(tm);
  const idle = (i: number) => {
    // Another job may have been posted to this worker when the last one ended.
    if (working[i] !== true) handles[i]!.unref();
  };
  tm.postAction = function (this: ThreadManagerLike, workerId: number, ...rest: unknown[]) {
    handles[workerId]?.ref();
    const done = postAction.call(this, workerId, ...rest);
    done.then(
      () => idle(workerId),
      () => idle(workerId),
    );
    return done;
  };
  handles.forEach((_h, i) => idle(i));
}
