import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import { TrafficFeed } from '../../test/support/traffic-feed.js';
import type { SlipwayError } from '../shared/errors.js';
import { getDeployment } from '../store/repos/deployments.js';
import { listVerdicts } from '../store/repos/verdicts.js';
import type { SignalSource } from '../signals/signal-source.js';
import { exportAudit } from '../access/audit/chain.js';

/** Canary deployments through the engine: the real judge on samples fed as the proxy would record them. */
let h: Harness | undefined;
let feed: TrafficFeed | undefined;
afterEach(async () => {
  feed?.stop();
  feed = undefined;
  await h?.close();
  h = undefined;
});

const canaryConfig = (steps: unknown[]) =>
  harnessConfig({ instances: 2, strategy: { type: 'canary', steps, analysis: { interval: '200ms' } } });
const req = (version: string) => ({ project: 'harbor', service: 'api', environment: 'staging', version });

/** Weights per release in the last table pushed for staging. */
function weights(harness: Harness): Record<string, number> {
  const route = harness.router.last('harbor.staging')?.routes.find((r) => r.service === 'api');
  return Object.fromEntries((route?.releases ?? []).map((s) => [s.release, s.weight]));
}

async function startWithStable(steps: unknown[]): Promise<Harness> {
  h = await engineHarness(canaryConfig(steps));
  const first = await h.engine.deploy(req('1.0.0'));
  await h.waitFinished(first.id);
  feed = new TrafficFeed(
    h.router.fed,
    [{ release: '1.0.0', rate: 200, errorRate: 0.002, latencyMs: 20, jitterMs: 10 }],
    7,
  );
  feed.start();
  return h;
}

/** Once the candidate takes traffic, feed it too. */
async function candidateTraffic(harness: Harness, id: string, candidate: { errorRate: number; latencyMs: number }) {
  for (let i = 0; i < 200 && (await getDeployment(harness.db, id))?.progress.trafficShiftedAt === undefined; i++)
    await new Promise((r) => setTimeout(r, 25));
  feed!.set([
    { release: '1.0.0', rate: 190, errorRate: 0.002, latencyMs: 20, jitterMs: 10 },
    { release: '2.0.0', rate: 10, jitterMs: 10, ...candidate },
  ]);
}

describe('canary through the engine', () => {
  it('a candidate failing 20 % of requests is rolled back by the judge within seconds, with the verdict ' +
    'explained', async () => {
    const harness = await startWithStable([{ setWeight: 5 }, { analyze: { for: '60s' } }]);
    const d = await harness.engine.deploy(req('2.0.0'));
    await candidateTraffic(harness, d.id, { errorRate: 0.2, latencyMs: 20 });
    const shifted = Date.now();
    const final = await harness.waitFinished(d.id, 30_000);
    expect(final.state).toBe('rolled_back');
    expect(Date.now() - shifted).toBeLessThan(15_000);
    expect(final.reason).toMatch(/^canary analysis failed: error-rate/);
    expect(weights(harness)).toEqual({ '1.0.0': 100 });
    const [verdict] = await listVerdicts(harness.db, d.id, 1);
    expect(verdict!.outcome).toBe('fail');
    const fired = verdict!.metrics.find((m) => m.classification === 'high' && m.conclusive)!;
    expect(fired).toMatchObject({
      metric: expect.stringMatching(/error/),
      candidate: expect.any(Number),
      threshold: expect.any(String),
    });
    expect(fired.candidateCount).toBeGreaterThan(0);
    // The judge's rollback is in the audit log, as one a person asks for would be.
    const audit = [];
    for await (const row of exportAudit(harness.db, new Date(0))) audit.push(row);
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: 'slipway (canary judge)',
        action: 'deployment.abort',
        target: 'project=harbor service=api environment=staging',
        after: { deployment: d.id, reason: expect.stringMatching(/error-rate/) },
      }),
    );
  }, 60_000);

  it('a healthy candidate passes the analyze gates and is promoted', async () => {
    const harness = await startWithStable([
      { setWeight: 5 },
      { analyze: { for: '5s' } },
      { setWeight: 50 },
      { analyze: { for: '5s' } },
    ]);
    const d = await harness.engine.deploy(req('2.0.0'));
    await candidateTraffic(harness, d.id, { errorRate: 0.002, latencyMs: 20 });
    const final = await harness.waitFinished(d.id, 60_000);
    expect({ state: final.state, reason: final.reason }).toEqual({ state: 'succeeded', reason: undefined });
    expect(weights(harness)).toEqual({ '2.0.0': 100 });
    const gates = (await listVerdicts(harness.db, d.id, 100)).filter((v) => v.final);
    expect(
      gates.map((v) => v.outcome),
      gates.map((v) => `${v.reason} | ${v.metrics.map((m) => m.message).join(' ; ')}`).join('\n'),
    ).toEqual(['pass', 'pass']);
  }, 60_000);

  it('pause: {} holds until resume; promote skips the remaining steps', async () => {
    const harness = await startWithStable([
      { setWeight: 5 },
      { pause: {} },
      { setWeight: 25 },
      { pause: {} },
      { setWeight: 50 },
    ]);
    const d = await harness.engine.deploy(req('2.0.0'));
    await candidateTraffic(harness, d.id, { errorRate: 0.002, latencyMs: 20 });
    // Held once paused with the plan past the pause step (the pause is recorded a moment before the step advances).
    const held = async (step: number) => {
      let now: Awaited<ReturnType<typeof getDeployment>>;
      for (let i = 0; i < 400; i++) {
        now = await getDeployment(harness.db, d.id);
        if (now?.control.kind === 'pause' && now.step === step) return now;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`not held at step ${step}: control ${now?.control.kind}, step ${now?.step}`);
    };
    await held(4);
    expect(weights(harness)).toEqual({ '1.0.0': 95, '2.0.0': 5 });
    await harness.engine.resume(d.id, 'priya');
    await held(6);
    expect(weights(harness)).toEqual({ '1.0.0': 75, '2.0.0': 25 });
    await harness.engine.promote(d.id, 'priya');
    const final = await harness.waitFinished(d.id, 30_000);
    expect(final.state).toBe('succeeded');
    expect(final.plan.steps.some((s) => s.kind === 'setWeights' && s.candidate === 50)).toBe(false);
    expect(weights(harness)).toEqual({ '2.0.0': 100 });
  }, 60_000);

  it('promote of a non-canary or a finished deployment is refused, saying why', async () => {
    h = await engineHarness();
    const d = await h.engine.deploy(req('1.0.0'));
    await h.waitFinished(d.id);
    await expect(h.engine.promote(d.id)).rejects.toThrow(/cannot promote deployment dep_\w+: it is succeeded/);
    h.runtime.behaviour = () => 'starting';
    const running = await h.engine.deploy(req('2.0.0'));
    const e = await h.engine.promote(running.id).catch((x: unknown) => x);
    expect((e as SlipwayError).code).toBe('conflict');
    expect((e as SlipwayError).message).toMatch(/is a blue-green deployment, not a canary/);
  });

  it('after a coordinator restart mid-canary, the judge resumes and still rolls a bad candidate back', async () => {
    const harness = await startWithStable([{ setWeight: 5 }, { analyze: { for: '60s' } }]);
    const d = await harness.engine.deploy(req('2.0.0'));
    for (let i = 0; i < 200 && (await getDeployment(harness.db, d.id))?.progress.trafficShiftedAt === undefined; i++)
      await new Promise((r) => setTimeout(r, 25));
    await harness.restart();
    await candidateTraffic(harness, d.id, { errorRate: 0.3, latencyMs: 20 });
    const final = await harness.waitFinished(d.id, 30_000);
    expect(final.state).toBe('rolled_back');
    expect(weights(harness)).toEqual({ '1.0.0': 100 });
  }, 60_000);

  it('a signal source failing consecutiveErrorLimit looks in a row rolls the canary back, naming it', async () => {
    const broken: SignalSource = {
      name: 'prometheus',
      measure: async (q) => [
        {
          phase: 'error',
          metric: 'errors',
          source: 'prometheus',
          from: q.from,
          to: q.to,
          message: 'cannot reach http://127.0.0.1:1 (ECONNREFUSED)',
        },
      ],
      close: async () => undefined,
    };
    h = await engineHarness(canaryConfig([{ setWeight: 5 }, { analyze: { for: '60s' } }]), 'pglite', () => [broken]);
    const first = await h.engine.deploy(req('1.0.0'));
    await h.waitFinished(first.id);
    feed = new TrafficFeed(h.router.fed, [{ release: '1.0.0', rate: 100, errorRate: 0, latencyMs: 20 }], 3);
    feed.start();
    const d = await h.engine.deploy(req('2.0.0'));
    await candidateTraffic(h, d.id, { errorRate: 0, latencyMs: 20 });
    const final = await h.waitFinished(d.id, 30_000);
    expect(final.state).toBe('rolled_back');
    expect(final.reason).toMatch(
      /prometheus failed 4 looks in a row \(consecutiveErrorLimit 4\): cannot reach http:\/\/127\.0\.0\.1:1/,
    );
  }, 60_000);

  it('a gate without enough data is inconclusive; past inconclusiveLimit the canary pauses for a human', async () => {
    h = await engineHarness(
      canaryConfig([{ setWeight: 5 }, { analyze: { for: '1s' } }, { analyze: { for: '1s' } }, { setWeight: 50 }]),
    );
    const first = await h.engine.deploy(req('1.0.0'));
    await h.waitFinished(first.id);
    const d = await h.engine.deploy(req('2.0.0')); // no traffic at all: nothing to judge
    let now = await getDeployment(h.db, d.id);
    for (let i = 0; i < 400 && now?.control.kind !== 'pause'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      now = await getDeployment(h.db, d.id);
    }
    expect(now!.control.kind === 'pause' && now!.control.reason).toMatch(
      /canary analysis inconclusive 2 times \(inconclusiveLimit 1\): not enough data/,
    );
    expect(now!.state).toBe('running');
    const gates = (await listVerdicts(h.db, d.id, 10)).filter((v) => v.final).map((v) => v.outcome);
    expect(gates).toEqual(['inconclusive', 'inconclusive']);
    await h.engine.abort(d.id, 'no traffic to judge');
    expect((await h.waitFinished(d.id)).state).toBe('rolled_back');
  }, 60_000);
});
