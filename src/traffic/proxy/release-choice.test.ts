import { describe, expect, it } from 'vitest';
import type { EnvironmentRoutes, ReleaseSet } from '../router.js';
import { chooseReleaseSet, pickWeightedSet } from './release-choice.js';
import { compileTable } from './route-table.js';
import { TrafficStatsRegistry } from './traffic-stats.js';
import { UpstreamRegistry } from './upstream.js';

function set(release: string, role: ReleaseSet['role'], weight: number, instances: number): ReleaseSet {
  return {
    release,
    role,
    weight,
    upstreams: Array.from({ length: instances }, (_, i) => ({
      id: `${release}-${i}`,
      address: `127.0.0.1:${9000 + i}`,
    })),
  };
}

function routeOf(...releases: ReleaseSet[]) {
  const source: EnvironmentRoutes = {
    environment: 'staging',
    listen: '127.0.0.1:8080',
    routes: [{ service: 'api', match: { pathPrefix: '/' }, releases }],
  };
  return compileTable(source, new UpstreamRegistry(1_000), new TrafficStatsRegistry(0)).anyHost[0]!;
}

function countPicks(route: ReturnType<typeof routeOf>, n: number, target?: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const s = chooseReleaseSet(route, 1_000, target)?.release ?? 'none';
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

describe('chooseReleaseSet', () => {
  it('splits 90/10 by weight over 10,000 picks', () => {
    const counts = countPicks(routeOf(set('1.0', 'stable', 90, 2), set('1.1', 'candidate', 10, 1)), 10_000);
    expect(counts['1.0']).toBeGreaterThanOrEqual(8_950);
    expect(counts['1.0']).toBeLessThanOrEqual(9_050);
    expect(counts['1.0']! + counts['1.1']!).toBe(10_000);
  });

  it('treats weights as relative and interleaves smoothly', () => {
    const route = routeOf(set('a', 'stable', 3, 1), set('b', 'candidate', 1, 1));
    const seq = Array.from({ length: 8 }, () => chooseReleaseSet(route, 0, undefined)!.release).join('');
    expect(seq).toBe('aabaaaba');
  });

  it('never sends untargeted traffic to weight 0, empty or fully ejected sets', () => {
    expect(countPicks(routeOf(set('1.0', 'stable', 100, 1), set('1.1', 'candidate', 0, 1)), 100)).toEqual({
      '1.0': 100,
    });
    expect(countPicks(routeOf(set('1.0', 'stable', 50, 1), set('1.1', 'candidate', 50, 0)), 100)).toEqual({
      '1.0': 100,
    });
    const route = routeOf(set('1.0', 'stable', 50, 1), set('1.1', 'candidate', 50, 2));
    for (const u of route.sets[1]!.upstreams) u.ejectedUntil = 2_000;
    expect(countPicks(route, 100)).toEqual({ '1.0': 100 });
    expect(chooseReleaseSet(routeOf(set('1.0', 'stable', 1, 0)), 0, undefined)).toBeUndefined();
  });

  it('sends targeted requests to the named role or release, even at weight 0', () => {
    const route = routeOf(set('1.0', 'stable', 100, 1), set('1.1', 'candidate', 0, 1));
    expect(countPicks(route, 20, 'candidate')).toEqual({ '1.1': 20 });
    expect(countPicks(route, 20, '1.1')).toEqual({ '1.1': 20 });
    expect(countPicks(route, 20, 'stable')).toEqual({ '1.0': 20 });
  });

  it('falls back to the weighted split when the target is unknown or has no upstream', () => {
    expect(countPicks(routeOf(set('1.0', 'stable', 1, 1), set('1.1', 'candidate', 0, 0)), 10, 'candidate')).toEqual({
      '1.0': 10,
    });
    expect(countPicks(routeOf(set('1.0', 'stable', 1, 1)), 10, '0.9')).toEqual({ '1.0': 10 });
  });
});

describe('pickUpstream', () => {
  it('takes the fewest in-flight requests, round-robin among ties', () => {
    const s = routeOf(set('1.0', 'stable', 1, 3)).sets[0]!;
    expect([0, 1, 2, 3].map(() => s.pickUpstream(0)!.id)).toEqual(['1.0-0', '1.0-1', '1.0-2', '1.0-0']);
    s.upstreams[0]!.inFlight = 2;
    s.upstreams[1]!.inFlight = 1;
    expect(s.pickUpstream(0)!.id).toBe('1.0-2');
    s.upstreams[2]!.inFlight = 5;
    expect(s.pickUpstream(0)!.id).toBe('1.0-1');
  });

  it('skips ejected, draining and excluded upstreams', () => {
    const s = routeOf(set('1.0', 'stable', 1, 3)).sets[0]!;
    s.upstreams[0]!.ejectedUntil = 10;
    s.upstreams[1]!.draining = true;
    expect(s.pickUpstream(5)!.id).toBe('1.0-2');
    expect(s.pickUpstream(5, [s.upstreams[2]!])).toBeUndefined();
    expect(s.pickUpstream(10, [s.upstreams[2]!])!.id).toBe('1.0-0');
  });

  it('pickWeightedSet ignores sets without weight', () => {
    const route = routeOf(set('1.0', 'stable', 0, 1));
    expect(pickWeightedSet(route.sets, 0)).toBeUndefined();
  });
});
