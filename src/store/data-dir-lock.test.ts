import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from './data-dir-lock.js';
import { StoreError } from './errors.js';

/** The pid of a process that has exited (and was reaped), for stale locks. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('data directory lock', () => {
  let parent: string;
  let dataDir: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'slipway-lock-'));
    dataDir = join(parent, 'db');
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes our pid beside the data directory and removes it on release', async () => {
    const lock = await acquireDataDirLock(dataDir);
    expect(lock.path).toBe(`${dataDir}.lock`);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
    await lock.release();
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses a second holder in this process, naming the pid', async () => {
    const lock = await acquireDataDirLock(dataDir);
    try {
      const error = await acquireDataDirLock(dataDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('conflict');
      expect((error as StoreError).message).toContain(`data directory ${dataDir} is in use by pid ${process.pid}`);
    } finally {
      await lock.release();
    }
    await (await acquireDataDirLock(dataDir)).release();
  });

  it('lets exactly one of several concurrent openers win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => acquireDataDirLock(dataDir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    await won[0]!.value.release();
  });

  it('takes over a lock left by a dead process', async () => {
    const pid = await deadPid();
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid, token: 'old' }));
    const lock = await acquireDataDirLock(dataDir);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over a lock with our own pid that this process does not hold (pid reused after a restart)', async () => {
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: process.pid, token: 'previous-container' }));
    await (await acquireDataDirLock(dataDir)).release();
  });

  it('takes over a lock whose pid is alive but belongs to a process started later (recycled pid)', async () => {
    // Our parent is alive; a recorded start time that differs from its real one means the pid was recycled.
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: process.ppid, startTime: '1', token: 'old' }));
    await (await acquireDataDirLock(dataDir)).release();
  });

  it('refuses while the holder runs, with or without a recorded start time', async () => {
    // Our parent process is alive; its start time is read the way the lock reads it (Linux /proc).
    const stat = await readFile(`/proc/${process.ppid}/stat`, 'utf8').catch(() => undefined);
    const startTime = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    for (const record of [
      { pid: process.ppid, token: 'live' },
      { pid: process.ppid, startTime, token: 'live' },
    ]) {
      await writeFile(`${dataDir}.lock`, JSON.stringify(record));
      await expect(acquireDataDirLock(dataDir)).rejects.toThrow(`in use by pid ${process.ppid}`);
    }
  });

  it('treats an unreadable lock file as stale', async () => {
    await writeFile(`${dataDir}.lock`, 'not json');
    await (await acquireDataDirLock(dataDir)).release();
  });

  it('does not remove a lock that someone else took over meanwhile', async () => {
    const lock = await acquireDataDirLock(dataDir);
    await writeFile(lock.path, JSON.stringify({ pid: 1, token: 'someone-else' }));
    await lock.release();
    expect(JSON.parse(await readFile(`${dataDir}.lock`, 'utf8'))).toMatchObject({ token: 'someone-else' });
  });
});
