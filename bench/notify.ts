/**
 * npm run bench:notify -- --json [--events N] [--rate N] [--steps N] [--warm-up N] [--step-every MS] [--unannounced]
 *   [--in-process | --postgres] [--in-memory] [--trace] [--samples] [--drain-timeout S]
 *
 * A burst of N (default 1,000) deployment events fanned out to 5 notification services — Slack,
 * Teams and a signed webhook that are healthy, a webhook that fails half the time, and a Slack
 * endpoint that hangs for the first 5 s of the burst — through the coordinator's own dispatcher and
 * worker on the store a coordinator opens by default (PGlite in a worker thread, its data directory on disk;
 * `--in-process`: PGlite on this thread, as before 2026-12-05; `--in-memory`: PGlite's database in memory, as this
 * benchmark ran it before 2026-12-07; `--postgres`: PostgreSQL), against the strict local receivers of the tests
 * (dedup by key). Reports:
 * every delivery made and none duplicated after dedup; the latency of a deployment step's store bookkeeping (the event
 * and the step update the engine writes per step) without and with the burst, and with a control burst of as many
 * events that notify nobody (what writing the events alone costs the steps), and once more without it after everything
 * is delivered (the burst is compared with both quiet phases, so the phases' order is not counted as its doing);
 * delivery latency to the healthy endpoints (event recorded → received); and the time from a failing verdict (the
 * deployment.rolling_back event) to the Slack message, quiet and mid-burst. Also where the healthy latency goes (event
 * recorded → delivery written by the dispatcher → received) and how late the timer between two steps fired, without and
 * with the burst: a step's store writes can be quick while the timer that starts the next step waits seconds
 * (monitorEventLoopDelay missed that wait: 184 ms max while a timer was 12.9 s late).
 * `--trace` adds where the slowest steps' time went (notify-trace.ts): with PGlite in its thread, each request's way
 * there and back (`thread`); with `--in-process`, every PGlite statement on this thread. `--samples` adds every
 * step's time, for `notify-series.ts` to pool over several runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretVault } from '../src/access/secrets/vault.js';
import { startNotifications } from '../src/app/notifications.js';
import { announcingClock } from '../src/engine/announcing-clock.js';
import { deploymentWrite, EventLog } from '../src/engine/event-log.js';
import { systemClock } from '../src/shared/clock.js';
import type { Db } from '../src/store/db.js';
import { createLogger } from '../src/shared/logging.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite-driver.js';
import { takeTraced } from '../src/store/pglite-trace.js';
import { updateDeployment } from '../src/store/repos/deployments.js';
import { countNotifyDeliveries, hasUnsentDeliveries } from '../src/store/repos/notify-deliveries.js';
import { seedFailedDeployment, storeProject } from '../test/support/notify-fixtures.js';
import { freshPostgres } from '../test/support/store.js';
import { fork } from 'node:child_process';
import { machine, printResult, progress, quantile } from './support.js';
import { explain, explainThread, type StepWindow, startTrace } from './notify-trace.js';
import { threadCpu, threadCpuSince } from './thread-cpu.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const burst = arg('events', 1000);
/**
 * The burst's pace in events a second (0: as fast as the store takes them, the default). A paced burst shows up to
 * which rate the steps stay as they were quiet on this machine; the default is the worst case.
 */
const rate = arg('rate', 0);
const steps = arg('steps', 200);
const warmUpSteps = arg('warm-up', 1000);
/**
 * The wait between two steps (ms; default 50: the engine's shortest wait, pause and analysis steps wait 50–1,000 ms,
 * polls 100–250 ms). Until 2026-12-07 it was 5, ten times as often as the engine ever steps: on a slower machine the
 * burst's 10–25 ms background statements then could not fit between two steps at all (`--step-every 5` still shows
 * that). It is the engine's own clock, which tells the store when each wait ends (announcing-clock.ts), as a
 * coordinator's engine does; `--unannounced` waits on a plain timer instead: a deployment that writes without
 * announcing its waits.
 */
const stepEveryMs = arg('step-every', 50);
const engineClockOf = (db: Db) =>
  process.argv.includes('--unannounced') ? systemClock : announcingClock(systemClock, db);
/** How long the outbox may take to drain before the run fails, saying what was left (seconds). */
const drainTimeoutMs = arg('drain-timeout', 600) * 1000;
const secret = `whsec_${Buffer.from('bench-signing-secret-of-32-bytes').toString('base64')}`;

const hundredths = (ms: number) => Math.round(ms * 100) / 100;
const summary = (values: number[]) => ({
  n: values.length,
  p50Ms: quantile(values, 0.5),
  p99Ms: quantile(values, 0.99),
  maxMs: quantile(values, 1),
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number, everyMs = 5): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now() - start;
}

const tracing = process.argv.includes('--trace');
if (tracing) startTrace();
// PGlite's thread times each request only when asked, before the store opens (pglite-trace.ts).
if (tracing) process.env.SLIPWAY_PGLITE_TRACE = '1';
const windows: StepWindow[] = [];
const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-notify-'));
// As the coordinator opens it (openStore): PGlite in a thread of its own, its data directory on disk (a step's p99
// with the burst was 14.0–14.8 ms there against 18.8–24.4 ms in memory, interleaved: growing files in Emscripten's
// in-memory file system costs more); `--in-process` for PGlite on this thread, `--in-memory` for its database in
// memory, `--postgres` for a fresh database on the test PostgreSQL server (DATABASE_URL's, else 127.0.0.1:5432).
const inProcess = process.argv.includes('--in-process');
const inMemory = process.argv.includes('--in-memory');
const postgres = process.argv.includes('--postgres') ? await freshPostgres() : undefined;
const db =
  postgres?.db ?? (await openPglite({ thread: !inProcess, ...(inMemory ? {} : { dataDir: join(dir, 'db') }) }));
const storeName = postgres
  ? 'postgres'
  : `pglite (${inProcess ? 'main thread' : 'worker thread'}, ${inMemory ? 'in memory' : 'on disk'})`;
const child = fork(new URL('./notify-receivers.ts', import.meta.url).pathname, [], {
  env: { ...process.env, BENCH_HOOK_SECRET: secret },
  execArgv: ['--import', 'tsx'],
});
// A receivers' process that ended early is named in the error, not left to a timeout or an EPIPE to hide.
let childEnded: string | undefined;
child.on('exit', (code, signal) => {
  childEnded = `the receivers' process exited (code ${code}, signal ${signal})`;
});
const slackFailed: number[] = [];
let reported: ((r: Record<string, ReceiverReport>) => void) | undefined;
type ReceiverReport = { received: [string, number][]; duplicates: number; failed: number; rejected: number };
const urls = await new Promise<Record<string, string>>((resolve) =>
  child.on('message', (m: { urls?: Record<string, string>; slackFailedAt?: number; report?: never }) => {
    if (m.urls) resolve(m.urls);
    if (m.slackFailedAt) slackFailed.push(m.slackFailedAt);
    if (m.report) reported?.(m.report);
  }),
);
const report = () =>
  new Promise<Record<string, ReceiverReport>>((resolve) => {
    reported = resolve;
    child.send('report');
  });
try {
  await migrate(db);
  // Errors on stderr: a pass or attempt that failed is part of what a run shows (stdout is the JSON).
  const logger = createLogger({ level: 'error' });
  const events = new EventLog(db, logger);
  const vault = SecretVault.open(db, dir, {});
  await storeProject(db, {
    timeout: '1s',
    concurrency: 4,
    retry: { attempts: 40, backoff: '100ms', maxBackoff: '2s' },
    services: {
      chat: { type: 'slack', url: 'secret:SLACK_URL' },
      ops: { type: 'teams', url: 'secret:TEAMS_URL' },
      audit: { type: 'webhook', url: 'secret:HOOK_URL', secret: 'secret:HOOK_SECRET' },
      flaky: { type: 'webhook', url: 'secret:FLAKY_URL', secret: 'secret:HOOK_SECRET' },
      stuck: { type: 'slack', url: 'secret:HANGING_URL' },
    },
    subscriptions: [
      { on: ['on-deployment-started', 'on-deployment-failed'], to: ['chat'] },
      { on: ['on-deployment-started'], to: ['ops'] },
      { on: ['on-deployment-started'], to: ['audit'] },
      { on: ['on-deployment-started'], to: ['flaky'] },
      { on: ['on-deployment-started'], to: ['stuck'] },
    ],
  });
  for (const environment of ['staging', 'production']) {
    const values = { SLACK_URL: urls.slack!, TEAMS_URL: urls.teams!, HOOK_URL: urls.hook!, FLAKY_URL: urls.flaky! };
    for (const [name, value] of Object.entries({ ...values, HANGING_URL: urls.hanging!, HOOK_SECRET: secret }))
      await vault.set({ project: 'harbor', environment }, name, value);
  }
  await seedFailedDeployment(db, 'dep_bench');
  const engineClock = engineClockOf(db);
  const notifier = await startNotifications({ db, events, secrets: vault, logger, linkBase: 'http://127.0.0.1:7420' });

  // What the executor writes to the store around each step.
  // Each step's writes, and how late the timer that starts the next step fired (the engine's own waits are timers).
  const late: number[] = [];
  const stepLatency = async (n: number, waitMs = stepEveryMs) => {
    const times: number[] = [];
    late.length = 0;
    windows.length = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      // In the store's deployment lane, as the executor writes them (executor.ts: `own`, `deploymentWrite`).
      await events.emit(
        {
          project: 'harbor',
          deploymentId: 'dep_bench',
          service: 'api',
          environment: 'production',
          kind: 'deployment.step.started',
          message: `step ${i}`,
          data: { step: i },
        },
        deploymentWrite,
      );
      await updateDeployment(db.deployment(), 'dep_bench', { step: i });
      times.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      windows.push({ start: t, ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 });
      const paused = performance.now();
      await engineClock.sleep(waitMs);
      late.push(performance.now() - paused - waitMs);
    }
    return times;
  };
  const failingVerdict = async () => {
    const before = slackFailed.length;
    const t = Date.now();
    // The executor writes it in the deployment lane (startRollback).
    await events.emit(
      {
        project: 'harbor',
        deploymentId: 'dep_bench',
        service: 'api',
        environment: 'production',
        kind: 'deployment.rolling_back',
        message: 'rolling back: canary failed',
        data: { reason: 'error-rate.absolute: candidate 19.6 % > 1 %', outcome: 'rolled_back' },
      },
      deploymentWrite,
    );
    await until('the Slack message of the failing verdict', () => slackFailed.length > before, 120_000);
    return slackFailed[before]! - t;
  };

  // Warm-up, not counted: the first quiet steps compiled the step's code and filled the store's caches, and made most
  // of the quiet phase's p99 (steps 0–16 held 5 of its 8 slowest in two runs), which flattered the comparison. 50
  // steps were not enough: the quiet steps after the burst ran much faster than those before it (pooled p90 2.6
  // against 3.3–4.1 ms, p99 3.5–5.0 against 7.0–8.0 in three series of 4), and 1,000 warm-up steps at the usual pace
  // closed that gap, so what the steps were still waiting for was the code's compilation (JavaScript's and PGlite's
  // WebAssembly tier up with use), not time. 1,000 back to back: the same use in ~3 s instead of ~53.
  progress('warm-up: deployment steps, not counted');
  await stepLatency(warmUpSteps, 0);
  progress('quiet: deployment steps and a failing verdict');
  const quietSteps = await stepLatency(steps);
  const threadTraced = tracing && !inProcess && !postgres;
  const quietThread = threadTraced ? explainThread(windows, takeTraced()) : undefined;
  const quietLate = [...late];
  const verdictQuiet = await failingVerdict();

  // The control: as many events written as fast, of a kind no subscription matches (nothing to notify). What the
  // burst below adds beyond this is the notifications' cost; this much is writing a thousand events to one store.
  progress(`control: ${burst} events that notify nobody`);
  const controlEmitting = (async () => {
    for (let i = 0; i < burst; i++)
      await events.emit({
        project: 'harbor',
        service: 'api',
        environment: 'staging',
        kind: 'deployment.step.succeeded',
        message: `control ${i}`,
        data: {},
      });
  })();
  const [controlSteps] = await Promise.all([stepLatency(steps), controlEmitting]);
  if (threadTraced) takeTraced();
  const controlLate = [...late];

  progress(`burst: ${burst} events × 5 notification services`);
  const recordedAt = new Map<string, number>();
  setTimeout(() => child.send('unhang'), 5000).unref();
  const burstStart = Date.now();
  const burstFrom = performance.now();
  const cpuAtBurst = { process: process.cpuUsage(), threads: threadCpu() };
  let emittedInMs = 0;
  const emitting = (async () => {
    for (let i = 0; i < burst; i++) {
      // Paced: event i is due i/rate seconds after the burst's start (late ones go at once, no catching up faster).
      const due = rate > 0 ? burstFrom + (i * 1000) / rate - performance.now() : 0;
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      const e = await events.emit({
        project: 'harbor',
        service: 'api',
        environment: 'staging',
        kind: 'deployment.started',
        message: `burst ${i}`,
        data: {},
      });
      if (e) recordedAt.set(String(e.id), e.at.getTime());
    }
    emittedInMs = Date.now() - burstStart;
  })();
  const [burstSteps, verdictDuringBurst] = await Promise.all([stepLatency(steps), failingVerdict(), emitting]);
  const burstLate = [...late];
  const trace = tracing
    ? {
        ...explain(windows, burstFrom, performance.now()),
        ...(threadTraced ? { thread: { quiet: quietThread, burst: explainThread(windows, takeTraced()) } } : {}),
      }
    : undefined;
  const total = burst * 5;
  const sent = async () =>
    (await countNotifyDeliveries(db)).filter((r) => r.state === 'sent').reduce((s, r) => s + r.n, 0);
  const drainMs = await until(
    'every delivery sent',
    // The whole outbox is counted only once nothing is left to send (an indexed look): counting it every poll
    // would be store work of the measured process while it drains.
    async () => !(await hasUnsentDeliveries(db)) && (await sent()) >= total + 2,
    drainTimeoutMs,
    100,
  ).catch(async (e: Error) => {
    // What was left, by service and state, says whether a delivery failed for good or was lost in the worker.
    const left = await db.query(
      `select target, state, count(*)::int as n, max(attempts)::int as attempts from notify_deliveries
        where state <> 'sent' group by target, state order by target, state`,
    );
    const held = notifier.worker.held();
    throw new Error(
      `${e.message}; not sent: ${JSON.stringify(left.rows)}; the worker holds ${JSON.stringify(held)}` +
        (childEnded ? `; ${childEnded}` : ''),
    );
  });
  // CPU from the burst's start until everything was delivered (the steps' writes too, a small part): the process's
  // and each thread's. PGlite's worker thread is the busiest after the main one; per delivery is what it costs there.
  const burstCpu = {
    process: process.cpuUsage(cpuAtBurst.process),
    threads: threadCpuSince(cpuAtBurst.threads).slice(0, 4),
  };
  // Quiet again, once everything is delivered: the same steps with nothing else to do, after the process has run the
  // burst. What the burst's steps are compared with is both quiet phases, so that the order of the phases (the first
  // quiet steps still run on a colder process) is not counted as the burst's doing; the two quiet phases against each
  // other show how much two runs of the same thing differ here.
  progress('quiet again: deployment steps after the burst is delivered');
  const quietAfterSteps = await stepLatency(steps);
  const quietAfterLate = [...late];
  if (threadTraced) takeTraced();
  await notifier.close();

  const received = await report();
  const eventOf = (key: string) => key.split('-')[1]!;
  const burstOnly = (r: ReceiverReport) => r.received.filter(([key]) => recordedAt.has(eventOf(key)));
  const healthy = [received.slack!, received.teams!, received.hook!].flatMap(burstOnly);
  const healthyLatency = healthy.map(([key, at]) => at - recordedAt.get(eventOf(key))!);
  // When the dispatcher wrote each delivery: event recorded → outbox, then outbox → received.
  const written = new Map(
    (await db.query<{ key: string; at: Date }>('select key, created_at as at from notify_deliveries')).rows.map((r) => [
      r.key,
      r.at.getTime(),
    ]),
  );
  const toOutbox = healthy.map(([key]) => written.get(key)! - recordedAt.get(eventOf(key))!);
  const outboxToReceived = healthy.map(([key, at]) => at - written.get(key)!);
  const all = Object.values(received);
  const counts = await countNotifyDeliveries(db);
  // Where the drain's tail comes from: each service's most-tried delivery and its time from outbox to sent (a
  // delivery that failed k times waited 1 + 2 + … + 2^(k-1) s of backoff, ±20 %).
  const tail = (
    await db.query<{ target: string; max_attempts: number; max_ms: number }>(
      `select target, max(attempts)::int as max_attempts,
              round(max(extract(epoch from sent_at - created_at) * 1000))::int as max_ms
         from notify_deliveries group by target order by target`,
    )
  ).rows.map((r) => ({ service: r.target, mostAttempts: r.max_attempts, longestToSentMs: r.max_ms }));
  await printResult({
    benchmark: 'notify',
    machine: machine(),
    store: storeName,
    load: loadavg().map((l) => Math.round(l * 100) / 100),
    steps: {
      waitBetweenMs: stepEveryMs,
      waitsAnnouncedToStore: engineClock !== systemClock,
    },
    burst: {
      events: burst,
      eventsPerSecond: rate > 0 ? rate : 'as fast as the store takes them',
      services: 5,
      deliveries: total,
      emittedInMs,
      drainedAfterMs: Date.now() - burstStart,
    },
    delivered: {
      ...Object.fromEntries(Object.entries(received).map(([n, r]) => [n, burstOnly(r).length])),
      allDelivered: all.every((r) => burstOnly(r).length === burst),
      duplicatesDroppedByReceivers: all.reduce((s, r) => s + r.duplicates, 0),
      duplicatesAfterDedup: all.reduce((s, r) => s + r.received.length - new Set(r.received.map(([k]) => k)).size, 0),
      flakyAnswered500: received.flaky!.failed,
      rejectedAsMalformed: all.reduce((s, r) => s + r.rejected, 0),
      outbox: counts,
      drainMs,
      drainTail: tail,
    },
    deploymentStepMs: {
      withoutBurst: summary(quietSteps),
      withEventsThatNotifyNobody: summary(controlSteps),
      withBurst: summary(burstSteps),
      withoutBurstAfterIt: summary(quietAfterSteps),
    },
    deploymentStepTimerLateMs: {
      withoutBurst: summary(quietLate),
      withEventsThatNotifyNobody: summary(controlLate),
      withBurst: summary(burstLate),
      withoutBurstAfterIt: summary(quietAfterLate),
    },
    deliveryLatencyHealthyMs: { ...summary(healthyLatency), targetP99Ms: 1000 },
    healthyLatencyPartsMs: { eventToOutbox: summary(toOutbox), outboxToReceived: summary(outboxToReceived) },
    failingVerdictToSlackMs: { quiet: verdictQuiet, duringBurst: verdictDuringBurst, targetMs: 2000 },
    burstCpuMs: {
      process: Math.round((burstCpu.process.user + burstCpu.process.system) / 1000),
      perDelivery: Math.round(((burstCpu.process.user + burstCpu.process.system) / 1000 / total) * 1000) / 1000,
      threads: burstCpu.threads.map((t) => ({
        thread: t.tid === process.pid ? 'main' : t.tid,
        ms: t.ms,
        perDelivery: Math.round((t.ms / total) * 1000) / 1000,
      })),
    },
    ...(trace ? { trace } : {}),
    // Every step's time (0.01 ms), for a series to pool: notify-series.ts.
    ...(process.argv.includes('--samples')
      ? {
          deploymentStepSamplesMs: {
            withoutBurst: quietSteps.map(hundredths),
            withEventsThatNotifyNobody: controlSteps.map(hundredths),
            withBurst: burstSteps.map(hundredths),
            withoutBurstAfterIt: quietAfterSteps.map(hundredths),
          },
        }
      : {}),
  });
} finally {
  // The receivers' process may be gone by now (once in ~80 runs it was, after its report: the send failed with EPIPE
  // and the run with it): say so, and keep the run's result.
  if (child.connected)
    child.send('stop', (e) => {
      if (e) console.error(`the receivers' process could not be told to stop: ${e.message}`);
    });
  if (childEnded) console.error(childEnded);
  await (postgres ? postgres.drop() : db.close());
  rmSync(dir, { recursive: true, force: true });
}
