/**
 * What storing error events costs, without HTTP: bench:ingest's envelopes are read in process (readBody), then
 * digested (digestBatch, one transaction per batch) into a fresh PostgreSQL database. Reports the CPU per event of
 * PostgreSQL's backend (from /proc, so a local server) and of this process (the coordinator's share of the digest).
 *
 *   npx tsx bench/ingest-store.ts [--events 3000] [--batch 100] [--variant base|compressed|no-age-index|no-indexes]
 *     [--payload binary|base64] [--rows N]
 *
 * `--variant` changes the schema after the migrations, to compare: `compressed` puts back TOAST compression of the
 * payload (before schema 022), `no-age-index` drops error_events_age, `no-indexes` every index but the key.
 * `--payload` is how the payloads travel and `--rows` the rows per insert statement (event-insert.ts InsertShape;
 * by default what the ingest does on PostgreSQL).
 * The database (slipway_bench_store_<pid>) is dropped at the end. Figures vary with the machine's load: run each
 * variant a few times, alternating, under `flock /tmp/bench.lock`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { digestBatch } from '../src/observe/errors/digest.js';
import { type InsertShape, insertShapes } from '../src/observe/errors/event-insert.js';
import { readBody } from '../src/observe/errors/read-body.js';
import { openStore } from '../src/store/open.js';
import { seeded } from '../test/support/traffic-feed.js';
import { benchEnvelopes } from './ingest-events.js';
import { machine, printResult, processCpuMs, refuse } from './support.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? String(process.argv[i + 1]) : fallback;
};
const events = Number(arg('events', '3000'));
const batch = Number(arg('batch', '100'));
const variant = arg('variant', 'base');
const payload = arg('payload', insertShapes.postgres.payloads);
const rowsPerStatement = Number(arg('rows', String(insertShapes.postgres.rowsPerStatement)));
const variants: Record<string, string[]> = {
  base: [],
  compressed: ['alter table error_events alter column payload set storage extended'],
  'no-age-index': ['drop index error_events_age'],
  'no-indexes': ['drop index error_events_age', 'drop index error_events_window', 'drop index error_events_by_issue'],
};
if (!(Number.isInteger(events) && events > 0)) await refuse('--events: expected a whole number > 0');
if (!(Number.isInteger(batch) && batch > 0)) await refuse('--batch: expected a whole number > 0');
if (payload !== 'binary' && payload !== 'base64') await refuse('--payload: binary or base64');
if (!(Number.isInteger(rowsPerStatement) && rowsPerStatement > 0)) await refuse('--rows: expected a whole number > 0');
const changes = variants[variant];
if (!changes) await refuse(`--variant: one of ${Object.keys(variants).join(', ')}`);

const server = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `slipway_bench_store_${process.pid}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect().catch((e: Error) => refuse(`PostgreSQL is not reachable: ${e.message}`));
await admin.query(`create database ${name}`);
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-store-'));
try {
  const db = await openStore({
    databaseUrl: Object.assign(new URL(server), { pathname: `/${name}` }).toString(),
    dataDir,
  });
  try {
    for (const sql of changes!) await db.query(sql);
    const target = { project: 'harbor-quote', environment: 'staging' };
    const accepted = benchEnvelopes(events, 300, 25, seeded(20261204)).map((body) =>
      readBody({ body, encoding: 'gzip', kind: 'envelope', ...target }),
    );
    const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
    const backends = rows.map((r) => r.pid);
    const storeBefore = backends.reduce((ms, pid) => ms + processCpuMs(pid), 0);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    for (let at = 0; at < accepted.length; at += batch)
      await db.transaction((tx) =>
        digestBatch(tx, accepted.slice(at, at + batch), new Date(), {
          payloads: payload as InsertShape['payloads'],
          rowsPerStatement,
        }),
      );
    const wallMs = performance.now() - started;
    const own = process.cpuUsage(ownBefore);
    const storeMs = backends.reduce((ms, pid) => ms + processCpuMs(pid), 0) - storeBefore;
    const perEvent = (ms: number) => Math.round((ms / events) * 1000) / 1000;
    await printResult({
      bench: 'ingest-store',
      machine: machine(),
      events,
      batch,
      variant,
      payload,
      rowsPerStatement,
      wallMs: Math.round(wallMs),
      storeCpuMsPerEvent: perEvent(storeMs),
      digestCpuMsPerEvent: perEvent((own.user + own.system) / 1000),
    });
  } finally {
    await db.close();
  }
} finally {
  await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}
