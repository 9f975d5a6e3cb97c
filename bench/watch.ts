/**
 * npm run bench:watch -- --json [--trials N] [--healthy N] [--watch-for 20s] [--concurrency 4]
 *
 * The post-deploy watch after a full rollout, at 200 req/s: the real engine, canary judge, alert rules
 * (AlertService with the seed's defaults) and store (PGlite), with the fake runtime and the samples
 * the proxy would record fed in real time (test/support: engine harness, TrafficFeed) — no processes,
 * so the figures are the detection logic's, not a process start's. Two faults start 2 s after the
 * rollout succeeded: 5xx on 2 % of requests (until Sentry-protocol error ingest lands, the seed's
 * "new exception on 2 % of requests at HTTP 200" cannot be run), and a p95 that doubles (every latency ×2:
 * 60-90 ms → 120-180 ms).
 * Healthy releases with noise (0.5 % errors and 30 ms of jitter on both releases) measure false rollbacks.
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

/** 1.0.0 live with traffic, 2.0.0 rolled out blue-green and watched; `fault` applies to 2.0.0 2 s later. */
async function trial(seed: number, fault: Partial<ReleaseTraffic> | undefined, forMs: number): Promise<Outcome> {
  const config = harnessConfig({ watch: { for: watchFor }, strategy: { type: 'blue-green', keepOldFor: '5m' } });
  // A loaded machine delays the fake runtime's health checks; the rollout itself is not what is measured.
  config.services[0]!.health.startTimeoutMs = 30_000;
  const h = await engineHarness(config);
  const feed = new TrafficFeed(h.router.fed, [healthy('1.0.0')], seed);
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
    await new Promise((r) => setTimeout(r, faultAfterMs));
    const faultAt = Date.now();
    if (fault) feed.set([{ ...healthy('2.0.0'), ...fault }]);
    for (;;) {
      const d = (await getDeployment(h.db, done.id))!;
      if (d.watch?.state === 'regressed') {
        const detectedAt = d.watch.endedAt ?? Date.now();
        let rolledBackAt: number | undefined;
        if (d.watch.rollback) {
          const rollback = await h.waitFinished(d.watch.rollback, 30_000);
          rolledBackAt = rollback.finishedAt?.getTime();
        } else await new Promise((r) => setTimeout(r, 50));
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
    await alerts.close();
    await h.close();
  }
}

/** Run `n` trials, `concurrency` at a time. */
async function phase(name: string, n: number, fault: Partial<ReleaseTraffic> | undefined): Promise<Outcome[]> {
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
    detectedBy: [...new Set(caught.map((r) => (r.reason ?? '').replace(/\d+(\.\d+)?/g, 'N').slice(0, 120)))],
  };
}

const errors = await phase('5xx on 2 %', trials, { errorRate: 0.02 });
const latency = await phase('p95 doubles', trials, { latencyMs: 120, jitterMs: 60 });
const healthyRuns = await phase('healthy', healthyTrials, undefined);
const falseRollbacks = healthyRuns.filter((r) => r.regressed);
await printResult({
  benchmark: 'watch',
  settings: { ratePerSecond: 200, watchFor, faultAfterRolloutMs: faultAfterMs, concurrency },
  errors5xxOn2Percent: report(errors),
  p95Doubles: report(latency),
  newExceptionAt200: 'not run: needs Sentry-protocol error ingest (issue 10 item 1), built by another helper',
  healthy: {
    watches: healthyRuns.length,
    falseRollbacks: falseRollbacks.length,
    falseRollbackRate: falseRollbacks.length / healthyRuns.length,
    reasons: falseRollbacks.map((r) => r.reason),
  },
  targets: { timeToDetectMs: 60_000, falseRollbackRate: 0.02 },
  machine: machine(),
});
