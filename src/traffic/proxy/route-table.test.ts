import { describe, expect, it } from 'vitest';
import type { EnvironmentRoutes, Route } from '../router.js';
import { compileTable, hostWithoutPort, matchRoute, prefixMatches } from './route-table.js';
import { TrafficStatsRegistry } from './traffic-stats.js';
import { UpstreamRegistry } from './upstream.js';

function route(service: string, pathPrefix: string, host?: string): Route {
  return {
    service,
    match: host ? { pathPrefix, host } : { pathPrefix },
    releases: [
      { release: '1.0.0', role: 'stable', weight: 1, upstreams: [{ id: `${service}-1`, address: '127.0.0.1:9' }] },
    ],
  };
}

function table(routes: Route[]) {
  const source: EnvironmentRoutes = { environment: 'staging', listen: '127.0.0.1:8080', routes };
  return compileTable(source, new UpstreamRegistry(1_000), new TrafficStatsRegistry(0));
}

describe('matchRoute', () => {
  const t = table([
    route('web', '/'),
    route('api', '/api'),
    route('admin', '/api/admin'),
    route('shop', '/', 'shop.example.com'),
    route('shop-api', '/api', 'Shop.Example.com'),
  ]);
  const service = (host: string | undefined, url: string) => matchRoute(t, host, url)?.service;

  it('picks the longest matching path prefix', () => {
    expect(service('x', '/')).toBe('web');
    expect(service('x', '/api/quotes')).toBe('api');
    expect(service('x', '/api/admin/users?x=1')).toBe('admin');
    expect(service(undefined, '/api')).toBe('api');
  });

  it('matches whole path segments only', () => {
    expect(service('x', '/apix')).toBe('web');
    expect(service('x', '/api?q=1')).toBe('api');
  });

  it('prefers routes for the request host, compared without port and case', () => {
    expect(service('shop.example.com', '/anything')).toBe('shop');
    expect(service('SHOP.example.com:8080', '/api/x')).toBe('shop-api');
    // A longer host-less prefix still beats a shorter host route.
    expect(service('shop.example.com', '/api/admin/x')).toBe('admin');
    expect(service('other.example.com', '/api/x')).toBe('api');
  });

  it('returns undefined when nothing matches', () => {
    expect(matchRoute(table([route('api', '/api')]), 'x', '/web')).toBeUndefined();
    expect(matchRoute(table([route('shop', '/', 'shop.example.com')]), 'other', '/')).toBeUndefined();
  });
});

describe('prefixMatches / hostWithoutPort', () => {
  it('treats a trailing slash prefix as a plain prefix', () => {
    expect(prefixMatches('/static/app.js', '/static/')).toBe(true);
    expect(prefixMatches('/static', '/static/')).toBe(false);
  });
  it('strips ports, keeps IPv6 brackets', () => {
    expect(hostWithoutPort('Example.COM:443')).toBe('example.com');
    expect(hostWithoutPort('[::1]:8080')).toBe('[::1]');
    expect(hostWithoutPort('localhost')).toBe('localhost');
  });
});

describe('compileTable', () => {
  it('reuses live upstream state for upstreams that stay in the table', () => {
    const registry = new UpstreamRegistry(1_000);
    const stats = new TrafficStatsRegistry(0);
    const source: EnvironmentRoutes = {
      environment: 'staging',
      listen: '127.0.0.1:8080',
      routes: [route('api', '/api')],
    };
    const first = compileTable(source, registry, stats);
    registry.commit('staging', first.upstreams);
    const [u] = [...first.upstreams];
    u!.inFlight = 3;
    const second = compileTable(source, registry, stats);
    expect([...second.upstreams][0]).toBe(u);
  });
});
