/**
 * npm run bench:db-backup -- --json [--size-mb N] [--url postgres://…]
 *
 * Backup and restore time of a database of N MB (default 1,024): a fresh database on the
 * PostgreSQL server at --url (default SLIPWAY_TEST_DATABASE_URL or 127.0.0.1:5432) is filled with
 * policy rows (text, numbers, timestamps, a jsonb document: data that compresses like real data,
 * not zeros), then Slipway's backup (pg_dump -Fc, sha256, manifest) and restore (one transaction
 * through psql, with the later-writes check) run on it, timed. The database is dropped at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { takeBackup } from '../src/migrations/backups/backup.js';
import { backupDir } from '../src/migrations/backups/manifest.js';
import { restoreBackup } from '../src/migrations/backups/restore.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { machine, printResult, progress, refuse } from './support.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const sizeMb = Number(arg('size-mb') ?? 1024);
if (!Number.isFinite(sizeMb) || sizeMb < 1) await refuse('--size-mb: expected a number of megabytes ≥ 1');
const server = arg('url') ?? process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const name = `slipway_bench_backup_${process.pid}`;
const admin = new pg.Client({ connectionString: server });
try {
  await admin.connect();
} catch (e) {
  await refuse(`bench:db-backup: PostgreSQL is not reachable at ${new URL(server).host}: ${(e as Error).message}`);
}
await admin.query(`create database ${name}`);
const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-backup-'));
onExit(async () => {
  rmSync(dir, { recursive: true, force: true });
  await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
});

const db = new pg.Client({ connectionString: url });
await db.connect();
await db.query(`create table policies (
  id bigint generated always as identity primary key, vessel text not null, tonnage integer not null,
  premium numeric(12,2) not null, issued_at timestamptz not null, terms jsonb not null)`);
progress(`filling ${name} to ${sizeMb} MB…`);
const fillStarted = performance.now();
// ~100k rows per batch; each row carries ~600 bytes of varied text so the dump compresses realistically.
for (;;) {
  await db.query(`insert into policies (vessel, tonnage, premium, issued_at, terms)
    select 'MV ' || md5(g::text || random()::text), (random() * 300000)::int, round((random() * 1e6)::numeric, 2),
      now() - random() * interval '900 days',
      jsonb_build_object('clauses', array[md5(random()::text), md5(random()::text), md5(random()::text),
        md5(random()::text), md5(random()::text), md5(random()::text), md5(random()::text), md5(random()::text)],
        'route', md5(random()::text), 'risk', (random() * 5)::int)
    from generate_series(1, 100000) g`);
  const { rows } = await db.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');
  if (Number(rows[0]!.bytes) >= sizeMb * 1024 * 1024) break;
}
const { rows: sized } = await db.query<{ bytes: string; n: string }>(
  'select pg_database_size(current_database())::text as bytes, (select count(*) from policies)::text as n',
);
await db.end();
const databaseBytes = Number(sized[0]!.bytes);
progress(`filled in ${Math.round(performance.now() - fillStarted)} ms: ${sized[0]!.n} rows; backing up…`);

const manifest = await takeBackup({
  url,
  root: dir,
  keep: 2,
  scope: 'database',
  project: 'bench',
  environment: 'staging',
  release: '2.0.0',
  touched: [],
  migrationsThrough: 0,
});
progress(`backup ${manifest.id}: ${manifest.bytes} bytes in ${manifest.durationMs} ms; restoring…`);
const restored = await restoreBackup(url, backupDir(dir, 'bench', 'staging'), manifest, { force: false });

await printResult({
  benchmark: 'db-backup',
  machine: machine(),
  database: { bytes: databaseBytes, rows: Number(sized[0]!.n) },
  backup: {
    ms: manifest.durationMs,
    dumpBytes: manifest.bytes,
    megabytesPerSecond: Math.round(databaseBytes / 1024 / 1024 / (manifest.durationMs / 1000)),
  },
  restore: {
    ms: restored.durationMs,
    megabytesPerSecond: Math.round(databaseBytes / 1024 / 1024 / (restored.durationMs / 1000)),
  },
});
