/**
 * npm run bench:kpis -- --json [--deployments 3000] [--runs 5]
 *
 * How long the delivery figures take over a busy month: one project, 2 environments × 5 services,
 * `--deployments` finished deployments over 30 days (1 in 10 of production's rolled back), 20 incidents, and a full
 * month of availability rows (one per minute and service: 432,000 rows). Times loadKpis (what GET /kpis and the
 * /metrics gauges run) and the status summary, median of --runs, on PGlite.
 */
import { loadKpis } from '../src/kpis/load.js';
import { loadStatusSummary } from '../src/kpis/status-summary.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite-driver.js';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const deployments = arg('--deployments', 3000);
const runs = arg('--runs', 5);
const until = new Date(Date.UTC(2026, 11, 1));
const since = new Date(until.getTime() - 30 * 86_400_000);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return Math.round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]! * 10) / 10;
}

const db = await openPglite();
try {
  progress('migrating');
  await migrate(db);
  progress(`generating ${deployments} deployments and a month of availability`);
  await db.query(`insert into projects (name, config, digest) values ('harbor', '{}', 'x')`);
  await db.query(
    `insert into releases (id, project, service, version, spec, digest)
     select 'rel_' || s || '_' || v, 'harbor', 'svc' || s, '1.0.' || v, '{}', 'x'
       from generate_series(1, 5) s, generate_series(0, $1::int) v`,
    [deployments],
  );
  await db.query(
    `insert into deployments (id, project, service, environment, kind, from_release, to_release, strategy, state, plan,
       settings, started_at, finished_at)
     select 'dep_' || i, 'harbor', 'svc' || (i % 5 + 1), case when i % 2 = 0 then 'staging' else 'production' end,
       'deploy', 'rel_' || (i % 5 + 1) || '_' || (i - 1), 'rel_' || (i % 5 + 1) || '_' || i, 'blue-green',
       case when i % 20 = 1 then 'rolled_back' else 'succeeded' end, '{"steps":[]}', '{}',
       $2::timestamptz + (i * ($3::double precision / $1)) * interval '1 ms',
       $2::timestamptz + (i * ($3::double precision / $1)) * interval '1 ms' + interval '5 minutes'
       from generate_series(1, $1::int) i`,
    [deployments, since, 30 * 86_400_000 - 3_600_000],
  );
  await db.query(
    `insert into events (project, environment, kind, message, data, at)
     select 'harbor', 'production', k, k, jsonb_build_object('incident', 'inc_' || i, 'severity', 'sev2'),
       $1::timestamptz + i * interval '1 day' + case when k = 'incident.resolved' then interval '12 minutes' else
       interval '0' end
       from generate_series(1, 20) i, unnest(array['incident.opened', 'incident.resolved']) k`,
    [since],
  );
  await db.query(
    `insert into availability_samples (project, environment, service, minute, probes, probe_failures, requests,
       errors_5xx)
     select 'harbor', e, 'svc' || s, m, 12, case when extract(minute from m) = 0 then 1 else 0 end, 600, 1
       from unnest(array['staging', 'production']) e, generate_series(1, 5) s,
            generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') m`,
    [since, until],
  );
  const rows = Number(
    (await db.query<{ n: number }>('select count(*)::int as n from availability_samples')).rows[0]!.n,
  );
  progress('timing');
  const q = { project: 'harbor', environments: ['staging', 'production'], since, until };
  const all = await timed(() => loadKpis(db, q));
  const oneService = await timed(() => loadKpis(db, { ...q, environments: ['production'], service: 'svc1' }));
  const status = await timed(() =>
    loadStatusSummary(db, { project: 'harbor', environments: q.environments, now: until }),
  );
  const [, production] = await loadKpis(db, q);
  printResult({
    machine: machine(),
    store: 'pglite',
    deployments,
    availabilityRows: rows,
    runs,
    medianMs: { kpisAllEnvironments: all, kpisOneServiceOneEnvironment: oneService, statusSummary: status },
    production: {
      successRate: production!.kpis.successRate.value,
      rollbackFrequency: production!.kpis.rollbackFrequency.value,
      uptime: production!.kpis.availability.uptime,
      mttrMs: production!.kpis.timeToRestore.incidents.meanMs,
    },
  });
} finally {
  await db.close();
}
