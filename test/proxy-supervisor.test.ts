import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureProxy, stopProxy } from '../src/traffic/proxy/supervisor.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import { loadAdminToken } from '../src/traffic/proxy/admin-token.js';
import { entryCommand } from './support/entry.js';
import { freePort, removeDir, tempDir } from './proxy-support.js';
import { alive } from '../src/traffic/proxy/pid-file.js';

describe('proxy supervisor', () => {
  const pids: number[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all(dirs.splice(0).map(removeDir));
  });

  async function setup() {
    const stateDir = await tempDir();
    dirs.push(stateDir);
    return {
      stateDir,
      admin: `127.0.0.1:${await freePort()}`,
      logFile: path.join(stateDir, 'logs', 'proxy.log'),
      command: entryCommand('src/traffic/proxy/process.ts'),
    };
  }

  it('starts a detached proxy, reuses it, and stops it idempotently', async () => {
    const options = await setup();
    const first = await ensureProxy({ ...options, startTimeoutMs: 60_000 });
    pids.push(first.pid);
    expect(first.started).toBe(true);
    expect(JSON.parse(await readFile(path.join(options.stateDir, 'proxy.pid'), 'utf8'))).toMatchObject({
      pid: first.pid,
      admin: options.admin,
    });
    const router = new ProxyRouter({ admin: options.admin, token: await loadAdminToken(options.stateDir) });
    try {
      expect(await router.healthy()).toBe(true);
    } finally {
      await router.close();
    }
    expect(await readFile(options.logFile, 'utf8')).toContain('proxy started');

    const again = await ensureProxy(options);
    expect(again).toEqual({ pid: first.pid, started: false });

    expect(await stopProxy(options.stateDir)).toEqual({ stopped: true, pid: first.pid });
    expect(alive(first.pid)).toBe(false);
    expect(await stopProxy(options.stateDir)).toEqual({ stopped: false });
  });

  it('reports a proxy that exits at start with the tail of its log', async () => {
    const options = await setup();
    const command: [string, string[]] = [
      process.execPath,
      ['-e', 'console.error("boom: cannot start"); process.exit(3)', '--'],
    ];
    await expect(ensureProxy({ ...options, command })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/exited with code 3 before it became healthy[\s\S]*boom: cannot start/),
    });
    expect(await stopProxy(options.stateDir)).toEqual({ stopped: false });
  });

  it('does not adopt a proxy of another state dir on the same admin address', async () => {
    const options = await setup();
    const first = await ensureProxy({ ...options, startTimeoutMs: 60_000 });
    pids.push(first.pid);
    const otherDir = await tempDir();
    dirs.push(otherDir);
    await expect(ensureProxy({ ...options, stateDir: otherDir })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('different admin token'),
    });
    expect(await stopProxy(otherDir)).toEqual({ stopped: false });
    expect(await stopProxy(options.stateDir)).toMatchObject({ stopped: true });
  });
});
