/**
 * File-system helpers for the pipeline: temporary sibling names and their
 * sweep, atomic replacement (files and directories), and an inter-process
 * lock file.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/**
 * `<dir>/.<base>.tmp-<pid>-<random>`: a unique name next to `target` (same
 * file system, so rename is atomic). Every temporary file or directory zkvm
 * makes is named this way, so one sweep (`sweepDeadTemporaries`) finds those
 * of a process that died, nested ones included (`..<base>.tmp-1-….tmp-1-…`).
 */
export function tempSibling(target: string, suffix = ""): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(6).toString("hex")}${suffix}`);
}

const TEMPORARY_RE = /^\..*?\.tmp-(\d+)-[0-9a-f]{12}/;

/**
 * Puts `staging` (a file or a directory) at `target`, replacing whatever is
 * there of the same kind: readers see the old one or the whole new one. A
 * file, or a directory onto nothing, is one rename; a directory onto a
 * non-empty directory is two (the old
 * one is moved aside, renamed back if the second rename fails, and removed
 * only once the new one is in place). The one way zkvm replaces anything.
 */
export async function replaceWith(staging: string, target: string): Promise<void> {
  try {
    await fsp.rename(staging, target);
    return;
  } catch (e) {
    const code = isErrnoException(e) ? e.code : undefined;
    // Only a directory onto a non-empty directory; a file onto a directory (EISDIR)
    // or the reverse (ENOTDIR) is refused, never replaced.
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
  }
  const old = tempSibling(target, ".old");
  await fsp.rename(target, old);
  try {
    await fsp.rename(staging, target);
  } catch (e) {
    await fsp.rename(old, target);
    throw e;
  }
  await fsp.rm(old, { recursive: true, force: true });
}

/** Write `data` to `target` atomically: readers see the old file or the whole new one. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await fsp.writeFile(tmp, data);
    await replaceWith(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

export function isErrnoException(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string";
}

/** Is a process with this id alive on this host? (EPERM means alive but not ours.) */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isErrnoException(e) && e.code === "EPERM";
  }
}

/**
 * Removes the temporaries (see `tempSibling`) in `parent` whose process has
 * died: what a compile, setup or write killed midway left behind.
 */
export async function sweepDeadTemporaries(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(parent);
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(TEMPORARY_RE.exec(n)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !isPidAlive(pid)) {
      await fsp.rm(path.join(parent, n), { recursive: true, force: true });
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
  createdAt: number;
}

/** Nonces of the locks this process holds or is creating right now. */
const liveNonces = new Set<string>();

/** A lock whose owner is on another host is only considered stale after this long. */
const FOREIGN_LOCK_STALE_MS = 24 * 3600 * 1000;
/** A lock file without readable content (owner died between create and write) is stale after this long. */
const UNREADABLE_LOCK_STALE_MS = 30 * 1000;
/** The short-lived lock used to break a stale lock is itself stale after this long. */
const BREAK_LOCK_STALE_MS = 10 * 1000;

async function readLock(
  lockPath: string,
): Promise<{ info?: LockInfo; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([fsp.readFile(lockPath, "utf8"), fsp.stat(lockPath)]);
    try {
      const v = JSON.parse(text) as Partial<LockInfo>;
      if (
        typeof v.pid === "number" &&
        typeof v.host === "string" &&
        typeof v.nonce === "string" &&
        typeof v.createdAt === "number"
      ) {
        return { info: v as LockInfo, mtimeMs: st.mtimeMs };
      }
    } catch {
      // empty or half-written: fall through
    }
    return { mtimeMs: st.mtimeMs };
  } catch (e) {
    if (isErrnoException(e) && e.code === "ENOENT") return undefined;
    throw e;
  }
}

function isStale(lock: { info?: LockInfo; mtimeMs: number }): boolean {
  const age = Date.now() - lock.mtimeMs;
  const info = lock.info;
  if (info === undefined) return age > UNREADABLE_LOCK_STALE_MS;
  if (info.host !== hostname()) return age > FOREIGN_LOCK_STALE_MS;
  if (info.pid === process.pid) return !liveNonces.has(info.nonce);
  return !isPidAlive(info.pid);
}

/**
 * Remove a stale lock. Breakers serialize on `<lock>.break` and re-check
 * staleness under it, so a breaker can never delete a fresh lock that
 * another process created after the stale one was removed.
 */
async function breakStaleLock(lockPath: string, seen: { info?: LockInfo }): Promise<void> {
  const breakPath = `${lockPath}.break`;
  try {
    const fh = await fsp.open(breakPath, "wx");
    await fh.close();
  } catch (e) {
    if (isErrnoException(e) && e.code === "EEXIST") {
      try {
        const st = await fsp.stat(breakPath);
        if (Date.now() - st.mtimeMs > BREAK_LOCK_STALE_MS) await fsp.rm(breakPath, { force: true });
      } catch {
        // gone already
      }
      return;
    }
    throw e;
  }
  try {
    const now = await readLock(lockPath);
    if (now !== undefined && now.info?.nonce === seen.info?.nonce && isStale(now)) {
      await fsp.rm(lockPath, { force: true });
    }
  } finally {
    await fsp.rm(breakPath, { force: true });
  }
}

export interface LockOptions {
  /** Called once when the lock is busy and we start waiting, with the holder's pid if known. */
  onWait?: (holderPid: number | undefined) => void;
  /** Give up after this long (default: wait forever; dead holders are detected by pid). */
  timeoutMs?: number;
  /** Called when the wait times out, to build the error to throw. */
  onTimeout?: () => Error;
}

/**
 * Take an exclusive inter-process lock on `lockPath` (an O_EXCL lock file
 * holding pid, host and a nonce), run `fn`, release. A lock left by a dead
 * process on this host is detected and broken. Waiters poll with
 * exponential backoff (50 ms doubling up to 1 s).
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const abs = path.resolve(lockPath);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    nonce: randomBytes(8).toString("hex"),
    createdAt: Date.now(),
  };
  liveNonces.add(info.nonce);
  try {
    const start = Date.now();
    let delay = 50;
    let waited = false;
    for (;;) {
      try {
        const fh = await fsp.open(abs, "wx");
        try {
          await fh.writeFile(JSON.stringify(info));
          await fh.close();
        } catch (e) {
          await fh.close().catch(() => undefined);
          await fsp.rm(abs, { force: true });
          throw e;
        }
        break;
      } catch (e) {
        if (!(isErrnoException(e) && e.code === "EEXIST")) throw e;
      }
      const lock = await readLock(abs);
      if (lock === undefined) continue; // released just now: retry at once
      if (isStale(lock)) {
        await breakStaleLock(abs, lock);
        continue;
      }
      if (!waited) {
        waited = true;
        opts.onWait?.(lock.info?.pid);
      }
      if (opts.timeoutMs !== undefined && Date.now() - start > opts.timeoutMs) {
        throw opts.onTimeout?.() ?? new Error(`timed out waiting for lock ${abs}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
    try {
      return await fn();
    } finally {
      const now = await readLock(abs).catch(() => undefined);
      if (now?.info?.nonce === info.nonce) await fsp.rm(abs, { force: true });
    }
  } finally {
    liveNonces.delete(info.nonce);
  }
}
