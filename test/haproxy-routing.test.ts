import http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { masterSocket } from '../src/traffic/haproxy/files.js';
import { MasterCli } from '../src/traffic/haproxy/master-cli.js';
import type { EnvironmentRoutes, ReleaseSet, Route } from '../src/traffic/router.js';
import { haproxySubject, stopAllHaproxy } from './haproxy-support.js';
import { send } from './proxy-support.js';
import { until } from '../src/traffic/router-case.contract.js';

/**
 * What HaproxyRouter adds to the Router contract: the built-in proxy's routing rules in the generated
 * configuration (host, longest prefix on whole segments, sticky cookie), and changes of the same shape
 * applied through the runtime API without a reload, while new routes reload.
 */
afterAll(stopAllHaproxy);

type Subject = Awaited<ReturnType<typeof haproxySubject>>;
let subject: Subject | undefined;
afterEach(async () => {
  await subject?.dispose();
  subject = undefined;
});

const set = (release: string, role: ReleaseSet['role'], weight: number, ids: { id: string; address: string }[]) => ({
  release,
  role,
  weight,
  upstreams: ids,
});

describe('HaproxyRouter', () => {
  it('routes by host and the longest path prefix on whole segments, host route first on a tie', async () => {
    subject = await haproxySubject();
    const { router, upstreams: u } = subject;
    const listen = await subject.listen();
    const route = (service: string, pathPrefix: string, upstream: number, host?: string): Route => ({
      service,
      match: { pathPrefix, ...(host ? { host } : {}) },
      releases: [set('1.0.0', 'stable', 1, [u[upstream]!])],
    });
    await router.apply({
      environment: 'staging',
      listen,
      routes: [route('web', '/', 0), route('api', '/api', 1), route('shop-api', '/api', 2, 'Shop.Example.com')],
    });
    const via = async (path: string, host = 'other.example.com') =>
      (await send(`http://${listen}${path}`, { headers: { host } })).headers['x-upstream'];
    expect(await via('/api')).toBe('u1');
    expect(await via('/api/quotes?x=1')).toBe('u1');
    expect(await via('/apix')).toBe('u0');
    expect(await via('/api/quotes', 'shop.example.com:8080')).toBe('u2');
    expect(await via('/', 'shop.example.com')).toBe('u0');
  });

  it('a sticky route sets the slipway-release cookie for the release that served, and honours it', async () => {
    subject = await haproxySubject();
    const { router, upstreams: u } = subject;
    const listen = await subject.listen();
    const table: EnvironmentRoutes = {
      environment: 'staging',
      listen,
      routes: [
        {
          service: 'quote-api',
          match: { pathPrefix: '/' },
          releases: [set('1.0.0', 'stable', 1, [u[0]]), set('1.1.0', 'candidate', 1, [u[1]])],
          sticky: true,
        },
      ],
    };
    await router.apply(table);
    const first = await send(`http://${listen}/`);
    const release = first.headers['x-upstream'] === 'u0' ? '1.0.0' : '1.1.0';
    expect(first.headers['set-cookie']).toEqual([`slipway-release=${release}; Path=/; HttpOnly; SameSite=Lax`]);
    for (let i = 0; i < 6; i++) {
      const again = await send(`http://${listen}/`, { headers: { cookie: `slipway-release=${release}` } });
      expect(again.headers['x-upstream']).toBe(first.headers['x-upstream']);
      expect(again.headers['set-cookie']).toBeUndefined();
    }
    await router.apply({ ...table, routes: [{ ...table.routes[0]!, sticky: false }] });
    expect((await send(`http://${listen}/`)).headers['set-cookie']).toBeUndefined();
  });

  it('new releases, weights and drains go through the runtime API; a new route reloads', async () => {
    subject = await haproxySubject();
    const { router, upstreams: u } = subject;
    const cli = new MasterCli(masterSocket(subject.stateDir));
    const listen = await subject.listen();
    const table = (releases: ReturnType<typeof set>[], extra: Route[] = []): EnvironmentRoutes => ({
      environment: 'staging',
      listen,
      routes: [{ service: 'quote-api', match: { pathPrefix: '/' }, releases }, ...extra],
    });
    await router.apply(table([set('1.0.0', 'stable', 1, [u[0]])]));
    const { reloads } = await cli.processes();
    await router.apply(table([set('1.0.0', 'stable', 1, [u[0]]), set('1.1.0', 'candidate', 1, [u[1]])]));
    await router.apply(table([set('1.0.0', 'stable', 0, [u[0]]), set('1.1.0', 'candidate', 1, [u[1]])]));
    expect((await send(`http://${listen}/`)).headers['x-upstream']).toBe('u1');
    await router.apply(table([set('1.1.0', 'stable', 1, [u[1], u[2]])]));
    const served = new Set<unknown>();
    for (let i = 0; i < 6; i++) served.add((await send(`http://${listen}/`)).headers['x-upstream']);
    expect([...served].sort()).toEqual(['u1', 'u2']);
    expect((await cli.processes()).reloads).toBe(reloads);
    const api: Route = { service: 'api', match: { pathPrefix: '/api' }, releases: [set('1.0.0', 'stable', 1, [u[0]])] };
    await router.apply(table([set('1.1.0', 'stable', 1, [u[1], u[2]])], [api]));
    expect((await cli.processes()).reloads).toBe(reloads + 1);
    expect((await send(`http://${listen}/api/x`)).headers['x-upstream']).toBe('u0');
  });

  it('requests a reload leaves to the retiring worker are counted when they finish', async () => {
    subject = await haproxySubject();
    const { router, upstreams: u } = subject;
    const listen = await subject.listen();
    const route: Route = {
      service: 'quote-api',
      match: { pathPrefix: '/' },
      releases: [set('1.0.0', 'stable', 1, [u[0]])],
    };
    await router.apply({ environment: 'staging', listen, routes: [route] });
    const count = async () => (await router.stats()).environments.staging?.['quote-api']?.['1.0.0']?.latency.count;
    expect(await count()).toBe(0);
    const held = await subject.dataPlane!.hold(listen, '1.0.0');
    const api: Route = { service: 'api', match: { pathPrefix: '/api' }, releases: [] };
    await router.apply({ environment: 'staging', listen, routes: [route, api] });
    expect(await held.finish()).toEqual({ status: 200, upstream: 'u0' });
    await until('the retiring worker’s request to be counted', async () => (await count()) === 1);
  });

  it('reloads and runtime changes under keep-alive traffic fail no request', async () => {
    subject = await haproxySubject();
    const { router, upstreams: u } = subject;
    const listen = await subject.listen();
    const table = (weights: [number, number], extra: boolean): EnvironmentRoutes => ({
      environment: 'staging',
      listen,
      routes: [
        {
          service: 'quote-api',
          match: { pathPrefix: '/' },
          releases: [set('1.0.0', 'stable', weights[0], [u[0]]), set('1.1.0', 'candidate', weights[1], [u[1]])],
        },
        ...(extra ? [{ service: 'api', match: { pathPrefix: '/api' }, releases: [] }] : []),
      ],
    });
    await router.apply(table([1, 0], false));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let stop = false;
    const outcomes: string[] = [];
    const client = async () => {
      while (!stop) {
        outcomes.push(
          await send(`http://${listen}/`, { agent }).then(
            (r) => String(r.status),
            (e: Error) => e.message,
          ),
        );
      }
    };
    const clients = [client(), client(), client(), client()];
    for (let i = 1; i <= 6; i++) await router.apply(table([10 - i, i], i % 2 === 0));
    stop = true;
    await Promise.all(clients);
    agent.destroy();
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o !== '200')).toEqual([]);
  });
});
