/**
 * npm run bench:notify-store -- --json [--deliveries N] [--vacuum-every N] [--postgres]
 *
 * The store's own work per notification delivery, without HTTP or threads: what bench:notify's burst asks of the
 * store, one statement at a time on PGlite in this thread (so this process's CPU is the store's): the dispatcher's
 * writes (200 deliveries per pass), the worker's claims (8 per service and pass, as a burst's passes take) and its
 * batches of attempt ends with their events. Reports CPU ms per delivery for each kind of statement, by tenth of the
 * run (a cost that grows with what the burst already did shows as a rising curve: dead tuples and index entries).
 * `--vacuum-every N`: a VACUUM of notify_deliveries after every N attempt ends (its CPU counted apart), as the
 * delivery worker does on PGlite (outbox-vacuum.ts: every 5,000). Also reports what the outbox takes on disk, per
 * delivery (PGlite has no autovacuum: without a VACUUM the dead versions of every claim and attempt end stay).
 */
import { cpuUsage } from 'node:process';
import { loadavg } from 'node:os';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite-driver.js';
import {
  claimDue,
  finishAttempts,
  type NewNotifyDelivery,
  readCursor,
  writeDispatch,
} from '../src/store/repos/notify-deliveries.js';
import { freshPostgres } from '../test/support/store.js';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const total = arg('deliveries', 5000);
const vacuumEvery = arg('vacuum-every', 0);
const services = ['chat', 'ops', 'audit', 'flaky', 'stuck'];

const postgres = process.argv.includes('--postgres') ? await freshPostgres() : undefined;
const db = postgres?.db ?? (await openPglite());
const cpuMs = async (f: () => Promise<unknown>) => {
  const before = cpuUsage();
  const wall = performance.now();
  await f();
  const used = cpuUsage(before);
  return { cpu: (used.user + used.system) / 1000, wall: performance.now() - wall };
};

try {
  await migrate(db);
  let event = 0;
  /** A delivery as the dispatcher composes one for the burst's deployment.started (about its size). */
  const delivery = (target: string): NewNotifyDelivery => ({
    key: `slipway-${event}-${services.indexOf(target)}-${target}`,
    eventId: event,
    project: 'harbor',
    environment: 'staging',
    service: 'api',
    trigger: 'on-deployment-started',
    target,
    targetType: target === 'ops' ? 'teams' : target === 'chat' || target === 'stuck' ? 'slack' : 'webhook',
    message: {
      title: `harbor api: deployment started in staging (burst ${event})`,
      text: 'Deployment dep_bench of api 2.0.0 started in staging (canary, 3 steps).',
      values: { project: 'harbor', service: 'api', environment: 'staging', version: '2.0.0', event: event },
      links: [{ label: 'Deployment', url: 'http://127.0.0.1:7420/deployments/dep_bench' }],
      severity: 'info',
    },
  });
  const spent = { dispatch: [] as number[], claim: [] as number[], finish: [] as number[], vacuum: [] as number[] };
  const byTenth = { claim: [] as number[][], finish: [] as number[][] };
  const addTo = (tenths: number[][], tenth: number, value: number) => {
    tenths[tenth] = [...(tenths[tenth] ?? []), value];
  };
  let claimed = 0;
  let finished = 0;
  let sinceVacuum = 0;
  let limit = 0;
  /** Run a burst of `n` deliveries; only `measure`d ones count. */
  const burst = async (n: number, measure: boolean) => {
    limit += n;
    // Each round: the dispatcher writes 40 events' deliveries (200), then the worker claims and ends what is due in 3
    // passes of up to 40: the outbox fills faster than it drains (up to ~2,000 pending), as in the burst.
    while (finished < limit) {
      if (event * services.length < limit) {
        const list: NewNotifyDelivery[] = [];
        for (let i = 0; i < 40 && event * services.length < limit; i++) {
          event += 1;
          for (const s of services) list.push(delivery(s));
        }
        const from = await readCursor(db);
        const t = await cpuMs(() => writeDispatch(db, from, list, { xid: from.xid, id: event }));
        if (measure) spent.dispatch.push(t.cpu);
      }
      // A burst's passes run every ~25 ms and each takes a few per service (what the in-memory queues freed).
      for (let pass = 0; pass < 3; pass++) {
        const rooms = Object.fromEntries(services.map((s) => [`harbor/${s}`, 8]));
        let got: Awaited<ReturnType<typeof claimDue>> = [];
        const c = await cpuMs(async () => {
          got = await claimDue(db, new Date(), { rooms, otherwise: 8, limit: 200 });
        });
        if (got.length === 0) break;
        const tenth = Math.min(9, Math.floor((claimed / total) * 10));
        if (measure) {
          spent.claim.push(c.cpu / got.length);
          addTo(byTenth.claim, tenth, c.cpu / got.length);
        }
        const ends = got.map((d) => ({ id: d.id, state: 'sent' as const, status: 200 }));
        const events = got.map((d) => ({
          project: 'harbor',
          environment: 'staging',
          service: 'api',
          kind: 'notification.sent',
          message: `${d.target}: ${String(d.message.title)}`,
          data: { delivery: d.id, key: d.key, trigger: d.trigger, target: d.target, event: d.eventId, attempts: 1 },
        }));
        const f = await cpuMs(() => finishAttempts(db, ends, events));
        if (measure) {
          spent.finish.push(f.cpu / got.length);
          addTo(byTenth.finish, tenth, f.cpu / got.length);
          claimed += got.length;
        }
        finished += got.length;
        sinceVacuum += got.length;
        if (vacuumEvery > 0 && sinceVacuum >= vacuumEvery) {
          sinceVacuum = 0;
          const v = await cpuMs(() => db.query('vacuum notify_deliveries'));
          if (measure) spent.vacuum.push(v.cpu);
        }
      }
    }
  };
  progress(`warm-up: 1,000 deliveries, not measured`);
  await burst(1000, false);
  progress(`${total} deliveries, 5 services, ${postgres ? 'postgres' : 'pglite'}`);
  await burst(total, true);
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : Math.round((sum(xs) / xs.length) * 1000) / 1000);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const { rows } = await db.query<{ bytes: string }>(
    `select pg_total_relation_size('notify_deliveries')::text as bytes`,
  );
  const outboxBytes = Number(rows[0]!.bytes);
  await printResult({
    benchmark: 'notify-store',
    machine: machine(),
    store: postgres ? 'postgres (this process only: the server is not counted)' : 'pglite (this thread)',
    load: loadavg().map((l) => Math.round(l * 100) / 100),
    deliveries: total,
    vacuumEvery,
    cpuMsPerDelivery: {
      dispatch: r3(sum(spent.dispatch) / total),
      claim: mean(spent.claim),
      finish: mean(spent.finish),
      vacuum: r3(sum(spent.vacuum) / total),
      all: r3((sum(spent.dispatch) + sum(spent.vacuum)) / total + mean(spent.claim) + mean(spent.finish)),
    },
    claimCpuMsPerDeliveryByTenth: byTenth.claim.map(mean),
    finishCpuMsPerDeliveryByTenth: byTenth.finish.map(mean),
    vacuums: spent.vacuum.length,
    vacuumCpuMs: { mean: mean(spent.vacuum), max: r3(Math.max(0, ...spent.vacuum)) },
    // Table, indexes and TOAST, after the warm-up's 1,000 deliveries and the run's.
    outboxBytes,
    outboxBytesPerDelivery: Math.round(outboxBytes / (total + 1000)),
  });
} finally {
  await (postgres ? postgres.drop() : db.close());
}
