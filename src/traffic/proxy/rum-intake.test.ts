import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RumSignalSource } from '../../signals/rum/rum-source.js';
import { silentLogger } from '../../shared/logging.js';
import type { EnvironmentRoutes } from '../router.js';
import { type AdminServer, startAdminServer } from './admin-api.js';
import { DataPlane } from './data-plane.js';
import { ProxyRouter } from './proxy-router.js';
import { parseBeacon } from './rum-intake.js';
import { viewHash } from './rum-samples.js';

/**
 * RUM beacons through a real data plane (in process, real sockets): the listener answers
 * /.slipway/rum itself, keeps the sample under the route's service and release, and the admin
 * API's GET /rum hands it to the RUM signal source.
 */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Upstreams that nothing listens on: a beacon must never be forwarded, so they are never dialled.
const table = (listen: string): EnvironmentRoutes => ({
  environment: 'harbor.staging',
  listen,
  routes: [
    {
      service: 'web',
      match: { pathPrefix: '/' },
      releases: [
        { release: '1.0.0', role: 'stable', weight: 90, upstreams: [{ id: 'web-1', address: '127.0.0.1:9' }] },
        { release: '2.0.0', role: 'candidate', weight: 10, upstreams: [{ id: 'web-2', address: '127.0.0.1:9' }] },
      ],
    },
    {
      service: 'api',
      match: { pathPrefix: '/api' },
      releases: [
        { release: '2.0.0', role: 'stable', weight: 100, upstreams: [{ id: 'api-1', address: '127.0.0.1:9' }] },
      ],
    },
  ],
});

let plane: DataPlane;
let limited: DataPlane;
let admin: AdminServer;
let base: string;
let limitedBase: string;
const token = 'rum-test-token-0123456789abcdef';

beforeAll(async () => {
  plane = new DataPlane({ logger: silentLogger });
  const port = await freePort();
  await plane.apply(table(`127.0.0.1:${port}`));
  base = `http://127.0.0.1:${port}`;
  admin = await startAdminServer({
    address: { host: '127.0.0.1', port: await freePort() },
    token,
    dataPlane: plane,
    logger: silentLogger,
  });
  // A second proxy that takes 3 beacons, then (almost) nothing more.
  limited = new DataPlane({ logger: silentLogger, rumLimits: { ratePerSecond: 0.001, burst: 3 } });
  const limitedPort = await freePort();
  await limited.apply(table(`127.0.0.1:${limitedPort}`));
  limitedBase = `http://127.0.0.1:${limitedPort}`;
});
afterAll(async () => {
  await admin?.close();
  await plane?.close(0);
  await limited?.close(0);
});

const beacon = (body: unknown, init: RequestInit = {}, at = base) =>
  fetch(`${at}/.slipway/rum`, {
    method: 'POST',
    // navigator.sendBeacon with a string sends text/plain.
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });

describe('the proxy answers RUM beacons itself', () => {
  it('keeps a beacon of a live release under the service whose route it matched', async () => {
    const before = plane.rum('harbor.staging', 'web', 0).cursor;
    const lcp = { release: '2.0.0', name: 'LCP', value: 1234.5, id: 'v4-1700000000000-1', page: '/quote' };
    expect((await beacon(lcp)).status).toBe(204);
    const error = await beacon({ release: '1.0.0', name: 'error', id: 'e1' });
    expect(error.status).toBe(204);
    const page = plane.rum('harbor.staging', 'web', before);
    expect(page.samples.map(({ release, name, value, view }) => ({ release, name, value, view }))).toEqual([
      { release: '2.0.0', name: 'LCP', value: 1234.5, view: viewHash('v4-1700000000000-1') },
      { release: '1.0.0', name: 'error', value: 1, view: viewHash('e1') },
    ]);
    expect(plane.rum('harbor.staging', 'api', 0).samples).toEqual([]);
    // Not traffic of the frontend: the request samples do not see beacons.
    expect(plane.samples('harbor.staging', 'web', 0).samples).toEqual([]);
  });

  it('ignores a release that is not live on the route (202, nothing kept)', async () => {
    const before = plane.rum('harbor.staging', 'web', 0).cursor;
    const r = await beacon({ release: '0.9.0', name: 'LCP', value: 900 });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ recorded: false, reason: 'release 0.9.0 is not live for service "web"' });
    expect(plane.rum('harbor.staging', 'web', 0).cursor).toBe(before);
  });

  it('invalid JSON or fields: 400 naming what is wrong', async () => {
    const bad = async (body: string, message: string) => {
      const r = await beacon(body, { headers: { accept: 'application/json' } });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain(message);
    };
    await bad('{"release": ', 'RUM beacon: not valid JSON');
    await bad('[1]', 'RUM beacon: expected a JSON object { release, name, value, id?, page? }');
    await bad('{"release":"2.0.0","name":"FID","value":1}', 'RUM beacon: name: expected one of LCP, INP, CLS, error');
    await bad('{"release":"2.0.0","name":"LCP","value":-1}', 'RUM beacon: value: expected a number ≥ 0');
    await bad('{"name":"LCP","value":1}', 'RUM beacon: release: expected the release version');
    await bad('{"release":"2.0.0","name":"LCP","value":1,"page":7}', 'RUM beacon: page: expected a string');
  });

  it('bodies over 8 KiB: 413, declared or streamed', async () => {
    const big = JSON.stringify({ release: '2.0.0', name: 'LCP', value: 1, page: 'x'.repeat(9000) });
    expect((await beacon(big)).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const r = await beacon(stream as unknown as string, { body: stream, duplex: 'half' } as RequestInit);
    expect(r.status).toBe(413);
  });

  it('other methods: 405', async () => {
    const r = await fetch(`${base}/.slipway/rum`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });

  it('beacons per environment are rate limited: 429 past the burst, nothing kept', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await beacon({ release: '2.0.0', name: 'CLS', value: 0.1 }, {}, limitedBase)).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    expect(limited.rum('harbor.staging', 'web', 0).samples).toHaveLength(3);
  });

  it('GET /rum on the admin API feeds the RUM signal source', async () => {
    const router = new ProxyRouter({ admin: admin.address, token });
    try {
      const start = Date.now();
      for (let i = 0; i < 3; i++) await beacon({ release: '2.0.0', name: 'LCP', value: 2000 + i });
      await beacon({ release: '1.0.0', name: 'LCP', value: 1500 });
      const page = await router.rum('harbor.staging', 'web', 0);
      expect(page.samples.filter((s) => s.name === 'LCP' && s.at >= start)).toHaveLength(4);
      const source = new RumSignalSource({ router, environment: 'harbor.staging', service: 'web' });
      const [m] = await source.measure({
        project: 'harbor',
        service: 'web',
        environment: 'staging',
        stable: '1.0.0',
        candidate: '2.0.0',
        from: start,
        to: Date.now() + 1,
        baselineUntil: start,
      });
      expect(m).toMatchObject({
        phase: 'ok',
        kind: 'rum',
        candidate: { pageViews: 3, errorViews: 0, lcpMs: [2000, 2001, 2002] },
        stable: { pageViews: 1, lcpMs: [1500] },
      });
    } finally {
      await router.close();
    }
  });
});

describe('parseBeacon', () => {
  it('takes web-vitals metric fields and errors without a value', () => {
    expect(parseBeacon('{"release":"1.5.0","name":"INP","value":88,"id":"v4-1","page":"/"}')).toEqual({
      release: '1.5.0',
      name: 'INP',
      value: 88,
      view: viewHash('v4-1'),
    });
    expect(parseBeacon('{"release":"1.5.0","name":"error","value":"TypeError"}')).toEqual({
      release: '1.5.0',
      name: 'error',
      value: 1,
      view: 0,
    });
    // The same view id, the same hash; another id, another hash.
    expect(viewHash('view-1')).toBe(viewHash('view-1'));
    expect(viewHash('view-1')).not.toBe(viewHash('view-2'));
  });
});
