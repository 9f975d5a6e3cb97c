import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { StoreError } from './errors.js';

/**
 * PGlite lets exactly one process use a data directory; a second one corrupts it. The lock is a
 * file beside the directory (`<dataDir>.lock`), not in it, because PGlite's initdb refuses a
 * directory that already holds a file. It records the holder's pid and process start time, so
 * a lock left by a dead process (or by a recycled pid, e.g. pid 1 in a new container) is stale
 * and gets taken over.
 */
export interface DataDirLock {
  readonly path: string;
  /** Remove the lock if it is still ours. Idempotent. */
  release(): Promise<void>;
}

interface LockRecord {
  pid: number;
  startTime?: string;
  token: string;
}

/** Locks held by this process, by lock path: a pid check alone cannot tell us from a previous process with our pid. */
const heldHere = new Map<string, string>();

/** Take the lock for `dataDir` or throw a StoreError naming the process that holds it. */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const lockPath = `${dataDir}.lock`;
  const token = randomBytes(12).toString('hex');
  const record: LockRecord = { pid: process.pid, startTime: processStartTime(process.pid), token };
  const tmpPath = `${lockPath}.${process.pid}.${token}.tmp`;
  if (heldHere.has(lockPath)) throw inUse(dataDir, lockPath, process.pid);
  heldHere.set(lockPath, token);
  try {
    await writeFile(tmpPath, `${JSON.stringify(record)}\n`, { mode: 0o644 });
    try {
      for (let attempt = 0; ; attempt++) {
        // link() creates the lock with its full content or fails if it exists: no half-written locks.
        if (await tryLink(tmpPath, lockPath)) break;
        const holder = await readLock(lockPath);
        if (holder && isHolderAlive(holder, lockPath)) throw inUse(dataDir, lockPath, holder.pid);
        if (attempt >= 50)
          throw new StoreError(
            'conflict',
            `could not take over the stale lock ${lockPath}; another process keeps replacing it`,
          );
        await takeOverStale(lockPath, holder);
      }
    } finally {
      await unlink(tmpPath).catch(() => undefined);
    }
  } catch (e) {
    heldHere.delete(lockPath);
    throw asStoreError(e, dataDir, lockPath);
  }
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(lockPath);
      const current = await readLock(lockPath);
      if (current?.token === token) await unlink(lockPath).catch(() => undefined);
    },
  };
}

/**
 * Remove a stale lock under a short-lived mutex directory, so two processes that both saw the
 * same stale lock cannot both delete it and each believe they hold the new one.
 */
async function takeOverStale(lockPath: string, seen: LockRecord | undefined): Promise<void> {
  const mutex = `${lockPath}.takeover`;
  try {
    await mkdir(mutex);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A takeover older than 30 s belongs to a process that died mid-way.
    const info = await stat(mutex).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 30_000) await rmdir(mutex).catch(() => undefined);
    else await new Promise((resolve) => setTimeout(resolve, 100));
    return;
  }
  try {
    const now = await readLock(lockPath);
    if (now?.token === seen?.token) await unlink(lockPath).catch(() => undefined);
  } finally {
    await rmdir(mutex).catch(() => undefined);
  }
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** The lock's record; undefined when it vanished or is not one of ours (then it counts as stale). */
async function readLock(lockPath: string): Promise<LockRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockRecord>;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? (parsed as LockRecord) : undefined;
  } catch {
    return undefined;
  }
}

function isHolderAlive(holder: LockRecord, _lockPath: string): boolean {
  // Locks this process holds were refused up front (heldHere), so our own pid here means a
  // previous process that had the same pid, e.g. pid 1 in a restarted container.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStartTime(holder.pid);
  return holder.startTime === undefined || start === undefined || start === holder.startTime;
}

/** Linux: the process start time in clock ticks since boot (field 22 of /proc/PID/stat); elsewhere undefined. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function inUse(dataDir: string, lockPath: string, pid: number): StoreError {
  return new StoreError(
    'conflict',
    `data directory ${dataDir} is in use by pid ${pid}${pid === process.pid ? ' (this process)' : ''}; stop that ` +
      `slipway first (lock file: ${lockPath})`,
    { dataDir, pid },
  );
}

function asStoreError(e: unknown, dataDir: string, lockPath: string): unknown {
  if (e instanceof StoreError) return e;
  const err = e as NodeJS.ErrnoException;
  const reason =
    err.code === 'EACCES' || err.code === 'EPERM'
      ? 'permission denied'
      : err.code === 'EROFS'
        ? 'read-only file system'
        : err.message;
  return new StoreError(
    'invalid_input',
    `cannot lock data directory ${dataDir}: ${reason} (creating ${lockPath})`,
    { dataDir, path: lockPath },
    { cause: e },
  );
}
