import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import {
  freePort,
  oneRoute,
  releaseSet,
  removeDir,
  send,
  spawnProxy,
  startUpstream,
  tempDir,
  type ProxyProcess,
  type TestUpstream,
  waitFor,
} from './proxy-support.js';

/**
 * The load generator sends a GET again once when its connection closed before any response byte, as browsers do
 * (RFC 9110 §9.2.2): without that, the requests a client wrote on the killed worker's connections fail (bench/proxy.ts
 * counts them).
 *
 * The proxy as a parent holding the listeners and two worker processes serving from them (its own
 * process, real upstreams): tables pushed reach every worker before the PUT answers, figures are
 * summed over the workers, and a SIGKILLed worker is replaced while the other keeps serving.
 */
let proxy: ProxyProcess;
let router: ProxyRouter;
let admin: string;
let stateDir: string;
let upstreams: TestUpstream[] = [];
const token = `workers-${Math.random().toString(36).slice(2)}`;

interface Health {
  pid: number;
  workers: number[];
}
const health = async (): Promise<Health> => (await send(`http://${admin}/healthz`)).json<Health>();

/** Pids of the processes holding an established connection to `port` (from `ss -tnp`). */
function pidsConnectedTo(port: number): Set<number> {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
}

beforeAll(async () => {
  upstreams = [await startUpstream('u0'), await startUpstream('u1')];
  stateDir = await tempDir();
  admin = `127.0.0.1:${await freePort()}`;
  proxy = spawnProxy(['--admin', admin, '--state-dir', stateDir, '--workers', '2'], {
    ...process.env,
    SLIPWAY_PROXY_TOKEN: token,
  });
  router = new ProxyRouter({ admin, token });
  await waitFor(async () => (await router.healthy()) && (await health()).workers.length === 2, 'two workers', 60_000);
}, 90_000);

afterAll(async () => {
  const workers = (await health().catch(() => undefined))?.workers ?? [];
  await proxy?.kill();
  // The parent is gone; its workers would finish on their own, but a test leaves nothing behind.
  for (const pid of workers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await router?.close();
  await Promise.all(upstreams.map((u) => u.close()));
  await removeDir(stateDir);
}, 30_000);

describe('proxy workers', () => {
  it('every worker serves a pushed table as soon as the PUT answers', async () => {
    const port = await freePort();
    for (let round = 0; round < 6; round++) {
      const target = upstreams[round % 2]!;
      await router.apply(oneRoute('workers-a', port, [releaseSet(`1.${round}.0`, 'stable', 1, [target])]));
      // Fresh connections alternate between the workers: any worker on an older table would answer from the other.
      for (let i = 0; i < 8; i++) {
        const reply = await send(`http://127.0.0.1:${port}/`);
        expect(reply.headers['x-upstream'], `round ${round}, request ${i}`).toBe(target.name);
      }
    }
    // Both workers forwarded requests: each holds its own keep-alive connections to the upstreams.
    const { workers } = await health();
    const connected = new Set([...pidsConnectedTo(upstreams[0]!.port), ...pidsConnectedTo(upstreams[1]!.port)]);
    for (const pid of workers) expect(connected.has(pid), `worker ${pid} connected to an upstream`).toBe(true);
  });

  it('sums stats and samples over the workers', async () => {
    const port = await freePort();
    const u = upstreams[0]!;
    await router.apply(oneRoute('workers-b', port, [releaseSet('2.0.0', 'stable', 1, [u])]));
    const before = pidsConnectedTo(u.port);
    for (let i = 0; i < 40; i++) expect((await send(`http://127.0.0.1:${port}/?i=${i}`)).status).toBe(200);
    const stats = await router.stats();
    const release = stats.environments['workers-b']?.['quote-api']?.['2.0.0'];
    expect(release?.requests['2xx']).toBe(40);
    expect(release?.latency.count).toBe(40);
    const page = await router.samples('workers-b', 'quote-api');
    expect(page.samples).toHaveLength(40);
    expect(page.samples.map((s) => s.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const { workers } = await health();
    const connected = new Set([...before, ...pidsConnectedTo(u.port)]);
    expect(workers.every((pid) => connected.has(pid))).toBe(true);
  });

  it('a worker SIGKILLed under steady load: no failed request, and a new worker takes its place', async () => {
    const port = await freePort();
    await router.apply(oneRoute('workers-c', port, [releaseSet('3.0.0', 'stable', 1, upstreams)]));
    const { workers: before } = await health();
    const victim = before[0]!;
    const load = new LoadGenerator({
      url: `http://127.0.0.1:${port}`,
      rate: 200,
      connections: 16,
      mix: [{ method: 'GET', path: '/', share: 1 }],
      timeoutMs: 10_000,
      retryResets: true,
    });
    load.start();
    await new Promise((r) => setTimeout(r, 2_000));
    process.kill(victim, 'SIGKILL');
    const replaced = await waitFor(
      async () => {
        const { workers } = await health();
        return workers.length === 2 && !workers.includes(victim) ? workers : undefined;
      },
      'a new worker',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const report = await load.stop();
    expect(report.failures).toEqual([]);
    expect(report.failed).toBe(0);
    // Only requests sent on the killed worker's own connections before the kernel closed them needed the retry a
    // browser makes (one per connection at most); every other request never noticed.
    expect(report.retried).toBeLessThanOrEqual(16);
    expect(report.requests).toBeGreaterThan(600);
    expect(replaced).toContain(before[1]);
    // The counters survive the worker: the parent holds them.
    const stats = await router.stats();
    const count = stats.environments['workers-c']?.['quote-api']?.['3.0.0']?.latency.count ?? 0;
    expect(count).toBeGreaterThanOrEqual(report.requests - 50);
    console.log(`worker SIGKILL under 200 req/s: ${report.requests} requests, 0 failed, ${report.retried} retried`);
  }, 60_000);

  it('when the parent is SIGKILLed its workers finish and exit (the coordinator starts a new parent)', async () => {
    const port = await freePort();
    await router.apply(oneRoute('workers-d', port, [releaseSet('4.0.0', 'stable', 1, [upstreams[0]!])]));
    const { workers } = await health();
    // A keep-alive client: its idle connection must not keep an orphaned worker serving.
    const agent = new http.Agent({ keepAlive: true });
    expect((await send(`http://127.0.0.1:${port}/`, { agent })).status).toBe(200);
    await proxy.kill();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => workers.every((pid) => !alive(pid)), 'the orphaned workers to exit', 15_000);
    await expect(send(`http://127.0.0.1:${port}/`, { agent })).rejects.toThrow();
    agent.destroy();
  }, 30_000);
});
