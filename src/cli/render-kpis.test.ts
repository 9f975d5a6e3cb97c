import { describe, expect, it } from 'vitest';
import { computeKpis } from '../kpis/compute.js';
import { generatedHistory, since, until } from '../kpis/history.fixture.js';
import { renderKpis } from './render-kpis.js';

/** The KPIs of the generated history, 1,000 probes all answered. */
const generatedKpis = () =>
  computeKpis({
    since,
    until,
    ...generatedHistory(),
    leadTimesMs: [],
    availability: { probes: 1000, probeFailures: 0, requests: 0, errors5xx: 0 },
  });

describe('renderKpis', () => {
  it('a table per environment with each figure, its target and pass / FAIL / no data', () => {
    const kpis = generatedKpis();
    const text = renderKpis({
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      environments: [{ environment: 'production', kpis }],
    });
    expect(text).toMatch(/^production$/m);
    // The breakdown's rolled back is the rollback frequency's count (#30 succeeded, then was reverted).
    expect(text).toMatch(/deployments\s+100 \(96 ok, 3 rolled back, 1 failed\)/);
    expect(text).toMatch(/success rate\s+96 %\s+≥ 99.5 %\s+FAIL/);
    expect(text).toMatch(/rollback frequency\s+3 % \(3\)\s+≤ 2 %\s+FAIL/);
    expect(text).toMatch(/MTTR \(incidents\)\s+12m00s over 1\s+≤ 15m\s+pass/);
    expect(text).toMatch(/uptime \(probes\)\s+100 % of 1000\s+≥ 99.9 %\s+pass/);
    expect(text).toMatch(/lead time \(median\)\s+no data\n/);
    expect(text).toMatch(/^KPI\s+VALUE\s+TARGET\s+STATUS$/m);
  });

  it('days are rounded down: a minute short of the 30-day MTBF target does not read 30.0d', () => {
    const kpis = generatedKpis();
    const short = { ...kpis, mtbf: { ...kpis.mtbf, valueMs: 30 * 86_400_000 - 60_000 } };
    const text = renderKpis({
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      environments: [{ environment: 'production', kpis: short }],
    });
    expect(text).toMatch(/MTBF\s+29\.9d/);
  });

  it('an environment never deployed: MTBF is no data, like every empty figure, not a pass', () => {
    const kpis = computeKpis({
      ...{ since, until, deployments: [], incidents: [], leadTimesMs: [], firstDeployedAt: null },
      availability: { probes: 0, probeFailures: 0, requests: 0, errors5xx: 0 },
    });
    const text = renderKpis({
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      environments: [{ environment: 'qa', kpis }],
    });
    expect(text).toMatch(/MTBF\s+no data \(no failure\)\s+≥ 30d\s+no data: no history yet; needs 30d to judge/);
    expect(text).not.toMatch(/pass/);
  });

  it('without a failure, MTBF says how much history there is: too little is no data, a month is a pass', () => {
    const quiet = (firstDeployedAt: number) =>
      renderKpis({
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        environments: [
          {
            environment: 'qa',
            kpis: computeKpis({
              ...{ since, until, deployments: [], incidents: [], leadTimesMs: [], firstDeployedAt },
              availability: { probes: 0, probeFailures: 0, requests: 0, errors5xx: 0 },
            }),
          },
        ],
      });
    expect(quiet(until - 3 * 60_000)).toMatch(
      /MTBF\s+≥ 3m00s \(no failure\)\s+≥ 30d\s+no data: no failure in 3m00s of history; needs 30d to judge\n/,
    );
    expect(quiet(since)).toMatch(/MTBF\s+≥ 30\.0d \(no failure\)\s+≥ 30d\s+pass: no failure in 30\.0d of history\n/);
  });
});

describe('renderKpis: MTTR on the row it judges, and the words of the table', () => {
  const minute = 60_000;
  const availability = { probes: 0, probeFailures: 0, requests: 0, errors5xx: 0 };
  // One bad deployment rolled back 533 ms after it served: a restore measured on deployments.
  const rolledBack = {
    ...({ id: 'd1', environment: 'staging', service: 'web', kind: 'deploy', state: 'rolled_back' } as const),
    ...{ fromRelease: 'r1', toRelease: 'r2', startedAt: until - 60 * minute, finishedAt: until - 60 * minute + 533 },
    ...{ trafficShiftedAt: until - 60 * minute, regressed: false },
  };
  const render = (openedMinutesAgo: number[]) =>
    renderKpis({
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      environments: ['staging', 'production'].map((environment) => ({
        environment,
        kpis: computeKpis({
          ...{ since, until, deployments: [rolledBack], leadTimesMs: [], availability, firstDeployedAt: since },
          incidents: openedMinutesAgo.map((m) => ({ id: `i${m}`, openedAt: until - m * minute, deployments: [] })),
        }),
      })),
    });

  it('an incident still open is not a pass, whatever the deployments restored', () => {
    const text = render([5]);
    expect(text).toMatch(
      /MTTR \(incidents\)\s+no data \(1 open\)\s+≤ 15m\s+no data: 1 incident still open, 5m00s so far/,
    );
    expect(text).toMatch(/still open, 5m00s so far; judged once restored\n/);
    expect(text).toMatch(/MTTR \(deployments\)\s+533ms over 1\n/);
    expect(text).not.toMatch(/pass/);
    expect(render([40])).toMatch(/MTTR \(incidents\)\s+no data \(1 open\)\s+≤ 15m\s+FAIL: 1 incident still open/);
  });

  it('without an incident the verdict is on the deployments row, and says so', () => {
    const text = render([]);
    expect(text).toMatch(/MTTR \(incidents\)\s+no data\n/);
    expect(text).toMatch(
      /MTTR \(deployments\)\s+533ms over 1\s+≤ 15m\s+pass: no incident in the period: judged on the deployments\n/,
    );
  });

  it('one failure is singular; a blank line between environments', () => {
    const text = render([]);
    expect(text).toMatch(/MTBF\s+\S+ \(1 failure, \S+ up\)/);
    expect(text).toMatch(/\n\nproduction\nKPI /);
  });
});
