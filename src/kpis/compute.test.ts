import { describe, expect, it } from 'vitest';
import { computeKpis } from './compute.js';
import { generatedHistory, since, until, watchRollbackHistory } from './history.fixture.js';
import { foldIncidents } from './incidents.js';
import type { DeploymentFact } from './model.js';
import { restoreWindows } from './restore-windows.js';

const minute = 60_000;
const availability = { probes: 10_000, probeFailures: 5, requests: 2000, errors5xx: 3 };

describe('computeKpis on a generated history', () => {
  const kpis = computeKpis({ since, until, ...generatedHistory(), leadTimesMs: [10, 30, 20], availability });

  it('counts deployments by what became of them, success rate, and frequency over the rollouts that succeeded', () => {
    // #30 succeeded and was reverted later: rolled back, not ok (the rollback frequency counts it too).
    expect(kpis.deployments).toEqual({ finished: 100, succeeded: 96, rolledBack: 3, failed: 1 });
    expect(kpis.successRate.value).toBe(0.96);
    expect(kpis.successRate.check).toEqual({ target: '≥ 99.5 %', status: 'fail' });
    expect(kpis.deploymentFrequency.perDay).toBeCloseTo(97 / 30, 10);
    expect(kpis.leadTime).toEqual({ count: 3, meanMs: 20, medianMs: 20 });
  });

  it('rollbacks are the two the engine made and the one reverted later; failures add the failed and linked', () => {
    expect(kpis.rollbackFrequency).toMatchObject({ value: 0.03, rollbacks: 3, check: { status: 'fail' } });
    expect(kpis.changeFailureRate).toEqual({ value: 0.05, failedChanges: 5 });
  });

  it('time to restore: the incident for MTTR, and each bad deployment until a good release is live', () => {
    expect(kpis.timeToRestore.incidents).toEqual({
      ...{ count: 1, meanMs: 12 * minute, medianMs: 12 * minute },
      ...{ open: 0, longestOpenMs: null },
    });
    // #10 and #50: 5 min; #30: 22 min; #70 failed until #71 finished: 6 h 10 min; #80 (linked): until #81: 6 h
    expect(kpis.timeToRestore.deployments).toEqual({
      count: 5,
      meanMs: ((5 + 5 + 22 + 370 + 360) / 5) * minute,
      medianMs: 22 * minute,
      ...{ open: 0, longestOpenMs: null },
    });
    expect(kpis.timeToRestore.judgedOn).toBe('incidents');
    expect(kpis.timeToRestore.check).toEqual({ target: '≤ 15m', status: 'pass' });
  });

  it('MTBF: one incident and four outages no incident names, over the time the service was up', () => {
    expect(kpis.mtbf.failures).toBe(5);
    expect(kpis.mtbf.valueMs).toBeCloseTo(((30 * 1440 - (12 + 5 + 5 + 22 + 370)) / 5) * minute, 3);
    expect(kpis.mtbf.check.status).toBe('fail');
  });

  it('availability from the probes, and the proxy 5xx share', () => {
    expect(kpis.availability).toMatchObject({ uptime: 0.9995, errorShare: 0.0015, check: { status: 'pass' } });
    expect(kpis.incidents).toEqual({ opened: 1, open: 0 });
  });

  it('an empty period has no figures to judge: MTBF without failures is no data too, not a pass', () => {
    const empty = computeKpis({
      since,
      until,
      deployments: [],
      incidents: [],
      leadTimesMs: [],
      availability: { probes: 0, probeFailures: 0, requests: 0, errors5xx: 0 },
      firstDeployedAt: null,
    });
    expect(empty.successRate).toEqual({ value: null, check: { target: '≥ 99.5 %', status: 'unknown' } });
    expect(empty.availability.check.status).toBe('unknown');
    expect(empty.mtbf).toEqual({
      ...{ valueMs: null, failures: 0, upMs: 0 },
      check: { target: '≥ 30d', status: 'unknown', note: 'no history yet; needs 30d to judge' },
    });
  });
});

describe('MTBF without a failure: at least the time observed, judged only once that reaches the target', () => {
  const quiet = (firstDeployedAt: number) =>
    computeKpis({ ...{ since, until, deployments: [], incidents: [], leadTimesMs: [], availability }, firstDeployedAt })
      .mtbf;

  it('a minute-old environment is not yet known, saying why; not a failure to meet the target', () => {
    expect(quiet(until - 3 * minute)).toEqual({
      ...{ valueMs: null, failures: 0, upMs: 3 * minute },
      check: { target: '≥ 30d', status: 'unknown', note: 'no failure in 3m00s of history; needs 30d to judge' },
    });
    expect(quiet(until - 29 * 86_400_000).check).toEqual({
      ...{ target: '≥ 30d', status: 'unknown' },
      note: 'no failure in 29.0d of history; needs 30d to judge',
    });
  });

  it('a month up without a failure meets the target: the mean between failures is at least that month', () => {
    expect(quiet(since - 86_400_000)).toEqual({
      ...{ valueMs: null, failures: 0, upMs: 30 * 86_400_000 },
      check: { target: '≥ 30d', status: 'pass', note: 'no failure in 30.0d of history' },
    });
  });

  it('one failure in a short history is judged as any figure: the mean is what was up over the failures', () => {
    const start = until - 10 * minute;
    const bad = webFact('x', 'rolled_back', start, start + minute, start);
    const mtbf = computeKpis({
      ...{ since, until, deployments: [bad], incidents: [], leadTimesMs: [], availability },
      firstDeployedAt: start,
    }).mtbf;
    expect(mtbf).toEqual({
      valueMs: 9 * minute,
      failures: 1,
      upMs: 9 * minute,
      check: { target: '≥ 30d', status: 'fail' },
    });
  });
});

describe('computeKpis on an outage: a watch rollback, its incident, and deployments that joined it', () => {
  const history = watchRollbackHistory();
  const { deployments, incidents } = history;
  const kpis = computeKpis({ since, until, ...history, leadTimesMs: [], availability });

  it('the breakdown says what the rollback frequency counts: the watch rolled #w1 back after it succeeded', () => {
    expect(kpis.deployments).toEqual({ finished: 4, succeeded: 2, rolledBack: 1, failed: 1 });
    expect(kpis.rollbackFrequency).toMatchObject({ value: 0.25, rollbacks: 1 });
    expect(kpis.successRate.value).toBe(0.5);
    // #w1's rollout succeeded: the release was shipped.
    expect(kpis.deploymentFrequency.succeeded).toBe(3);
  });

  it('a regression the watch only reported (onRegression: alert) is a change failure, not a rollback', () => {
    const reported = deployments.map((d) => (d.id === 'dep_w1' ? { ...d, watchRolledBack: false } : d));
    // No rollback deployment either: the release stayed live until the fix.
    const k = computeKpis({
      ...{ since, until, incidents, leadTimesMs: [], availability, firstDeployedAt: history.firstDeployedAt },
      deployments: reported.filter((d) => d.id !== 'dep_wrb'),
    });
    expect(k.deployments).toEqual({ finished: 4, succeeded: 3, rolledBack: 0, failed: 1 });
    expect(k.rollbackFrequency.rollbacks).toBe(0);
    expect(k.changeFailureRate.failedChanges).toBe(2);
  });

  it('change failures: the rolled back and the failed one; the fix that joined the incident is not a cause', () => {
    expect(kpis.changeFailureRate).toEqual({ value: 0.5, failedChanges: 2 });
  });

  it('MTBF: the incident is one failure, however many of its deployments were bad', () => {
    expect(kpis.mtbf.failures).toBe(1);
    // Up from qa's first deployment, 2 days into the period, less the hour of the incident.
    expect(kpis.mtbf.valueMs).toBe(28 * 86_400_000 - 60 * minute);
    expect(kpis.timeToRestore.deployments).toMatchObject({ count: 2, meanMs: ((7 + 40) / 2) * minute });
  });
});

/** A finished deploy of web in staging as the figures read it; `trafficShiftedAt` absent: it never served. */
const webFact = (
  id: string,
  state: DeploymentFact['state'],
  startedAt: number,
  finishedAt: number,
  trafficShiftedAt?: number,
): DeploymentFact => ({
  id,
  environment: 'staging',
  service: 'web',
  kind: 'deploy',
  state,
  toRelease: `rel_${id}`,
  startedAt,
  finishedAt,
  ...(trafficShiftedAt === undefined ? {} : { trafficShiftedAt }),
  regressed: false,
});

describe('MTBF over the time the environment existed', () => {
  // An environment 8 minutes old: 1.0.0 live at 1, then three releases the engine rolled back after a minute each.
  const start = until - 8 * minute;
  const d = (id: string, state: DeploymentFact['state'], from: number) =>
    webFact(id, state, start + from * minute, start + (from + 1) * minute, start + from * minute);
  const deployments = [
    d('a', 'succeeded', 0),
    d('b', 'rolled_back', 2),
    d('c', 'rolled_back', 4),
    d('e', 'rolled_back', 6),
  ];
  const mtbf = (periodMs: number) =>
    computeKpis({
      ...{ since: until - periodMs, until, deployments, incidents: [], leadTimesMs: [], availability },
      firstDeployedAt: start,
    }).mtbf;

  it('is the same whatever the window, once the window holds the whole history: up time starts with it', () => {
    // 8 minutes observed, 3 of them down: 5 minutes up over 3 failures.
    expect(mtbf(30 * 86_400_000)).toMatchObject({ failures: 3, upMs: 5 * minute, valueMs: (5 * minute) / 3 });
    expect(mtbf(60 * minute)).toEqual(mtbf(30 * 86_400_000));
    // A window shorter than the history measures from its own start.
    expect(mtbf(5 * minute)).toMatchObject({ failures: 2, upMs: 3 * minute });
  });
});

describe('restoreWindows', () => {
  // Served from its start unless `served` is false.
  const d = (id: string, state: DeploymentFact['state'], startedAt: number, finishedAt: number, served = true) => ({
    id,
    environment: 'staging',
    service: 'web',
    kind: 'deploy' as const,
    state,
    toRelease: `rel_${id}`,
    startedAt,
    finishedAt,
    ...(served ? { trafficShiftedAt: startedAt } : {}),
    regressed: false,
  });

  it('a rollback onto a bad release keeps the window open until a good release is live', () => {
    const history = [d('a', 'succeeded', 0, 10), d('b', 'rolled_back', 20, 30), d('c', 'succeeded', 40, 50)];
    expect(restoreWindows(history, new Set(['a', 'b']))).toEqual([
      { environment: 'staging', service: 'web', from: 10, to: 50, deployments: ['a', 'b'] },
    ]);
  });

  it('a window still open at the end has no end', () => {
    expect(restoreWindows([{ ...d('a', 'failed', 5, 9), trafficShiftedAt: 6 }], new Set(['a']))).toEqual([
      { environment: 'staging', service: 'web', from: 6, deployments: ['a'] },
    ]);
  });

  it('a deployment that failed or was rolled back before any traffic moved to it is no outage', () => {
    // 3.0.0 crash-looped while starting and 3.0.1 was rolled back by a gate: 1.0.0 served throughout.
    const history = [d('a', 'succeeded', 0, 10), d('b', 'failed', 20, 25, false), d('c', 'rolled_back', 30, 35, false)];
    expect(restoreWindows([...history, d('e', 'succeeded', 4000, 4010)], new Set(['b', 'c']))).toEqual([]);
    // Inside an outage it neither closes the window nor joins it: the bad release it meant to replace still serves.
    const outage = [d('a', 'succeeded', 0, 10), d('b', 'failed', 20, 25, false), d('e', 'succeeded', 40, 50)];
    expect(restoreWindows(outage, new Set(['a', 'b']))).toEqual([
      { environment: 'staging', service: 'web', from: 10, to: 50, deployments: ['a'] },
    ]);
  });
});

describe('computeKpis on a release that failed before it served', () => {
  const minute = 60_000;
  const d = (id: string, state: DeploymentFact['state'], from: number, shifted?: number) =>
    webFact(
      id,
      state,
      since + from * minute,
      since + (from + 2) * minute,
      shifted === undefined ? undefined : since + shifted * minute,
    );
  // 1.0.0 live; 3.0.0 failed on Friday before any traffic moved; 3.0.1 went live on Monday, three days later.
  const deployments = [d('1.0.0', 'succeeded', 0, 1), d('3.0.0', 'failed', 10), d('3.0.1', 'succeeded', 3 * 1440, 1)];
  const base = { since, until, incidents: [], leadTimesMs: [], availability, firstDeployedAt: since };
  const kpis = computeKpis({ ...base, deployments });

  it('counts in success rate and change failure rate, but opens no restore window and is no MTBF failure', () => {
    expect(kpis.deployments).toEqual({ finished: 3, succeeded: 2, rolledBack: 0, failed: 1 });
    expect(kpis.changeFailureRate.failedChanges).toBe(1);
    expect(kpis.timeToRestore.deployments).toMatchObject({ count: 0, meanMs: null, medianMs: null, open: 0 });
    expect(kpis.mtbf.failures).toBe(0);
  });

  it('the same failure after traffic moved to it is an outage from then until a good release is live', () => {
    const served = deployments.map((x) => (x.id === '3.0.0' ? { ...x, trafficShiftedAt: since + 11 * minute } : x));
    const k = computeKpis({ ...base, deployments: served });
    expect(k.timeToRestore.deployments.meanMs).toBe((3 * 1440 + 2 - 11) * minute);
    expect(k.mtbf.failures).toBe(1);
  });
});

describe('foldIncidents', () => {
  it('reads the incidents capability events: opened with links, resolved once, other kinds ignored', () => {
    const at = (m: number) => new Date(since + m * minute);
    const folded = foldIncidents([
      {
        kind: 'incident.opened',
        environment: 'production',
        at: at(0),
        data: { incident: 'inc_a', severity: 'sev1', title: 'x', service: 'api', links: { deployments: ['dep_1', 7] } },
      },
      { kind: 'incident.acknowledged', at: at(1), data: { incident: 'inc_a' } },
      { kind: 'incident.resolved', at: at(9), data: { incident: 'inc_a' } },
      { kind: 'incident.resolved', at: at(30), data: { incident: 'inc_a' } },
      { kind: 'incident.resolved', at: at(3), data: { incident: 'inc_unknown' } },
      { kind: 'incident.opened', at: at(4), data: { id: 'inc_b', environment: 'staging' } },
    ]);
    expect(folded).toEqual([
      {
        id: 'inc_a',
        environment: 'production',
        service: 'api',
        severity: 'sev1',
        title: 'x',
        openedAt: since,
        resolvedAt: since + 9 * minute,
        deployments: ['dep_1'],
      },
      { id: 'inc_b', environment: 'staging', openedAt: since + 4 * minute, deployments: [] },
    ]);
  });
});

describe('foldIncidents on the links Slipway writes', () => {
  it('reads `[{ kind, ref }]` links, and adds the deployments a later event names', () => {
    const at = (m: number) => new Date(since + m * minute);
    const links = [
      { kind: 'deployment', ref: 'dep_1' },
      { kind: 'release', ref: 'rel_1' },
    ];
    const folded = foldIncidents([
      { kind: 'incident.opened', at: at(0), data: { incident: 'inc_a', links } },
      {
        kind: 'incident.resolved',
        at: at(9),
        data: { incident: 'inc_a', links: [...links, { kind: 'deployment', ref: 'dep_2' }] },
      },
    ]);
    expect(folded).toEqual([
      { id: 'inc_a', openedAt: since, resolvedAt: since + 9 * minute, deployments: ['dep_1', 'dep_2'] },
    ]);
  });
});
