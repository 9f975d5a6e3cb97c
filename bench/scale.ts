/**
 * npm run bench:scale -- --json [--services 200] [--in-flight 20] [--driver pglite|pglite-in-process|postgres|both]
 *
 * The control-plane part of issue 14's scale figure: one project of 200 services × 3 environments, every
 * service-environment deployed twice (a first release, then a blue-green switch: 1,200 deployments) with 20 in
 * flight at once, on the real store (PGlite in its worker thread, or the PostgreSQL server at 127.0.0.1:5432).
 * Instances and routes are the fake runtime and recording router of the engine tests (in memory, instant health),
 * so what is measured is the engine itself: per step, the time from its `deployment.step.started` event to the next
 * step's (or `deployment.finished`): the step's own work plus the store reads and writes around it. Also the
 * coordinator's RSS (this process: the engine, and with PGlite the database too) after the run. The SSH/data-plane
 * parts of the scale benchmark are bench/scale-ssh.ts and bench/proxy.ts.
 */
import { loadavg } from 'node:os';
import { validateConfigObject } from '../src/config/validate.js';
import { Engine } from '../src/engine/engine.js';
import { EventLog } from '../src/engine/event-log.js';
import { TrafficController } from '../src/engine/traffic-controller.js';
import { systemClock } from '../src/shared/clock.js';
import { silentLogger } from '../src/shared/logging.js';
import type { Db, Queryable } from '../src/store/db.js';
import type { NewEvent } from '../src/store/repos/events.js';
import { finalStates, getDeployment } from '../src/store/repos/deployments.js';
import type { DriverName } from '../test/support/drivers.js';
import { FakeRuntime, RecordingRouter } from '../test/support/fake-runtime.js';
import { freshPglite, freshPostgres } from '../test/support/store.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite-driver.js';
import { announcingClock } from '../src/engine/announcing-clock.js';
import { countStatements, databaseCpuMeter } from './database-cost.js';
import { profileWaits } from './scale-waits.js';
import { machine, printResult, progress, timeQueries } from './support.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const services = Number(arg('services', '200'));
const inFlight = Number(arg('in-flight', '20'));
const driverArg = arg('driver', 'both');
const profileQueries = process.argv.includes('--profile-queries');
const profileWaitsOn = process.argv.includes('--profile-waits');
/**
 * `pglite`: PGlite in a worker thread of its own, as a coordinator opens its embedded store (openStore); until
 * 2026-12-06 this benchmark ran PGlite on the engine's own thread, which no coordinator does (`pglite-in-process`).
 */
type BenchDriver = DriverName | 'pglite-in-process';
const drivers: BenchDriver[] = driverArg === 'both' ? ['pglite', 'postgres'] : [driverArg as BenchDriver];
if (!drivers.every((d) => ['pglite', 'pglite-in-process', 'postgres'].includes(d)))
  throw new Error(`--driver: "${driverArg}" is none of pglite, pglite-in-process, postgres, both`);
const environments = ['development', 'staging', 'production'];
const statements = countStatements();

const config = validateConfigObject(
  {
    project: 'fleet',
    environments: Object.fromEntries(environments.map((e, i) => [e, { listen: `127.0.0.1:${19080 + i}` }])),
    services: Object.fromEntries(
      Array.from({ length: services }, (_, i) => [
        `svc-${i}`,
        {
          command: 'node',
          args: ['server.js'],
          instances: 2,
          route: { pathPrefix: `/svc-${i}` },
          health: { interval: '50ms', startTimeout: '5s' },
          drainTimeout: '1s',
          strategy: { type: 'blue-green', keepOldFor: '0s' },
        },
      ]),
    ),
  },
  { baseDir: '/srv/fleet' },
);

/** The recording router without its history of every table (a bench of 1,200 deployments would keep thousands). */
class LeanRouter extends RecordingRouter {
  override async apply(routes: Parameters<RecordingRouter['apply']>[0]): Promise<void> {
    await super.apply(routes);
    this.applied.length = 0;
  }
}

/** Step timings from the events the engine emits (performance.now() at each emit). */
class TimedEventLog extends EventLog {
  readonly steps: { kind: string; ms: number }[] = [];
  /** Deployments waited for: resolved at their `deployment.finished` event (no polling of the store). */
  readonly waiting = new Map<string, () => void>();
  private readonly open = new Map<string, { kind: string; at: number }>();
  /** Told of every step boundary (--profile-waits). */
  onBoundary?: (deploymentId: string, kind: string | undefined, at: number) => void;

  override async emit(event: Parameters<EventLog['emit']>[0]) {
    const done = this.mark(event, performance.now());
    return done ? super.emit(event).finally(done) : super.emit(event);
  }

  // The executor stores a deployment's final state and its `deployment.finished` event together (record, not emit).
  override async record<T>(
    deploymentId: string | undefined,
    change: (tx: Queryable) => Promise<T>,
    eventOf: (changed: T) => NewEvent,
  ): Promise<T> {
    const at = performance.now();
    let made: NewEvent | undefined;
    const value = await super.record(deploymentId, change, (changed) => {
      made = eventOf(changed);
      return made;
    });
    if (made) this.mark(made, at)?.();
    return value;
  }

  /** Book a step boundary at `at`; for a deployment's end, what resolves its waiter once the event is stored. */
  private mark(event: Parameters<EventLog['emit']>[0], at: number): (() => void) | undefined {
    const id = event.deploymentId;
    if (id === undefined || (event.kind !== 'deployment.step.started' && event.kind !== 'deployment.finished')) return;
    const last = this.open.get(id);
    if (last) this.steps.push({ kind: last.kind, ms: at - last.at });
    this.onBoundary?.(
      id,
      event.kind === 'deployment.finished' ? undefined : String((event.data as { kind?: string } | undefined)?.kind),
      at,
    );
    if (event.kind === 'deployment.finished') {
      this.open.delete(id);
      // After the event is stored: the deployment record is final by then.
      return this.waiting.get(id);
    }
    this.open.set(id, { kind: String((event.data as { kind?: string } | undefined)?.kind), at });
    return undefined;
  }
}

async function run(driver: BenchDriver) {
  let db: Db;
  let drop = async () => undefined as unknown;
  if (driver === 'postgres') {
    const fresh = await freshPostgres();
    db = fresh.db;
    drop = fresh.drop;
  } else if (driver === 'pglite') {
    db = await openPglite({ thread: true });
    await migrate(db);
  } else db = await freshPglite();
  const queries = profileQueries ? countQueries(db) : undefined;
  const runtime = new FakeRuntime();
  const router = new LeanRouter();
  const events = new TimedEventLog(db, silentLogger);
  const traffic = new TrafficController(db, router, silentLogger);
  // The engine's clock as a coordinator gives it: it tells the store when each wait ends (announcing-clock.ts).
  const clock = announcingClock(systemClock, db);
  const engine = new Engine({ db, runtime, router, traffic, events, clock, logger: silentLogger });
  const waits = profileWaitsOn ? profileWaits(db, traffic, events) : undefined;
  if (waits) events.onBoundary = waits.stepBoundary;
  try {
    await engine.applyProject(config);
    await engine.start();
    const work = ['1.0.0', '2.0.0'].flatMap((version) =>
      environments.flatMap((environment) =>
        Array.from({ length: services }, (_, i) => ({ service: `svc-${i}`, environment, version })),
      ),
    );
    const failed: string[] = [];
    const database = await databaseCpuMeter(db);
    const sent = { ...statements };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < work.length) {
        const w = work[next++]!;
        const d = await engine.deploy({ project: 'fleet', ...w, requestedBy: 'bench' });
        const finished = new Promise<void>((resolve) => events.waiting.set(d.id, resolve));
        // It may have finished before the waiter was set.
        const now = await getDeployment(db, d.id);
        if (!now || !finalStates.includes(now.state)) await finished;
        events.waiting.delete(d.id);
        const end = await getDeployment(db, d.id);
        if (end?.state !== 'succeeded') failed.push(`${w.service}/${w.environment}@${w.version}: ${end?.state}`);
        if (++done % 100 === 0) progress(`${driver}: ${done}/${work.length} deployments`);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const sentInRun = {
      statements: statements.statements - sent.statements,
      commits: statements.commits - sent.commits,
    };
    const databaseMs = await database.spentMs();
    const ms = events.steps.map((s) => s.ms);
    const perStep = (n: number) => Math.round((n / ms.length) * 100) / 100;
    const byKind = Object.fromEntries(
      [...new Set(events.steps.map((s) => s.kind))].map((k) => {
        const xs = events.steps.filter((s) => s.kind === k).map((s) => s.ms);
        return [k, { steps: xs.length, p50Ms: pct(xs, 0.5), p95Ms: pct(xs, 0.95) }];
      }),
    );
    return {
      driver,
      deployments: work.length,
      failed: failed.length,
      failures: failed.slice(0, 5),
      seconds: Math.round(seconds * 10) / 10,
      deploymentsPerSecond: Math.round((work.length / seconds) * 10) / 10,
      steps: ms.length,
      // CPU of this process (engine, fake runtime, and with PGlite the database) per step: unlike latency, it does
      // not depend on how much of the shared machine the other sessions take.
      coordinatorCpuMsPerStep: Math.round(((cpu.user + cpu.system) / 1000 / ms.length) * 100) / 100,
      // The PostgreSQL server's CPU for this database per step (its backends, from /proc): the other half of the cost.
      ...(databaseMs === undefined ? {} : { databaseCpuMsPerStep: perStep(databaseMs) }),
      // Statements sent to the server per step (BEGIN and COMMIT included; also those of deploy() and of this
      // benchmark's two reads per deployment), and commits (PostgreSQL only: PGlite's go through no pg client).
      ...(driver === 'postgres'
        ? {
            statementsPerStep: perStep(sentInRun.statements),
            commitsPerStep: perStep(sentInRun.commits),
          }
        : {}),
      coordinatorCpuShare: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100) / 100,
      stepP50Ms: pct(ms, 0.5),
      stepP95Ms: pct(ms, 0.95),
      stepP99Ms: pct(ms, 0.99),
      stepMaxMs: pct(ms, 1),
      byKind,
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      ...(queries ? { topQueries: queries.top() } : {}),
      ...(waits ? { waits: waits.report() } : {}),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    await engine.close();
    await runtime.close?.();
    if (driver === 'postgres') await drop();
    else await db.close();
  }
}

/** Diagnostics (--profile-queries): statements by count and total time, to find what a slow step waits for. */
function countQueries(db: Db) {
  const stats = new Map<string, { count: number; ms: number }>();
  timeQueries(db, (sql, ms) => {
    const key = sql.replace(/\s+/g, ' ').slice(0, 140);
    const s = stats.get(key) ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += ms;
    stats.set(key, s);
  });
  return {
    top: () =>
      [...stats.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 40)
        .map(([sql, s]) => ({ sql, count: s.count, totalMs: Math.round(s.ms) })),
  };
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10;
}

const results = [];
for (const driver of drivers) {
  progress(`${driver}: ${services} services × ${environments.length} environments, ${inFlight} deployments in flight`);
  results.push(await run(driver));
}
await printResult({
  benchmark: 'scale',
  machine: machine(),
  note: 'shared 2-core machine with other sessions running (load average per run); fake runtime and router',
  settings: { services, environments: environments.length, inFlight, strategy: 'first release, then blue-green' },
  results,
  targets: { stepP95Ms: 100 },
  met: { stepP95Ms: results.every((r) => r.stepP95Ms <= 100 && r.failed === 0) },
});
