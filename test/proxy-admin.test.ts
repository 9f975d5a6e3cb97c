import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSlipwayError } from '../src/shared/errors.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import { autoWorkerCount } from '../src/traffic/proxy/worker-count.js';
import {
  freePort,
  oneRoute,
  releaseSet,
  send,
  startProxy,
  startUpstream,
  type InProcessProxy,
  type TestUpstream,
} from './proxy-support.js';

/** The rejection of a promise (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('proxy admin API', () => {
  let app: TestUpstream;
  let proxy: InProcessProxy | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Answers ?status=N after ?delay=ms.
    app = await startUpstream('app', (req, res) => {
      const url = new URL(req.url!, 'http://x');
      setTimeout(
        () => {
          res.writeHead(Number(url.searchParams.get('status') ?? 200), { 'content-type': 'text/plain' });
          res.end('ok');
        },
        Number(url.searchParams.get('delay') ?? 0),
      );
    });
  });
  afterAll(() => app?.close());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });

  it('needs the bearer token everywhere except /healthz', async () => {
    proxy = await startProxy();
    const base = `http://${proxy.admin}`;
    const health = await send(`${base}/healthz`);
    expect(health.status).toBe(200);
    const body = health.json<any>();
    expect(body).toEqual({ ok: true, startedAt: proxy.running.startedAt, pid: process.pid, workers: body.workers });
    // One worker per core but one by default (at least one), none of them this process.
    expect(body.workers).toHaveLength(autoWorkerCount());
    expect(body.workers).not.toContain(process.pid);
    for (const [method, url] of [
      ['GET', '/routes'],
      ['GET', '/stats'],
      ['GET', '/upstreams'],
      ['GET', '/metrics'],
      ['GET', '/rum?environment=staging&service=web'],
      ['PUT', '/routes/staging'],
      ['DELETE', '/routes/staging'],
    ]) {
      expect((await send(`${base}${url}`, { method })).status, `${method} ${url} without token`).toBe(401);
      expect(
        (await send(`${base}${url}`, { method, headers: { Authorization: `Bearer ${proxy.token}x` } })).status,
        `${method} ${url} wrong token`,
      ).toBe(401);
    }
    expect((await send(`${base}/routes`, { headers: { Authorization: `Bearer ${proxy.token}` } })).json()).toEqual([]);
    const wrong = new ProxyRouter({ admin: proxy.admin, token: 'nope' });
    cleanups.push(() => wrong.close());
    expect(await rejection(wrong.upstreams())).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('rejected the admin token'),
    });
  });

  it('rejects a bad table with 400 and the key path, keeping the previous one', async () => {
    proxy = await startProxy();
    const port = await freePort();
    const good = oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [app])]);
    await proxy.router.apply(good);
    const bad = structuredClone(good) as any;
    bad.routes[0].releases[0].weight = 'ten';
    const raw = await send(`http://${proxy.admin}/routes/staging`, {
      method: 'PUT',
      body: JSON.stringify(bad),
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(raw.status).toBe(400);
    expect(raw.json<any>().error).toMatchObject({
      code: 'invalid_input',
      details: { issues: [{ path: 'routes[0].releases[0].weight' }] },
    });
    const e = await rejection(proxy.router.apply(bad));
    expect(isSlipwayError(e) && e.name).toBe('ProxyError');
    expect(e).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('routes[0].releases[0].weight'),
    });
    expect(
      await rejection(proxy.router.apply({ ...good, environment: 'other' as string, listen: 'nope' })),
    ).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('listen') });
    expect((await send(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(await proxy.router.routes()).toEqual([good]);
  });

  it('answers 409 when the listen address is in use and the previous table keeps serving', async () => {
    proxy = await startProxy();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => blocker.close(() => r())));
    const taken = (blocker.address() as net.AddressInfo).port;
    const port = await freePort();
    await proxy.router.apply(oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [app])]));

    const moved = await rejection(
      proxy.router.apply(oneRoute('staging', taken, [releaseSet('2.0.0', 'stable', 1, [app])])),
    );
    expect(moved).toMatchObject({
      code: 'conflict',
      message: `listen address 127.0.0.1:${taken} of environment "staging" is already in use`,
    });
    const raw = await send(`http://${proxy.admin}/routes/prod`, {
      method: 'PUT',
      body: JSON.stringify(oneRoute('prod', taken, [])),
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(raw.status).toBe(409);
    const clash = await rejection(proxy.router.apply(oneRoute('prod', port, [])));
    expect(clash).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already used by environment "staging"'),
    });

    expect((await send(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(
      (await proxy.router.routes()).map((t) => `${t.environment} ${t.listen} ${t.routes[0]!.releases[0]!.release}`),
    ).toEqual([`staging 127.0.0.1:${port} 1.0.0`]);
    expect(JSON.parse(await readFile(path.join(proxy.stateDir, 'routes.json'), 'utf8')).environments).toHaveLength(1);
  });

  it('moves, removes and persists listeners before answering', async () => {
    proxy = await startProxy();
    const [a, b] = [await freePort(), await freePort()];
    await proxy.router.apply(oneRoute('staging', a, [releaseSet('1.0.0', 'stable', 1, [app])]));
    await proxy.router.apply(oneRoute('staging', b, [releaseSet('1.0.0', 'stable', 1, [app])]));
    expect((await send(`http://127.0.0.1:${b}/`)).status).toBe(200);
    await expect(send(`http://127.0.0.1:${a}/`)).rejects.toThrow(/ECONNREFUSED/);
    const saved = JSON.parse(await readFile(path.join(proxy.stateDir, 'routes.json'), 'utf8'));
    expect(saved.environments.map((t: any) => t.listen)).toEqual([`127.0.0.1:${b}`]);
    await proxy.router.remove('staging');
    await proxy.router.remove('staging');
    await expect(send(`http://127.0.0.1:${b}/`)).rejects.toThrow(/ECONNREFUSED/);
    expect(JSON.parse(await readFile(path.join(proxy.stateDir, 'routes.json'), 'utf8')).environments).toEqual([]);
    expect(await proxy.router.routes()).toEqual([]);
  });

  it('counts requests by status class with a latency histogram, samples and metrics', async () => {
    proxy = await startProxy();
    const port = await freePort();
    await proxy.router.apply(
      oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [app]), releaseSet('1.1.0', 'candidate', 0, [])]),
    );
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 5; i++) await send(`${base}/ok`);
    for (let i = 0; i < 3; i++) await send(`${base}/missing?status=404`);
    for (let i = 0; i < 2; i++) await send(`${base}/slow?status=500&delay=60`);
    const before = await proxy.router.stats();
    const s = before.environments.staging!['quote-api']!['1.0.0']!;
    expect(s.requests).toEqual({ '1xx': 0, '2xx': 5, '3xx': 0, '4xx': 3, '5xx': 2, proxyError: 0 });
    expect(s.latency.count).toBe(10);
    expect(s.latency.counts.reduce((x, y) => x + y, 0)).toBe(10);
    expect(s.latency.bucketsMs.at(-1)).toBe(Infinity);
    const atLeast60 = s.latency.bucketsMs.reduce((n, bound, i) => (bound >= 100 ? n + s.latency.counts[i]! : n), 0);
    expect(atLeast60).toBeGreaterThanOrEqual(2);
    expect(s.latency.sumMs).toBeGreaterThanOrEqual(120);
    expect(before.environments.staging!['quote-api']!['1.1.0']!.latency.count).toBe(0);
    expect(before.startedAt).toBe(proxy.running.startedAt);

    const page = await proxy.router.samples('staging', 'quote-api');
    expect(page.samples.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 404, 404, 404, 500, 500]);
    expect(page.samples.every((x) => x.release === '1.0.0' && !x.proxyError)).toBe(true);
    expect(page.samples.at(-1)!.latencyMs).toBeGreaterThanOrEqual(60);
    expect((await proxy.router.samples('staging', 'quote-api', page.cursor)).samples).toEqual([]);
    await send(`${base}/again`);
    expect((await proxy.router.samples('staging', 'quote-api', page.cursor)).samples.map((x) => x.seq)).toEqual([
      page.cursor + 1,
    ]);
    const bad = await send(`http://${proxy.admin}/samples?environment=staging&service=quote-api&after=x`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(bad.status).toBe(400);

    const metrics = await send(`http://${proxy.admin}/metrics`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain(
      'slipway_proxy_requests_total{environment="staging",service="quote-api",release="1.0.0",class="2xx"} 6',
    );
    const labels = 'environment="staging",service="quote-api",release="1.0.0"';
    expect(metrics.text).toContain(`slipway_proxy_request_duration_seconds_bucket{${labels},le="+Inf"} 11`);
    expect(metrics.text).toContain(
      'slipway_proxy_request_duration_seconds_count{environment="staging",service="quote-api",release="1.0.0"} 11',
    );
    expect(metrics.text).toMatch(
      new RegExp(
        String.raw`slipway_proxy_upstream_in_flight\{environment="staging",service="quote-api",release="1.0.0",` +
          String.raw`upstream="app",address="127.0.0.1:\d+"\} 0`,
      ),
    );
    expect(metrics.text).toContain(
      'slipway_proxy_upstreams{environment="staging",service="quote-api",release="1.0.0",state="active"} 1',
    );
  });

  it('reports an unreachable proxy as unavailable and unhealthy', async () => {
    const admin = `127.0.0.1:${await freePort()}`;
    const router = new ProxyRouter({ admin, token: 't', timeoutMs: 2_000 });
    cleanups.push(() => router.close());
    expect(await router.healthy()).toBe(false);
    expect(await rejection(router.stats())).toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`not reachable at ${admin}`),
    });
    proxy = await startProxy();
    expect(await proxy.router.healthy()).toBe(true);
  });
});
