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
    expect(text).toMatch(/lead time \(median\)\s+- over 0/);
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
    expect(text).toMatch(/MTBF\s+- \(0 failures, 0ms up\)\s+≥ 30d\s+no data: no history yet; needs 30d to judge/);
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
      /MTBF\s+- \(0 failures, 3m00s up\)\s+≥ 30d\s+no data: no failure in 3m00s of history; needs 30d to judge\n/,
    );
    expect(quiet(since)).toMatch(
      /MTBF\s+- \(0 failures, 30\.0d up\)\s+≥ 30d\s+pass: no failure in 30\.0d of history\n/,
    );
  });
});
