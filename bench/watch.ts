/**
 * npm run bench:watch -- --json [--trials N] [--healthy N] [--watch-for 20s] [--concurrency 4]
 *
 * The post-deploy watch after a full rollout, at 200 req/s: the real engine, canary judge, alert rules
 * (AlertService with the seed's defaults) and store (a fresh PostgreSQL database per trial), with the fake runtime
 * and the samples the proxy would record fed in real time (test/support: engine harness, TrafficFeed), and the
 * releases' Sentry SDK events through the real ingest (bench/sdk-error-feed.ts) read by the real errors source — no
 * processes, so the figures are the detection logic's, not a process start's. Three faults start 2 s after the
 * rollout succeeded: the issue's "new exception on 2 % of requests at HTTP 200" (4 SDK events/s of an exception type
 * 1.0.0 never reported, every request still answered as before), 5xx on 2 % of requests, and a p95 that doubles
 * (every latency ×2: 60-90 ms → 120-180 ms).
 * Healthy releases with noise (0.5 % HTTP errors, 30 ms of jitter, and a known SDK issue at 0.5 % of requests on
 * both releases) measure false rollbacks.
 */
import { engineHarness, harnessConfig } from '../test/support/engine-harness.js';
import { TrafficFeed, type ReleaseTraffic } from '../test/support/traffic-feed.js';
import { dataPlaneEnvironment } from '../src/engine/traffic-controller.js';
import { AlertService } from '../src/observe/alerts/alert-service.js';
import { TrafficReader } from '../src/observe/alerts/readers/traffic-reader.js';
import { parseDuration } from '../src/shared/duration.js';
import { systemClock } from '../src/shared/clock.js';
import { silentLogger } from '../src/shared/logging.js';
import { getDeployment } from '../src/store/repos/deployments.js';
import { summarize } from './canary-trials.js';
import { machine, printResult, progress } from './support.js';
import { SdkErrorFeed, type SdkErrors } from './sdk-error-feed.js';
import { ErrorSignalSource } from '../src/signals/errors/error-source.js';
import { StoredErrorWindows } from '../src/observe/errors/error-windows.js';
import type { Db } from '../src/store/db.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const trials = Number(arg('trials', '10'));
const healthyTrials = Number(arg('healthy', '20'));
const watchFor = arg('watch-for', '20s');
const concurrency = Number(arg('concurrency', '4'));
const faultAfterMs = 2000;

interface Outcome {
  regressed: boolean;
  timeToDetectMs?: number;
  timeToRollbackMs?: number;
  reason?: string;
}

/** An API answering in 60-90 ms, 0.5 % errors: the judge tolerates +20 % and at least +25 ms of latency. */
const healthy = (release: string): ReleaseTraffic => ({
  release,
  rate: 200,
  errorRate: 0.005,
  latencyMs: 60,
  jitterMs: 30,
});

/** A bug both releases report now and then (a client that drops its connection): not new in 2.0.0. */
const knownIssue = (release: string): SdkErrors => ({
  release,
  perSecond: 1, // 0.5 % of 200 req/s
  bug: { type: 'ConnectionResetError', value: 'client closed the connection', frames: ['main', 'respond'] },
});

/** The fault the issue names: a new exception type on 2 % of 200 req/s, the requests still answered 200. */
const newException: SdkErrors = {
  release: '2.0.0',
  perSecond: 4,
  bug: {
    type: 'QuoteError',
    value: 'premium is NaN for vessel class',
    frames: ['main', 'quote', 'premium'],
    handled: false,
  },
};

interface Fault {
  http?: Partial<ReleaseTraffic>;
  sdk?: SdkErrors;
}

/** 1.0.0 live with traffic, 2.0.0 rolled out blue-green and watched; `fault` applies to 2.0.0 2 s later. */
async function trial(seed: number, fault: Fault | undefined, forMs: number): Promise<Outcome> {
  const config = harnessConfig({ watch: { for: watchFor }, strategy: { type: 'blue-green', keepOldFor: '5m' } });
  // A loaded machine delays the fake runtime's health checks; the rollout itself is not what is measured.
  config.services[0]!.health.startTimeoutMs = 30_000;
  let db: Db | undefined;
  const h = await engineHarness(config, 'postgres', () => [
    new ErrorSignalSource({ reader: new StoredErrorWindows(db!) }),
  ]);
  db = h.db;
  const feed = new TrafficFeed(h.router.fed, [healthy('1.0.0')], seed);
  // 1.0.0 has been live a while: its known issue is on record (5 events) before 2.0.0 comes.
  const sdk = await SdkErrorFeed.start(h.db, 'harbor', 'staging', [knownIssue('1.0.0')], 5);
  const alerts = new AlertService({
    db: h.db,
    events: h.events,
    clock: systemClock,
    logger: silentLogger,
    projects: async () => [config],
    readers: [new TrafficReader({ router: h.router, dataPlaneEnvironment })],
    onCritical: async (a) => h.engine.watch?.alertFired(a.project, a.environment, a.service, a.reason),
  });
  try {
    const req = (version: string) => ({ project: 'harbor', service: 'api', environment: 'staging', version });
    await h.waitFinished((await h.engine.deploy(req('1.0.0'))).id, 30_000);
    feed.start(60_000);
    alerts.start();
    await new Promise((r) => setTimeout(r, 1000));
    const done = await h.waitFinished((await h.engine.deploy(req('2.0.0'))).id, 30_000);
    if (done.state !== 'succeeded') throw new Error(`2.0.0 ${done.state}: ${done.reason}`);
    feed.set([healthy('2.0.0')]);
    sdk.set([knownIssue('2.0.0')]);
    await new Promise((r) => setTimeout(r, faultAfterMs));
    const faultAt = Date.now();
    if (fault?.http) feed.set([{ ...healthy('2.0.0'), ...fault.http }]);
    if (fault?.sdk) sdk.set([knownIssue('2.0.0'), fault.sdk]);
    for (;;) {
      const d = (await getDeployment(h.db, done.id))!;
      if (d.watch?.state === 'regressed') {
        const detectedAt = d.watch.endedAt ?? Date.now();
        // The watch records `regressed`, then asks for the rollback and records its id: wait for the id a while.
        if (!d.watch.rollback && Date.now() - detectedAt < 10_000) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        let rolledBackAt: number | undefined;
        if (d.watch.rollback) {
          const rollback = await h.waitFinished(d.watch.rollback, 30_000);
          rolledBackAt = rollback.finishedAt?.getTime();
        }
        return {
          regressed: true,
          timeToDetectMs: detectedAt - faultAt,
          ...(rolledBackAt ? { timeToRollbackMs: rolledBackAt - faultAt } : {}),
          reason: d.watch.reason?.split('\n')[0],
        };
      }
      if (d.watch?.state !== 'watching' || Date.now() - faultAt > forMs + 30_000) return { regressed: false };
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    feed.stop();
    await sdk.stop();
    await alerts.close();
    await h.close();
  }
}

/** Run `n` trials, `concurrency` at a time. */
async function phase(name: string, n: number, fault: Fault | undefined): Promise<Outcome[]> {
  const forMs = parseDuration(watchFor) ?? 20_000;
  const results: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      let r: Outcome;
      try {
        r = await trial(1000 + i, fault, forMs);
      } catch (e) {
        progress(`${name} ${i + 1}/${n}: setup failed, left out: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      progress(
        `${name} ${i + 1}/${n}: ${r.regressed ? `regressed after ${r.timeToDetectMs} ms — ${r.reason}` : 'passed'}`,
      );
      results.push(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return results;
}

function report(results: Outcome[]) {
  const caught = results.filter((r) => r.regressed);
  const by = (key: 'timeToDetectMs' | 'timeToRollbackMs') =>
    summarize(caught.flatMap((r) => (r[key] === undefined ? [] : [r[key]!])));
  return {
    trials: results.length,
    detected: caught.length,
    timeToDetectMs: by('timeToDetectMs'),
    timeToRollbackMs: by('timeToRollbackMs'),
    detectedBy: [
      ...new Set(
        caught.map((r) =>
          (r.reason ?? '')
            .replace(/iss_[0-9a-z]+/g, 'iss_…')
            .replace(/\d+(\.\d+)?/g, 'N')
            .slice(0, 120),
        ),
      ),
    ],
  };
}

const exceptions = await phase('new exception on 2 % at HTTP 200', trials, { sdk: newException });
const errors = await phase('5xx on 2 %', trials, { http: { errorRate: 0.02 } });
const latency = await phase('p95 doubles', trials, { http: { latencyMs: 120, jitterMs: 60 } });
const healthyRuns = await phase('healthy', healthyTrials, undefined);
const falseRollbacks = healthyRuns.filter((r) => r.regressed);
await printResult({
  benchmark: 'watch',
  settings: { ratePerSecond: 200, watchFor, faultAfterRolloutMs: faultAfterMs, concurrency },
  newExceptionAt200: report(exceptions),
  errors5xxOn2Percent: report(errors),
  p95Doubles: report(latency),
  healthy: {
    watches: healthyRuns.length,
    falseRollbacks: falseRollbacks.length,
    falseRollbackRate: falseRollbacks.length / healthyRuns.length,
    reasons: falseRollbacks.map((r) => r.reason),
  },
  targets: { timeToDetectMs: 60_000, falseRollbackRate: 0.02 },
  machine: machine(),
});
