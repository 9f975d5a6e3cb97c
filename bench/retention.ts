/**
 * npm run bench:retention -- --json [--events N] [--projects N] [--stores pglite,postgres]
 *
 * What the error ingest's retention pass (every 30 s, src/observe/errors/retention.ts) costs on a full table:
 * N events (default 100,000) in each of P projects (default 3), each project 100 events over its limit (what 30 s
 * at a few events a second adds). Times the pass as it is (a count per project, then each one's excess deleted
 * oldest first) against the form before 2026-12-05 (every row of the table ranked by a window function), each on a
 * fresh copy of the same rows, on PGlite (in this process) and on PostgreSQL (a fresh database on the test server).
 */
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite-driver.js';
import { pruneEvents } from '../src/observe/errors/retention.js';
import { freshPostgres } from '../test/support/store.js';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const perProject = Number(arg('events', '100000'));
const projects = Number(arg('projects', '3'));
const stores = arg('stores', 'pglite,postgres').split(',');
const excess = 100;
const retention = { maxEventsPerProject: perProject, maxAgeMs: 30 * 86_400_000 };

/** The pass as it was: every event of every project ranked, those past the limit deleted. */
async function pruneByRanking(db: Db): Promise<number> {
  const over = await db.query(
    `delete from error_events e using (
       select project, event_id from (
         select project, event_id,
           row_number() over (partition by project order by received_at desc, event_id desc) as n
         from error_events) ranked
       where n > $1) doomed
     where e.project = doomed.project and e.event_id = doomed.event_id`,
    [retention.maxEventsPerProject],
  );
  return over.rowCount;
}

async function fill(db: Db): Promise<void> {
  await db.query('delete from error_events');
  await db.query('delete from error_issues');
  for (let p = 0; p < projects; p++) {
    await db.query(
      `insert into error_issues (id, project, fingerprint, title, level, first_seen, last_seen, first_release)
       values ($1, $2, 'f', 'TypeError', 'error', now(), now(), '1.0.0')`,
      [`iss_${p}`, `project-${p}`],
    );
    await db.query(
      `insert into error_events (project, event_id, issue_id, environment, release, level, unhandled, received_at,
         payload)
       select $1, md5(g::text), $2, 'production', '1.0.0', 'error', true, now() - g * interval '10 ms', '\\x00'::bytea
         from generate_series(1, $3::int) g`,
      [`project-${p}`, `iss_${p}`, perProject + excess],
    );
  }
  await db.query('analyze error_events');
}

async function time(db: Db, run: () => Promise<number>): Promise<{ ms: number; removed: number }> {
  await fill(db);
  const start = performance.now();
  const removed = await run();
  return { ms: Math.round((performance.now() - start) * 10) / 10, removed };
}

const results: Record<string, unknown> = {};
for (const store of stores) {
  const pg = store === 'postgres' ? await freshPostgres() : undefined;
  const db = pg?.db ?? (await openPglite());
  try {
    if (!pg) await migrate(db);
    progress(`${store}: ${projects} projects × ${perProject + excess} events`);
    const now = await time(db, () => pruneEvents(db, retention, new Date()));
    const before = await time(db, () => pruneByRanking(db));
    // Under the limit everywhere (the common pass): what is left after a prune.
    const underLimitStart = performance.now();
    await pruneEvents(db, retention, new Date());
    const underLimitMs = Math.round((performance.now() - underLimitStart) * 10) / 10;
    results[store] = {
      passNowMs: now.ms,
      removedNow: now.removed,
      passBeforeMs: before.ms,
      removedBefore: before.removed,
      passUnderLimitMs: underLimitMs,
    };
  } finally {
    await (pg ? pg.drop() : db.close());
  }
}
await printResult({
  benchmark: 'retention',
  machine: machine(),
  eventsPerProject: perProject,
  projects,
  excess,
  results,
});
