import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxySignalSource, type ProxyRequestsMeasurement } from '../src/signals/index.js';
import type { SignalQuery } from '../src/signals/signal-source.js';
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
  waitFor,
  type ProxyProcess,
  type TestUpstream,
} from './proxy-support.js';

describe('ProxySignalSource against a real proxy process', () => {
  const processes: ProxyProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A proxy process on a fresh state dir with its router; `restart()` starts it again on the same admin port and
   * state. */
  async function proxy() {
    const stateDir = await tempDir();
    cleanups.push(() => removeDir(stateDir));
    const admin = `127.0.0.1:${await freePort()}`;
    const start = async () => {
      const p = spawnProxy(['--admin', admin, '--state-dir', stateDir]);
      processes.push(p);
      await waitFor(
        () => readFile(path.join(stateDir, 'admin-token')).then(() => true),
        'the admin token file',
        30_000,
      );
      return p;
    };
    let current = await start();
    const router = new ProxyRouter({
      admin,
      token: (await readFile(path.join(stateDir, 'admin-token'), 'utf8')).trim(),
      timeoutMs: 5_000,
    });
    cleanups.push(() => router.close());
    await waitFor(() => router.healthy(), 'the proxy to be healthy', 30_000);
    return {
      admin,
      router,
      kill: () => current.kill(),
      restart: async () => {
        current = await start();
        await waitFor(() => router.healthy(), 'the restarted proxy to be healthy', 30_000);
      },
    };
  }

  /** Stable: slow (60 ms). Candidate: every fifth request answers 500 (exactly 20 %). */
  async function upstreams(): Promise<{ slow: TestUpstream; flaky: TestUpstream }> {
    const slow = await startUpstream('slow', (_req, res) => setTimeout(() => res.writeHead(200).end('slow'), 60));
    const flaky = await startUpstream('flaky', (_req, res, self) =>
      res.writeHead(self.requests % 5 === 0 ? 500 : 200).end('flaky'),
    );
    cleanups.push(
      () => slow.close(),
      () => flaky.close(),
    );
    return { slow, flaky };
  }

  /** `n` requests aimed at one release set (the header reaches it whatever its weight), a few at a time. */
  async function sendTo(port: number, target: 'stable' | 'candidate', n: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += 5) {
      const batch = Array.from({ length: Math.min(5, n - i) }, () =>
        send(`http://127.0.0.1:${port}/quote`, { headers: { 'x-slipway-release': target } }),
      );
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    return statuses;
  }

  async function measure(source: ProxySignalSource, query: SignalQuery): Promise<ProxyRequestsMeasurement> {
    const [m] = await source.measure(query);
    if (m?.phase !== 'ok' || m.kind !== 'requests')
      throw new Error(`expected a requests measurement, got ${JSON.stringify(m)}`);
    return m as ProxyRequestsMeasurement;
  }

  it('counts requests, errors and latencies per release, the baseline before baselineUntil, across calls', async () => {
    const { slow, flaky } = await upstreams();
    const p = await proxy();
    const port = await freePort();
    await p.router.apply(
      oneRoute('harbor.production', port, [
        releaseSet('1.0.0', 'stable', 100, [slow]),
        releaseSet('2.0.0', 'candidate', 0, [flaky]),
      ]),
    );

    // Before the deployment: 10 stable requests, seen by the proxy before baselineUntil.
    expect(await sendTo(port, 'stable', 10)).toEqual(Array(10).fill(200));
    await waitFor(
      async () => (await p.router.samples('harbor.production', 'quote-api', 0)).samples.length === 10,
      'the proxy to record the baseline requests',
    );
    const baselineUntil = Date.now() + 1;
    await waitFor(() => Date.now() > baselineUntil, 'the clock to pass baselineUntil');

    expect(await sendTo(port, 'stable', 20)).toEqual(Array(20).fill(200));
    const candidateStatuses = await sendTo(port, 'candidate', 25);
    expect(candidateStatuses.filter((s) => s === 500)).toHaveLength(5);

    const source = new ProxySignalSource({ router: p.router, environment: 'harbor.production', service: 'quote-api' });
    cleanups.push(() => source.close());
    const query: SignalQuery = {
      project: 'harbor',
      service: 'quote-api',
      environment: 'production',
      stable: '1.0.0',
      candidate: '2.0.0',
      from: baselineUntil,
      to: Date.now() + 600_000,
      baselineUntil,
    };
    const first = await measure(source, query);
    expect(first).toMatchObject({ metric: 'requests', source: 'proxy', phase: 'ok', missed: 0 });
    expect(first.candidate).toMatchObject({ total: 25, errors: 5 });
    expect(first.candidate.latenciesMs).toHaveLength(25);
    expect(first.stable).toMatchObject({ total: 20, errors: 0 });
    expect(first.baseline).toMatchObject({ total: 10, errors: 0 });
    // The slow upstream holds every answer 60 ms, and the proxy's latency includes that.
    for (const ms of [...first.stable.latenciesMs, ...first.baseline!.latenciesMs])
      expect(ms).toBeGreaterThanOrEqual(55);

    // The next call reads on from its cursor: each request is counted once.
    await sendTo(port, 'candidate', 10);
    const second = await measure(source, query);
    expect(second.candidate).toMatchObject({ total: 35, errors: 7 });
    expect(second.stable.total).toBe(20);
    expect((await measure(source, query)).candidate.total).toBe(35);
    // Nothing the proxy did not see: a window before the deployment has no candidate traffic.
    expect((await measure(source, { ...query, from: 0, to: baselineUntil })).candidate.total).toBe(0);
  });

  it('says phase error naming the proxy when it is down, and keeps its counts across a proxy restart', async () => {
    const { slow, flaky } = await upstreams();
    const p = await proxy();
    const port = await freePort();
    await p.router.apply(
      oneRoute('harbor.production', port, [
        releaseSet('1.0.0', 'stable', 100, [slow]),
        releaseSet('2.0.0', 'candidate', 0, [flaky]),
      ]),
    );
    const source = new ProxySignalSource({ router: p.router, environment: 'harbor.production', service: 'quote-api' });
    cleanups.push(() => source.close());
    const query: SignalQuery = {
      project: 'harbor',
      service: 'quote-api',
      environment: 'production',
      stable: '1.0.0',
      candidate: '2.0.0',
      from: 0,
      to: Date.now() + 600_000,
      baselineUntil: 0,
    };

    await sendTo(port, 'candidate', 10);
    expect((await measure(source, query)).candidate).toMatchObject({ total: 10, errors: 2 });

    await p.kill();
    const [down] = await source.measure(query);
    expect(down).toMatchObject({ metric: 'requests', source: 'proxy', phase: 'error' });
    expect(down!.phase === 'error' && down!.message).toMatch(
      new RegExp(
        `^cannot read the proxy's samples of service quote-api in harbor\\.production: .*not reachable at ` +
          `${p.admin.replace(/\./g, '\\.')}`,
      ),
    );

    // The restarted proxy restores its routes from disk and numbers its samples from 1 again.
    await p.restart();
    await sendTo(port, 'candidate', 5);
    const after = await measure(source, query);
    expect(after.candidate).toMatchObject({ total: 15, errors: 3 });
    expect(after.missed).toBe(0);
  });
});
