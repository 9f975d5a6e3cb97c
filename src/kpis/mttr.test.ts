import { describe, expect, it } from 'vitest';
import { computeKpis } from './compute.js';
import { since, until } from './history.fixture.js';
import type { DeploymentFact, IncidentFact } from './model.js';

const minute = 60_000;
const availability = { probes: 0, probeFailures: 0, requests: 0, errors5xx: 0 };
/** A deployment of web the engine rolled back 533 ms after traffic moved to it: one restore on deployments. */
const rolledBack: DeploymentFact = {
  ...{ id: 'd1', environment: 'staging', service: 'web', kind: 'deploy', state: 'rolled_back', toRelease: 'r2' },
  ...{ fromRelease: 'r1', startedAt: until - 60 * minute, finishedAt: until - 60 * minute + 533 },
  ...{ trafficShiftedAt: until - 60 * minute, regressed: false },
};
const incident = (openedMinutesAgo: number, resolvedMinutesAgo?: number): IncidentFact => ({
  id: `inc_${openedMinutesAgo}`,
  openedAt: until - openedMinutesAgo * minute,
  ...(resolvedMinutesAgo === undefined ? {} : { resolvedAt: until - resolvedMinutesAgo * minute }),
  deployments: [],
});
const ttr = (incidents: IncidentFact[], deployments: DeploymentFact[] = [rolledBack]) =>
  computeKpis({ since, until, deployments, incidents, leadTimesMs: [], availability, firstDeployedAt: since })
    .timeToRestore;

describe('MTTR: judged on incidents, an open one counting against it', () => {
  it('one incident open 5 minutes and none resolved: unknown until it is, not a pass on the deployments', () => {
    const t = ttr([incident(5)]);
    expect(t.judgedOn).toBe('incidents');
    expect(t.incidents).toEqual({ count: 0, meanMs: null, medianMs: null, open: 1, longestOpenMs: 5 * minute });
    expect(t.deployments).toMatchObject({ count: 1, meanMs: 533 });
    expect(t.check).toEqual({
      target: '≤ 15m',
      status: 'unknown',
      note: '1 incident still open, 5m00s so far; judged once restored',
    });
  });

  it('open longer than the target already: the mean is at least that, a fail', () => {
    expect(ttr([incident(40)]).check).toEqual({
      target: '≤ 15m',
      status: 'fail',
      note: '1 incident still open, 40m00s so far: the mean is already at least 40m00s',
    });
    // Two quick restores and one open 40 minutes: at least (2 + 2 + 40) / 3 = 14m40s, not yet over.
    expect(ttr([incident(50, 48), incident(45, 43), incident(40)]).check.status).toBe('unknown');
    expect(ttr([incident(50, 48), incident(46)]).check).toMatchObject({ status: 'fail' });
  });

  it('resolved incidents only: judged on their mean as before, with no note', () => {
    expect(ttr([incident(30, 18)]).check).toEqual({ target: '≤ 15m', status: 'pass' });
    expect(ttr([incident(30, 10)]).check).toEqual({ target: '≤ 15m', status: 'fail' });
  });

  it('no incident: judged on the deployments, and the check says so', () => {
    const t = ttr([]);
    expect(t.judgedOn).toBe('deployments');
    expect(t.check).toEqual({
      target: '≤ 15m',
      status: 'pass',
      note: 'no incident in the period: judged on the deployments',
    });
  });

  it('nothing restored and nothing open: no data, saying why', () => {
    expect(ttr([], []).check).toEqual({
      target: '≤ 15m',
      status: 'unknown',
      note: 'no incident or bad deployment to restore',
    });
  });
});
