import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { DeploymentView } from '../src/cli/follow.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * Canaries end to end: real instances behind the real proxy, real traffic, the judge deciding.
 * The service is a canary with a correctness probe: a known bulk-carrier quote must return the
 * premium model v1 gives (release 2.0.0 of the example runs model v2, which prices it higher).
 */
const probe =
  '{ name: known-quote, method: POST, path: /quotes, body: { tonnage: 80000, vesselClass: bulk, routeRisk: 2 }, ' +
  'expect: { status: 200, json: { premium: 72081.59 }, release: true } }';
const strategy =
  `{ type: canary, steps: [{ setWeight: 10 }, { analyze: { for: 6s } }, { setWeight: 50 }, { ` +
  `analyze: { for: 4s } }], analysis: { interval: 500ms, probes: [${probe}] } }`;

let system: System;
let load: LoadGenerator;
beforeAll(async () => {
  system = await System.start({ instances: 2, drainTimeout: '2s', strategy });
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
  load = new LoadGenerator({
    url: system.stagingUrl,
    rate: 120,
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
  });
  load.start();
  await new Promise((r) => setTimeout(r, 2000)); // a baseline for the stable release
}, 120_000);
afterAll(async () => {
  const report = await load?.stop();
  await system?.close();
  // The stable release never failed a request (candidates' failures are theirs: counted by release).
  expect(report?.failures.filter((f) => f.status === undefined)).toEqual([]);
}, 120_000);

function slipway(args: string[]) {
  return system.cli(args);
}

describe('canary through the real proxy', () => {
  it('a healthy candidate is promoted step by step, each gate passed with its figures', async () => {
    const d = await system.deployed('1.1.0');
    expect({ state: d.state, reason: d.reason }).toEqual({ state: 'succeeded', reason: null });
    const { verdicts } = await system.client.call<{
      verdicts: { final: boolean; outcome: string; metrics: { rule: string }[] }[];
    }>('GET', `/api/v1/deployments/${d.id}/verdicts?limit=200`);
    const gates = verdicts.filter((v) => v.final);
    expect(gates.map((v) => v.outcome)).toEqual(['pass', 'pass']);
    expect(gates[0]!.metrics.map((m) => m.rule)).toEqual(
      expect.arrayContaining(['error-rate.absolute', 'latency.mann-whitney', 'checks.failed']),
    );
  }, 120_000);

  it('a candidate failing 30 % of requests: deploy --wait exits 1 within seconds, naming the rule and the ' +
    'numbers', async () => {
    const started = Date.now();
    const r = await slipway([
      'deploy',
      'quote-api',
      '--env',
      'staging',
      '--version',
      '1.2.0',
      '--set',
      'FAIL_RATE=0.3',
      '--wait',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✘ quote-api 1\.2\.0 rolled back in staging/);
    // Whichever noticed first: the error-rate rules on live traffic, the probe getting a 500, or (on a loaded
    // machine, the candidate's upstream briefly unavailable) the probe answered by stable instead of the candidate.
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`reason: canary analysis failed: (error-rate\.\S+: candidate [\d.]+ % \(\d+ of \d+` +
          String.raw` requests\)|checks\.failed: known-quote: .*(status 500, expected 200|answered by release` +
          String.raw` 1\.1\.0 \(x-release\), expected candidate 1\.2\.0))`,
      ),
    );
    // No instance crashed: the candidate's own last lines come under the summary.
    expect(r.stdout).toContain('  last log lines of 1.2.0:\n');
    expect(r.stdout).toMatch(/\n {4}│ harbor-quote 1\.2\.0\b/);
    expect(r.stdout).not.toMatch(/│ harbor-quote 1\.1\.0/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const status = JSON.parse((await slipway(['status', '--json'])).stdout);
    const svc = status.environments.find((e: { name: string }) => e.name === 'staging').services[0];
    expect(svc.traffic).toEqual([{ release: '1.1.0', role: 'stable', weight: 100 }]);
    expect(svc.lastDeployment.latestVerdict.outcome).toBe('fail');
  }, 120_000);

  it('a candidate that answers, but with the wrong premium, is rolled back by the correctness probe', async () => {
    const d = await system.deployed('2.0.0'); // the example's 2.0.0 runs premium model v2
    expect(d.state).toBe('rolled_back');
    expect(d.reason).toMatch(/known-quote/);
    expect(d.reason).toMatch(/premium: 74244\.03, expected 72081\.59/);
  }, 120_000);

  it('pause, targeted routing at weight 0, resume, abort; promote refused on a finished deployment', async () => {
    const d = await system.deploy('1.3.0');
    await until(
      'the candidate to take traffic',
      async () => {
        const { deployment } = await system.client.call<{ deployment: DeploymentView }>(
          'GET',
          `/api/v1/deployments/${d.id}`,
        );
        return deployment.trafficShifted;
      },
      60_000,
    );
    const paused = await slipway(['pause', 'quote-api', '--env', 'staging']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^paused dep_\w+ at step/);
    // A tester reaches the candidate on purpose with the header.
    const res = await request(`${system.stagingUrl}/version`, { headers: { 'x-slipway-release': 'candidate' } });
    expect(((await res.body.json()) as { release: string }).release).toBe('1.3.0');
    // The analysis keeps looking while paused; its first verdict comes a look interval after the shift.
    let status = await slipway(['status']);
    expect(status.stdout).toMatch(/paused: paused/);
    // Waited for through the API the CLI reads (a CLI process per poll cost CPU the analysis needs), then shown.
    await until(
      'the status to carry the first verdict',
      async () => {
        const view = await system.client.call<{
          environments: { services: { activeDeployment?: { latestVerdict?: unknown } | null }[] }[];
        }>('GET', `/api/v1/projects/${system.project}/status`);
        return view.environments.some((e) => e.services.some((s) => s.activeDeployment?.latestVerdict));
      },
      30_000,
    );
    status = await slipway(['status']);
    expect(status.stdout).toMatch(/verdict: /);
    expect(status.stdout).toMatch(/paused: paused/);
    expect((await slipway(['resume', d.id])).code).toBe(0);
    const aborted = await slipway(['abort', 'quote-api', '--env', 'staging', '--reason', 'testing abort']);
    expect(aborted.code).toBe(0);
    const final = await system.finish(d.id);
    expect(final.state).toBe('rolled_back');
    expect(final.reason).toBe('testing abort');
    const refused = await slipway(['promote', d.id]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/cannot promote deployment dep_\w+: it is rolled back/);
  }, 120_000);
});
