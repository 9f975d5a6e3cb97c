import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { errorArrivals } from './support/error-arrivals.js';
import { System } from './support/system.js';

/**
 * Errors as signals, end to end: harbor-quote reports through @sentry/node to the coordinator
 * (its instances get SENTRY_DSN, SENTRY_RELEASE, SENTRY_ENVIRONMENT), real traffic through the
 * proxy, the judge reading the errors source. A candidate that starts throwing a new exception
 * while every answer stays 200 is rolled back, and the reason names the issue, its count and its
 * first stack frame; a candidate with the stable release's errors is promoted.
 */
// The judge's latency triggers are set far off: this file is about error signals, and a candidate reporting
// exceptions under a full test run's load was once rolled back for its p95 (207 ms against 7.8 ms stable) before the
// new issue counted, which is right for a deployment and beside the point here.
const strategy =
  '{ type: canary, steps: [{ setWeight: 25 }, { analyze: { for: 8s } }], analysis: { interval: 500ms, ' +
  "triggers: { p95VsBaseline: 1000, maxP95: 60s }, statistics: { allowedLatencyIncrease: '1000%' } } }";

let system: System;
let load: LoadGenerator;
beforeAll(async () => {
  system = await System.start({ instances: 1, drainTimeout: '1s', strategy, errorReporting: true });
  // The stable release has a known issue of its own: 5 % of quotes report a SurchargeTableError.
  expect((await system.deployed('1.0.0', { set: { EXCEPTION_RATE: '0.05' } })).state).toBe('succeeded');
  load = new LoadGenerator({
    url: system.stagingUrl,
    rate: 80,
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
  });
  load.start();
  await new Promise((r) => setTimeout(r, 2000));
}, 120_000);
afterAll(async () => {
  const report = await load?.stop();
  await system?.close();
  expect(report?.failures.filter((f) => f.status === undefined)).toEqual([]);
}, 120_000);

describe('errors as canary signals', () => {
  it('a candidate throwing a new exception type while answering 200 is rolled back, naming the issue', async () => {
    const d = await system.deployed('1.1.0', { set: { EXCEPTION_RATE: '0.2', EXCEPTION_NAME: 'PremiumTableError' } });
    expect(d.state).toBe('rolled_back');
    expect(d.reason).toMatch(
      new RegExp(
        String.raw`errors\.new-issue: the candidate reports a new issue iss_\w+ "PremiumTableError: surcharge table ` +
          String.raw`missing for tanker" \(\d+ handled events, first frame priceWithFallback \(.*server\.js:\d+\)\)`,
      ),
    );
    const { issues } = await system.client.call<{
      issues: { title: string; counts: { release: string; new: boolean }[] }[];
    }>('GET', '/api/v1/projects/harbor-quote/errors?environment=staging&release=1.1.0');
    expect(issues[0]).toMatchObject({ title: 'PremiumTableError: surcharge table missing for tanker' });
  }, 120_000);

  it("a candidate reporting the stable release's own issue is not failed for it", async () => {
    const began = new Date();
    const d = await system.deployed('1.3.0', { set: { EXCEPTION_RATE: '0.05' } });
    const { verdicts } = await system.client.call<{
      verdicts: { final: boolean; metrics: { rule: string; classification: string; message: string }[] }[];
    }>('GET', `/api/v1/deployments/${d.id}/verdicts?limit=200`);
    // Both releases throw at the same rate, so a rollback here is a false alarm of the judge (about 0.2 % of such
    // deployments by chance alone, bench-free simulation in the 2026-12-07 note) or events counted short: the
    // failure says which, from what the verdicts saw and when each release's events arrived.
    const why = async () => {
      if (d.state === 'succeeded') return '';
      const seen = verdicts.flatMap((v) => v.metrics.filter((m) => m.rule.startsWith('errors.')).map((m) => m.message));
      return `${seen.join('\n')}\n${await errorArrivals(system.database!.url, 'harbor-quote', began)}`;
    };
    expect({ state: d.state, reason: d.reason }, await why()).toEqual({ state: 'succeeded', reason: null });
    const gate = verdicts.find((v) => v.final)!;
    expect(gate.metrics.find((m) => m.rule === 'errors.new-issue')).toMatchObject({ classification: 'pass' });
  }, 120_000);
});
