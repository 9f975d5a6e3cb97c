import { describe, expect, it } from 'vitest';
import type { Route } from '../router.js';
import { renderConfig, routeOrder } from './config-text.js';
import { configWord } from './names.js';
import { planState } from './plan-state.js';
import { emptyState } from './state.js';

const route = (pathPrefix: string, host?: string): Route => ({
  service: 'svc',
  match: { pathPrefix, ...(host ? { host } : {}) },
  releases: [],
});

describe('config text', () => {
  it('orders routes as the built-in proxy matches them: longest prefix first, host route first on a tie', () => {
    const order = routeOrder([route('/'), route('/api'), route('/api', 'shop.example.com'), route('/api/v2')]);
    expect(order.map((r) => `${r.match.host ?? '*'} ${r.match.pathPrefix}`)).toEqual([
      '* /api/v2',
      'shop.example.com /api',
      '* /api',
      '* /',
    ]);
  });

  it('quotes words HAProxy would expand or cut: $VAR, #, spaces, quotes', () => {
    expect(configWord('/api/v1')).toBe('/api/v1');
    expect(configWord("/a'b$HOME#x")).toBe("'/a'\\''b$HOME#x'");
  });

  it('matches whole segments and strips the port from Host', () => {
    const state = planState(emptyState(), [
      { environment: 'staging', listen: '127.0.0.1:8080', routes: [route('/api', 'Shop.Example.com'), route('/')] },
    ]);
    const text = renderConfig(state, { dir: '/state', ringBytes: 1024 });
    expect(text).toContain('  acl r0_path path -m str /api\n  acl r0_path path -m beg /api/\n');
    expect(text).toContain('  acl r0_host req.hdr(host),lower,regsub(:[0-9]+$,) -m str shop.example.com\n');
    expect(text).toContain('  acl r1_path path -m beg /\n');
    expect(text).toContain('  bind 127.0.0.1:8080\n');
  });

  it('advertises a keep-alive timeout shorter than its own, so clients never reuse a connection being closed', () => {
    const state = planState(emptyState(), [{ environment: 'staging', listen: '127.0.0.1:8080', routes: [route('/')] }]);
    const text = renderConfig(state, { dir: '/state', ringBytes: 1024 });
    const advertised = Number(/set-header Keep-Alive timeout=(\d+)\n/.exec(text)?.[1]);
    const own = Number(/timeout http-keep-alive (\d+)s\n/.exec(text)?.[1]);
    expect(advertised).toBeGreaterThan(0);
    expect(own - advertised).toBeGreaterThanOrEqual(3);
  });
});
