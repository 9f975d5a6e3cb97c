import { describe, expect, it } from 'vitest';
import type { EnvironmentRoutes, ReleaseSet } from '../router.js';
import { renderConfig } from './config-text.js';
import { mapContents } from './maps.js';
import { planState } from './plan-state.js';
import { deleteCommands, runtimeCommands } from './runtime-plan.js';
import { emptyState, type HaproxyState } from './state.js';

const table = (releases: ReleaseSet[], listen = '127.0.0.1:8080'): EnvironmentRoutes => ({
  environment: 'staging',
  listen,
  routes: [{ service: 'quote-api', match: { pathPrefix: '/' }, releases }],
});
const set = (release: string, role: ReleaseSet['role'], weight: number, ids: string[]): ReleaseSet => ({
  release,
  role,
  weight,
  upstreams: ids.map((id) => ({ id, address: `127.0.0.1:${4000 + Number(id.slice(1))}` })),
});
const shape = (s: HaproxyState) => renderConfig(s, { dir: '/state', ringBytes: 0, withoutServers: true });
const commands = (a: HaproxyState, b: HaproxyState) => runtimeCommands(a, b, mapContents(a), mapContents(b), '/state');

describe('runtimeCommands', () => {
  const first = planState(emptyState(), [table([set('1.0.0', 'stable', 1, ['u0'])])]);
  const b = 'r_staging_54998971';

  it('a new candidate: same shape; servers added in maintenance then enabled, maps swapped, weights set', () => {
    const second = planState(first, [table([set('1.0.0', 'stable', 9, ['u0']), set('1.1.0', 'candidate', 1, ['u1'])])]);
    expect(shape(second)).toBe(shape(first));
    const list = commands(first, second);
    expect(list.slice(0, 4)).toEqual([
      `add server ${b}/s2 127.0.0.1:4001 weight 28`,
      `enable server ${b}/s2`,
      `add server ${b}_s1/s2 127.0.0.1:4001 weight 1`,
      `enable server ${b}_s1/s2`,
    ]);
    expect(list).toContain(`add map @next /state/targets.map ${b}:candidate ${b}_s1`);
    expect(list).toContain('commit map @next /state/servers.map');
    expect(list.indexOf('prepare map /state/targets.map')).toBeGreaterThan(3);
  });

  it('a dropped upstream drains in both backends, last; applying the same table again needs nothing', () => {
    const second = planState(first, [table([set('2.0.0', 'stable', 1, ['u1'])])]);
    const list = commands(first, second);
    expect(list.slice(-2)).toEqual([`set server ${b}/s1 state drain`, `set server ${b}_s0/s1 state drain`]);
    expect(commands(second, planState(second, second.tables))).toEqual([]);
    expect(deleteCommands(second.servers.find((s) => s.name === 's1')!)).toEqual([
      `set server ${b}/s1 state maint`,
      `del server ${b}/s1`,
      `set server ${b}_s0/s1 state maint`,
      `del server ${b}_s0/s1`,
    ]);
  });

  it('a moved listen address, a new route or a third release set changes the shape (reload)', () => {
    expect(shape(planState(first, [table(first.tables[0]!.routes[0]!.releases, '127.0.0.1:9090')]))).not.toBe(
      shape(first),
    );
    const three = [
      set('1.0.0', 'stable', 1, ['u0']),
      set('1.1.0', 'candidate', 1, ['u1']),
      set('1.2.0', 'candidate', 1, ['u2']),
    ];
    expect(shape(planState(first, [table(three)]))).not.toBe(shape(first));
  });
});
