import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

describe('proxy routing over real HTTP', () => {
  let stable1: TestUpstream, stable2: TestUpstream, candidate: TestUpstream;
  let proxy: InProcessProxy | undefined;
  let port: number;
  let base: string;

  beforeAll(async () => {
    [stable1, stable2, candidate] = await Promise.all([
      startUpstream('stable-1'),
      startUpstream('stable-2'),
      startUpstream('candidate-1'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([stable1, stable2, candidate].map((u) => u?.close()));
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  async function withTable(stableWeight: number, candidateWeight: number, extra: { sticky?: boolean } = {}) {
    proxy = await startProxy();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await proxy.router.apply(
      oneRoute(
        'staging',
        port,
        [
          releaseSet('1.0.0', 'stable', stableWeight, [stable1, stable2]),
          releaseSet('1.1.0', 'candidate', candidateWeight, [candidate]),
        ],
        extra,
      ),
    );
  }

  it('splits traffic 90/10 by weight across real requests', async () => {
    await withTable(90, 10);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const counts: Record<string, number> = {};
      for (let batch = 0; batch < 25; batch++) {
        const replies = await Promise.all(Array.from({ length: 8 }, () => send(`${base}/quote`, { agent })));
        for (const r of replies) {
          expect(r.status).toBe(200);
          const who = r.json().upstream;
          counts[who] = (counts[who] ?? 0) + 1;
        }
      }
      const candidateShare = counts['candidate-1']! / 200;
      expect(candidateShare).toBeGreaterThanOrEqual(0.07);
      expect(candidateShare).toBeLessThanOrEqual(0.13);
      // Least in-flight with round-robin among ties spreads the stable share over both instances.
      expect(counts['stable-1']).toBeGreaterThan(40);
      expect(counts['stable-2']).toBeGreaterThan(40);
    } finally {
      agent.destroy();
    }
  });

  it('adds X-Forwarded-* and X-Request-Id, strips hop-by-hop headers, keeps the Host', async () => {
    await withTable(1, 0);
    const r = await send(`${base}/quote?x=1`, {
      headers: {
        'X-Forwarded-For': '203.0.113.9',
        Connection: 'X-Secret',
        'X-Secret': 'no',
        'Proxy-Authorization': 'Basic x',
        'X-Request-Id': 'req-42',
        Host: 'shop.test:8443',
      },
    });
    const echo = r.json();
    expect(echo.url).toBe('/quote?x=1');
    expect(echo.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(echo.headers['x-forwarded-host']).toBe('shop.test:8443');
    expect(echo.headers.host).toBe('shop.test:8443');
    expect(echo.headers['x-request-id']).toBe('req-42');
    expect(echo.headers['x-secret']).toBeUndefined();
    expect(echo.headers['proxy-authorization']).toBeUndefined();
    const fresh = (await send(`${base}/`)).json();
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends targeted requests (header or cookie) to a weight-0 candidate', async () => {
    await withTable(100, 0);
    for (let i = 0; i < 5; i++) expect((await send(`${base}/`)).json().upstream).toMatch(/^stable/);
    expect((await send(`${base}/`, { headers: { 'X-Slipway-Release': 'candidate' } })).json().upstream).toBe(
      'candidate-1',
    );
    expect((await send(`${base}/`, { headers: { 'X-Slipway-Release': '1.1.0' } })).json().upstream).toBe('candidate-1');
    expect((await send(`${base}/`, { headers: { Cookie: 'a=b; slipway-release=1.1.0' } })).json().upstream).toBe(
      'candidate-1',
    );
  });

  it('pins clients of sticky routes with a cookie and honours it', async () => {
    await withTable(50, 50, { sticky: true });
    const first = await send(`${base}/`);
    const cookie = first.headers['set-cookie']?.find((c) => c.startsWith('slipway-release='));
    expect(cookie).toMatch(/^slipway-release=1\.(0|1)\.0; Path=\/; HttpOnly; SameSite=Lax$/);
    const release = cookie!.split(';')[0]!;
    const expected = release.endsWith('1.1.0') ? 'candidate' : 'stable';
    for (let i = 0; i < 10; i++) {
      const r = await send(`${base}/`, { headers: { Cookie: release } });
      expect(r.json().upstream.startsWith(expected)).toBe(true);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
  });

  it('streams large request bodies and responses intact', async () => {
    await withTable(1, 0);
    const { createHash } = await import('node:crypto');
    for (const size of [10, 200 * 1024, 3 * 1024 * 1024]) {
      const body = Buffer.alloc(size, 7);
      body.write(`size ${size}`);
      const r = await send(`${base}/upload`, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      expect(r.json()).toMatchObject({
        method: 'POST',
        bodyLength: size,
        bodySha: createHash('sha256').update(body).digest('hex'),
      });
    }
  });

  it('answers 404 for unrouted paths and 501 for WebSocket upgrades, in text or JSON', async () => {
    proxy = await startProxy();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await proxy.router.apply(
      oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [stable1])], { pathPrefix: '/api' }),
    );
    const text = await send(`${base}/web/page?token=secret`);
    expect(text.status).toBe(404);
    expect(text.text).toBe('slipway proxy: no service routes /web/page in environment "staging"\n');
    expect(text.headers['x-slipway-proxy-error']).toBe('no_route');
    const json = await send(`${base}/web`, { headers: { Accept: 'application/json' } });
    expect(json.json()).toEqual({
      error: { code: 'no_route', message: 'no service routes /web in environment "staging"' },
    });
    const ws = await send(`${base}/api/socket`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    expect(ws.status).toBe(501);
    expect(ws.text).toMatch(/WebSocket upgrades are not supported/);
  });
});
