import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import { TrafficFeed } from '../../test/support/traffic-feed.js';
import { getDeployment, listDeployments } from '../store/repos/deployments.js';
import { listEvents } from '../store/repos/events.js';
import { getServiceState } from '../store/repos/service-state.js';
import { getRelease } from '../store/repos/releases.js';
import type { Db } from '../store/db.js';
import type { SignalSource } from '../signals/signal-source.js';
import { ErrorSignalSource } from '../signals/errors/error-source.js';
import { StoredErrorWindows } from '../observe/errors/error-windows.js';
import { ErrorIngest } from '../observe/errors/error-ingest.js';
import { ensureDsnKey } from '../observe/errors/dsn.js';
import { envelopeOf, sentryEvent } from '../../test/support/sentry-envelopes.js';
import { exportAudit } from '../access/audit/chain.js';
import { silentLogger } from '../shared/logging.js';

/** The post-deploy watch through the engine: the real judge on samples fed as the proxy would record them. */
let h: Harness | undefined;
let feed: TrafficFeed | undefined;
afterEach(async () => {
  feed?.stop();
  feed = undefined;
  await h?.close();
  h = undefined;
});

const req = (version: string) => ({ project: 'harbor', service: 'api', environment: 'staging', version });
const healthy = (release: string, rate = 200) => ({ release, rate, errorRate: 0.002, latencyMs: 20, jitterMs: 10 });

/** 1.0.0 live with traffic, then 2.0.0 rolled out blue-green; the feed moves to 2.0.0 with `after` once it is stable.
 * */
async function rollOut(
  watch: Record<string, unknown>,
  after: { errorRate: number; latencyMs: number },
  extraSources: (db: Db) => SignalSource[] = () => [],
) {
  let db: Db | undefined;
  h = await engineHarness(
    harnessConfig({ watch, strategy: { type: 'blue-green', keepOldFor: '5m' } }),
    'postgres',
    () => extraSources(db!),
  );
  db = h.db;
  const first = await h.engine.deploy(req('1.0.0'));
  await h.waitFinished(first.id);
  feed = new TrafficFeed(h.router.fed, [healthy('1.0.0')], 11);
  feed.start();
  await new Promise((r) => setTimeout(r, 300));
  const second = await h.engine.deploy(req('2.0.0'));
  const done = await h.waitFinished(second.id);
  expect(done.state).toBe('succeeded');
  // The watch begins just after the deployment is recorded as succeeded (a reader may see the moment between).
  const watched = await until('the watch to begin', async () => {
    const d = await getDeployment(h!.db, second.id);
    return d?.watch ? d : undefined;
  });
  feed.set([{ release: '2.0.0', rate: 200, jitterMs: 10, ...after }]);
  return watched;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stableVersion(harness: Harness): Promise<string | undefined> {
  const state = await getServiceState(harness.db, 'harbor', 'staging', 'api');
  return state?.stableRelease ? (await getRelease(harness.db, state.stableRelease))?.version : undefined;
}

describe('post-deploy watch', () => {
  it(
    'a release that starts failing after its rollout is rolled back to the warm previous release, with the ' + 'reason',
    async () => {
      const done = await rollOut({ for: '2m' }, { errorRate: 0.2, latencyMs: 20 });
      const watched = await getDeployment(h!.db, done.id);
      expect(watched!.watch).toMatchObject({ state: 'watching', onRegression: 'rollback' });

      const regressed = await until('the watch to regress', async () => {
        const d = await getDeployment(h!.db, done.id);
        return d?.watch?.rollback ? d : undefined;
      });
      expect(regressed.state).toBe('succeeded'); // the deployment did succeed; the rollback is its own deployment
      expect(regressed.watch!.state).toBe('regressed');
      expect(regressed.watch!.reason).toMatch(/^post-deploy watch: error-rate/);

      const rollback = await h!.waitFinished(regressed.watch!.rollback!);
      expect(rollback.kind).toBe('rollback');
      expect(rollback.state).toBe('succeeded');
      expect(rollback.requestedBy).toBe('post-deploy watch');
      expect(rollback.reason).toMatch(/^post-deploy watch: error-rate/);
      expect(await stableVersion(h!)).toBe('1.0.0');
      // The warm 1.0.0 instances served again: none was started for the rollback (2 of 1.0.0, 2 of 2.0.0).
      expect(h!.runtime.started).toHaveLength(4);
      const kinds = (await listEvents(h!.db, { project: 'harbor', limit: 200 })).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['watch.started', 'watch.regressed']));
    },
  );

  it('a new exception at HTTP 200 after the rollout: rolled back, the issue named, audited', async () => {
    // HTTP stays healthy; only the release's Sentry SDK reports the new exception, through the real ingest.
    const done = await rollOut({ for: '2m' }, { errorRate: 0.002, latencyMs: 20 }, (db) => [
      new ErrorSignalSource({ reader: new StoredErrorWindows(db) }),
    ]);
    const ingest = new ErrorIngest({ db: h!.db, logger: silentLogger });
    const key = await ensureDsnKey(h!.db, 'harbor', 'staging');
    const bug = { type: 'QuoteError', value: 'premium is NaN', frames: ['main', 'price'], release: '2.0.0' };
    const sending = setInterval(() => {
      const event = { ...sentryEvent(bug), environment: 'staging' };
      void ingest.ingest(key, envelopeOf([['event', event]]), undefined, 'envelope').catch(() => undefined);
    }, 200);
    try {
      const regressed = await until('the watch to regress', async () => {
        const d = await getDeployment(h!.db, done.id);
        return d?.watch?.rollback ? d : undefined;
      });
      expect(regressed.watch!.reason).toMatch(/^post-deploy watch: errors\.new-issue/);
      expect(regressed.watch!.reason).toContain('QuoteError: premium is NaN');
      expect(regressed.watch!.reason).toContain('first frame price');
      const rollback = await h!.waitFinished(regressed.watch!.rollback!);
      expect(rollback.state).toBe('succeeded');
      expect(await stableVersion(h!)).toBe('1.0.0');
      // An ordinary rollback: audited, by the watch, naming the rollback deployment and the reason.
      const audit = [];
      for await (const row of exportAudit(h!.db, new Date(0))) audit.push(row);
      expect(audit).toContainEqual(
        expect.objectContaining({
          actor: 'slipway (post-deploy watch)',
          action: 'deployment.rollback',
          target: 'project=harbor service=api environment=staging',
          outcome: 'allowed',
          after: { deployment: rollback.id, reason: regressed.watch!.reason },
        }),
      );
    } finally {
      clearInterval(sending);
      await ingest.close();
    }
  });

  it('a healthy release is watched for its window and passes; nothing is rolled back', async () => {
    const done = await rollOut({ for: '3s' }, { errorRate: 0.002, latencyMs: 20 });
    const passed = await until('the watch to pass', async () => {
      const d = await getDeployment(h!.db, done.id);
      return d?.watch?.state === 'watching' ? undefined : d;
    });
    expect(passed.watch).toMatchObject({ state: 'passed' });
    expect(await stableVersion(h!)).toBe('2.0.0');
    expect((await listDeployments(h!.db, { project: 'harbor' })).some((d) => d.kind === 'rollback')).toBe(false);
  });

  // Under load, the demo's 2.0.0 was rolled back on latency.p95.absolute (859 ms on its first 34 requests): cold.
  const coldStart = async (warmUp: string) => {
    const done = await rollOut({ for: '6s', warmUp }, { errorRate: 0.002, latencyMs: 900 });
    await new Promise((r) => setTimeout(r, 1000));
    feed!.set([{ release: '2.0.0', rate: 200, errorRate: 0.002, latencyMs: 20, jitterMs: 10 }]);
    return until('the watch to end', async () => {
      const d = await getDeployment(h!.db, done.id);
      return d?.watch?.state === 'watching' ? undefined : d;
    });
  };

  it('a cold start (slow first second) is not judged during the warm-up, nor counted after it', async () => {
    const ended = await coldStart('3s');
    expect(ended.watch).toMatchObject({ state: 'passed', warmUpMs: 3000 });
    expect(await stableVersion(h!)).toBe('2.0.0');
    expect((await listDeployments(h!.db, { project: 'harbor' })).some((d) => d.kind === 'rollback')).toBe(false);
  });

  it('without a warm-up the same cold start is judged a latency regression and rolled back', async () => {
    const ended = await coldStart('0s');
    expect(ended.watch).toMatchObject({ state: 'regressed' });
    expect(ended.watch!.reason).toMatch(/^post-deploy watch: latency/);
  });

  it('errors are judged during the warm-up', async () => {
    const done = await rollOut({ for: '2m', warmUp: '1m' }, { errorRate: 0.2, latencyMs: 20 });
    const d = await until('the watch to regress', async () => {
      const now = await getDeployment(h!.db, done.id);
      return now?.watch?.state === 'regressed' ? now : undefined;
    });
    expect(d.watch!.reason).toMatch(/^post-deploy watch: error-rate/);
    expect(d.watch!.endedAt! - d.watch!.startedAt).toBeLessThan(60_000);
  });

  it('onRegression: alert reports the regression and leaves the release in place', async () => {
    const done = await rollOut({ for: '2m', onRegression: 'alert' }, { errorRate: 0.2, latencyMs: 20 });
    const regressed = await until('the watch to regress', async () => {
      const d = await getDeployment(h!.db, done.id);
      return d?.watch?.state === 'regressed' ? d : undefined;
    });
    expect(regressed.watch!.rollback).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(await stableVersion(h!)).toBe('2.0.0');
    expect((await listDeployments(h!.db, { project: 'harbor' })).some((d) => d.kind === 'rollback')).toBe(false);
  });

  it('a critical alert for the service during the watch rolls back too', async () => {
    const done = await rollOut({ for: '2m' }, { errorRate: 0.002, latencyMs: 20 });
    await h!.engine.watch!.alertFired('harbor', 'staging', 'api', 'api p95 above 2× the baseline');
    const d = await until('the rollback', async () =>
      (await getDeployment(h!.db, done.id))?.watch?.rollback ? await getDeployment(h!.db, done.id) : undefined,
    );
    expect(d!.watch!.reason).toBe('critical alert: api p95 above 2× the baseline');
    await h!.waitFinished(d!.watch!.rollback!);
    expect(await stableVersion(h!)).toBe('1.0.0');
  });

  it('a new deployment of the service ends the watch of the one before', async () => {
    const done = await rollOut({ for: '2m' }, { errorRate: 0.002, latencyMs: 20 });
    const third = await h!.engine.deploy(req('3.0.0'));
    const ended = (await getDeployment(h!.db, done.id))!;
    expect(ended.watch).toMatchObject({ state: 'ended', reason: `superseded by deployment ${third.id}` });
    await h!.waitFinished(third.id);
  });

  it('a restarted coordinator resumes a watch and still rolls a regression back', async () => {
    const done = await rollOut({ for: '2m' }, { errorRate: 0.002, latencyMs: 20 });
    await h!.restart();
    feed!.set([{ release: '2.0.0', rate: 200, errorRate: 0.2, latencyMs: 20, jitterMs: 10 }]);
    const d = await until('the rollback', async () => {
      const now = await getDeployment(h!.db, done.id);
      return now?.watch?.rollback ? now : undefined;
    });
    await h!.waitFinished(d.watch!.rollback!);
    expect(await stableVersion(h!)).toBe('1.0.0');
  });
});
