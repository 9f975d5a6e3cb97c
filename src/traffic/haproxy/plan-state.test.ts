import { describe, expect, it } from 'vitest';
import type { EnvironmentRoutes, ReleaseSet } from '../router.js';
import { assignSlots, planState, serverWeights } from './plan-state.js';
import { emptyState } from './state.js';

const u = (id: string) => ({ id, address: `127.0.0.1:${4000 + Number(id.slice(1))}` });
const set = (release: string, role: ReleaseSet['role'], weight: number, ids: string[]): ReleaseSet => ({
  release,
  role,
  weight,
  upstreams: ids.map(u),
});
const table = (releases: ReleaseSet[], pathPrefix = '/'): EnvironmentRoutes => ({
  environment: 'staging',
  listen: '127.0.0.1:8080',
  routes: [{ service: 'quote-api', match: { pathPrefix }, releases }],
});

describe('planState', () => {
  it('keeps server names and slots for upstreams that stay, drains the dropped ones', () => {
    const first = planState(emptyState(), [table([set('1.0.0', 'stable', 1, ['u0', 'u1'])])]);
    expect(first.servers.map((s) => [s.name, s.release, s.id, s.slot, s.weight, s.state])).toEqual([
      ['s1', '1.0.0', 'u0', 0, 256, 'active'],
      ['s2', '1.0.0', 'u1', 0, 256, 'active'],
    ]);
    const second = planState(first, [table([set('1.0.0', 'stable', 3, ['u0']), set('2.0.0', 'candidate', 1, ['u2'])])]);
    expect(second.servers.map((s) => [s.name, s.release, s.id, s.slot, s.weight, s.state])).toEqual([
      ['s1', '1.0.0', 'u0', 0, 256, 'active'],
      ['s3', '2.0.0', 'u2', 1, 85, 'active'],
      ['s2', '1.0.0', 'u1', 0, 0, 'draining'],
    ]);
    expect(second.labels.s3).toEqual({ environment: 'staging', service: 'quote-api', release: '2.0.0' });
  });

  it('forgets the servers of a route that is gone (the reload drops them)', () => {
    const first = planState(emptyState(), [table([set('1.0.0', 'stable', 1, ['u0'])], '/api')]);
    const second = planState(first, [table([set('1.0.0', 'stable', 1, ['u0'])], '/web')]);
    expect(second.servers.map((s) => [s.name, s.state])).toEqual([['s2', 'active']]);
  });
});

describe('assignSlots', () => {
  it('keeps releases in place, reuses freed slots, grows only when full', () => {
    expect(assignSlots([], ['a'])).toEqual(['a', null]);
    expect(assignSlots(['a', 'b'], ['b', 'c'])).toEqual(['c', 'b']);
    expect(assignSlots(['a', 'b'], ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});

describe('serverWeights', () => {
  it('shares a set weight among its upstreams; weight 0 and empty sets get 0; small shares stay above 0', () => {
    expect(serverWeights([set('a', 'stable', 3, ['u0']), set('b', 'candidate', 1, ['u1'])])).toEqual([256, 85]);
    expect(serverWeights([set('a', 'stable', 1, ['u0', 'u1']), set('b', 'candidate', 1, ['u2'])])).toEqual([128, 256]);
    expect(serverWeights([set('a', 'stable', 1, ['u0']), set('b', 'candidate', 0, ['u1'])])).toEqual([256, 0]);
    expect(serverWeights([set('a', 'stable', 1000, ['u0']), set('b', 'candidate', 1, ['u1'])])).toEqual([256, 1]);
    expect(serverWeights([set('a', 'stable', 5, [])])).toEqual([0]);
  });
});
