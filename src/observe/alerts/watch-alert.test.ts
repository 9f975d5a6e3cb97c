import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, harnessConfig, type Harness } from '../../../test/support/engine-harness.js';
import { TrafficFeed } from '../../../test/support/traffic-feed.js';
import { dataPlaneEnvironment } from '../../engine/traffic-controller.js';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logging.js';
import { getDeployment } from '../../store/repos/deployments.js';
import { listEvents } from '../../store/repos/events.js';
import { getRelease } from '../../store/repos/releases.js';
import { getServiceState } from '../../store/repos/service-state.js';
import { AlertEvaluator } from './evaluator.js';
import { TrafficReader } from './readers/traffic-reader.js';

/**
 * A critical alert on a release under its post-deploy watch, end to end through the engine: the
 * real traffic reader over samples fed as the proxy records them, the real evaluator, the engine's
 * watch. 401s are not errors to the canary judge, so only the auth-failures rule can catch this.
 */
let h: Harness | undefined;
let feed: TrafficFeed | undefined;
afterEach(async () => {
  feed?.stop();
  await h?.close();
  h = feed = undefined;
});

const base = { rate: 200, errorRate: 0.002, latencyMs: 20, jitterMs: 10, authFailureRate: 0.005 };

async function rolledOutThenRefusing(onRegression: 'rollback' | 'alert') {
  const config = harnessConfig({ watch: { for: '2m', onRegression } });
  h = await engineHarness(config);
  const req = (version: string) => ({ project: 'harbor', service: 'api', environment: 'staging', version });
  await h.waitFinished((await h.engine.deploy(req('1.0.0'))).id);
  feed = new TrafficFeed(h.router.fed, [{ release: '1.0.0', ...base }], 7);
  feed.start();
  await new Promise((r) => setTimeout(r, 300));
  const done = await h.waitFinished((await h.engine.deploy(req('2.0.0'))).id);
  expect(done.state).toBe('succeeded');
  feed.set([{ release: '2.0.0', ...base, authFailureRate: 0.2 }]);
  config.environments[0]!.alerts!.rules['auth-failures'] = { forMs: 1000 };
  const harness = h;
  const evaluator = new AlertEvaluator({
    db: harness.db,
    events: harness.events,
    readers: [new TrafficReader({ router: harness.router, dataPlaneEnvironment, windowMs: 2000, minRequests: 20 })],
    clock: systemClock,
    logger: silentLogger,
    onCritical: async (a) => harness.engine.watch?.alertFired(a.project, a.environment, a.service, a.reason),
  });
  return { done, evaluate: () => evaluator.evaluate(config, config.environments[0]!) };
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a critical alert during the post-deploy watch', () => {
  it('rolls the release back, as an ordinary rollback with the alert as its reason', async () => {
    const { done, evaluate } = await rolledOutThenRefusing('rollback');
    const d = await until('the rollback', async () => {
      await evaluate();
      const now = await getDeployment(h!.db, done.id);
      return now?.watch?.rollback ? now : undefined;
    });
    expect(d.watch!.state).toBe('regressed');
    expect(d.watch!.reason).toMatch(/^critical alert: critical auth-failures on api \(staging\): .* threshold 5\.00 %/);
    const rollback = await h!.waitFinished(d.watch!.rollback!);
    expect(rollback).toMatchObject({ kind: 'rollback', state: 'succeeded', requestedBy: 'post-deploy watch' });
    expect(rollback.reason).toMatch(/^critical alert: critical auth-failures/);
    const state = await getServiceState(h!.db, 'harbor', 'staging', 'api');
    expect((await getRelease(h!.db, state!.stableRelease!))!.version).toBe('1.0.0');
    const events = await listEvents(h!.db, { project: 'harbor', limit: 500 });
    const firing = events.find((e) => e.kind === 'alert.firing');
    expect(firing?.data).toMatchObject({ rule: 'auth-failures', severity: 'critical', labels: { release: '2.0.0' } });
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['watch.regressed']));
  });

  it('with onRegression: alert, only reports it: the release stays', async () => {
    const { done, evaluate } = await rolledOutThenRefusing('alert');
    const d = await until('the regression', async () => {
      await evaluate();
      const now = await getDeployment(h!.db, done.id);
      return now?.watch?.state === 'regressed' ? now : undefined;
    });
    expect(d.watch!.rollback).toBeUndefined();
    const state = await getServiceState(h!.db, 'harbor', 'staging', 'api');
    expect((await getRelease(h!.db, state!.stableRelease!))!.version).toBe('2.0.0');
  });
});
