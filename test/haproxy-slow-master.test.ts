import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureHaproxy } from '../src/traffic/haproxy/detached.js';
import { masterSocket } from '../src/traffic/haproxy/files.js';
import { HaproxyRouter } from '../src/traffic/haproxy/haproxy-router.js';
import { MasterCli } from '../src/traffic/haproxy/master-cli.js';
import { killQuietly, startRecorded, startUpstreams, stopAllHaproxy } from './haproxy-support.js';
import { freePort, removeDir, send, tempDir, type TestUpstream } from './proxy-support.js';

/**
 * ensureHaproxy (what the coordinator's watchdog calls when the router says haproxy is not answering) against a
 * master that is alive but does not answer in time: on a saturated machine that happens, and starting a second
 * haproxy beside it left two sharing the listen address, the first routing by stale tables (503s in
 * bench:zero-downtime --proxy haproxy). Simulated by SIGSTOPping the master: its worker serves on meanwhile.
 */
let dir: string | undefined;
let upstreams: TestUpstream[] = [];
const pids = new Set<number>();
afterEach(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
    killQuietly(pid);
  }
  pids.clear();
  await Promise.all(upstreams.map((u) => u.close()));
  await removeDir(dir);
});
afterAll(stopAllHaproxy);

/** Pids of haproxy processes started on this state dir's master socket (masters; workers carry the same args). */
function haproxysOf(stateDir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.includes('haproxy') && args.some((a) => a.startsWith(masterSocket(stateDir)))) out.push(+entry);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function serving(): Promise<{ router: HaproxyRouter; listen: string; master: number }> {
  dir = await tempDir('slipway-hx-');
  upstreams = await startUpstreams(new Map());
  const proc = await startRecorded(dir);
  const router = new HaproxyRouter({ stateDir: dir });
  const listen = `127.0.0.1:${await freePort()}`;
  await router.apply({
    environment: 'staging',
    listen,
    routes: [
      {
        service: 'quote-api',
        match: { pathPrefix: '/' },
        releases: [
          { release: '1.0.0', role: 'stable', weight: 1, upstreams: [{ id: 'u0', address: upstreams[0]!.address }] },
        ],
      },
    ],
  });
  const procs = await new MasterCli(masterSocket(dir)).processes();
  for (const pid of [procs.master, procs.worker]) pids.add(pid);
  return { router, listen, master: proc.pid };
}

describe('ensureHaproxy with a master that does not answer', () => {
  it('a live master that is too slow to answer is adopted, not doubled; it serves on and answers later', async () => {
    const { router, listen, master } = await serving();
    const before = haproxysOf(dir!);
    process.kill(master, 'SIGSTOP');
    try {
      expect(await router.healthy()).toBe(false);
      const ensured = await ensureHaproxy({ stateDir: dir!, ringBytes: 1024 * 1024 });
      for (const pid of haproxysOf(dir!)) pids.add(pid);
      expect(ensured).toEqual({ pid: master, started: false });
      // No new haproxy process (an old worker of the first reload may have finished meanwhile).
      expect(haproxysOf(dir!).filter((pid) => !before.includes(pid))).toEqual([]);
      // The worker never stopped serving.
      expect((await send(`http://${listen}/`)).status).toBe(200);
    } finally {
      process.kill(master, 'SIGCONT');
    }
    expect(await router.healthy()).toBe(true);
  }, 60_000);

  it('a master whose socket is gone (no router can reach it) is stopped before another starts', async () => {
    const { listen, master } = await serving();
    rmSync(masterSocket(dir!));
    const ensured = await ensureHaproxy({ stateDir: dir!, ringBytes: 1024 * 1024 });
    for (const pid of haproxysOf(dir!)) pids.add(pid);
    expect(ensured.started).toBe(true);
    expect(ensured.pid).not.toBe(master);
    const procs = await new MasterCli(masterSocket(dir!)).processes();
    // Only the new master and its worker are left, serving the saved tables.
    expect(haproxysOf(dir!).sort()).toEqual([procs.master, procs.worker].sort());
    expect((await send(`http://${listen}/`)).status).toBe(200);
  }, 60_000);
});
