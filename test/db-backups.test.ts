import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { takeBackup } from '../src/migrations/backups/backup.js';
import { rowCounts, nextXid, withClient } from '../src/migrations/backups/client.js';
import { runIntegrityChecks } from '../src/migrations/backups/integrity.js';
import { backupDir, listManifests, writeManifest, type BackupManifest } from '../src/migrations/backups/manifest.js';
import { restoreBackup } from '../src/migrations/backups/restore.js';
import { freshPostgres, type FreshPostgres } from './support/store.js';

/** Backups, restores and integrity checks against the real PostgreSQL with Debian's pg_dump, pg_restore and psql. */
let fresh: FreshPostgres | undefined;
let root: string | undefined;
afterEach(async () => {
  await fresh?.drop();
  fresh = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function schemaOf(url: string): Promise<string[]> {
  const { rows } = await sql(
    url,
    `select table_name || '.' || column_name as c from information_schema.columns where table_schema = 'public'
     order by 1`,
  );
  return rows.map((r) => r.c as string);
}

/** A database with vessels (3 rows) and a migration history at version 1. */
async function seeded(): Promise<string> {
  fresh = await freshPostgres({ migrated: false });
  root = mkdtempSync(path.join(tmpdir(), 'slipway-backups-'));
  await sql(
    fresh.url,
    `create table vessels (id serial primary key, name text not null);
     insert into vessels (name) values ('Aurora'), ('Boreas'), ('Calypso');
     create table slipway_migration_history (version int primary key, id text);
     insert into slipway_migration_history values (1, '0001_vessels');`,
  );
  return fresh.url;
}

/** What the release's migrations do: a new table, a new column, a new enum. */
const migrate = (url: string) =>
  sql(
    url,
    `create type cover as enum ('hull', 'cargo');
     create table policies (id serial primary key, vessel_id int references vessels (id), kind cover);
     alter table vessels add column flag text;
     insert into slipway_migration_history values (2, '0002_policies');`,
  );

async function backup(url: string, scope: 'database' | 'touched' = 'database', keep = 10): Promise<BackupManifest> {
  return takeBackup({
    url,
    root: root!,
    keep,
    scope,
    project: 'harbor',
    environment: 'staging',
    release: '2.0.0',
    touched: ['"vessels"', '"policies"'],
    migrationsThrough: 1,
  });
}

/** What the sequencer records once the migrations ran. */
async function markMigrated(url: string, m: BackupManifest): Promise<BackupManifest> {
  const after = await withClient(url, async (c) => ({
    xid: await nextXid(c),
    at: new Date().toISOString(),
    rows: await rowCounts(c, ['"vessels"', '"policies"']),
  }));
  const updated = { ...m, afterMigrations: after };
  writeManifest(backupDir(root!, 'harbor', 'staging'), updated);
  return updated;
}

const dir = () => backupDir(root!, 'harbor', 'staging');

describe('database backups', () => {
  it('a whole-database backup restores the state before the release: new tables, columns and types gone', async () => {
    const url = await seeded();
    const before = await schemaOf(url);
    const m = await markMigrated(url, await backup(url));
    expect(m).toMatchObject({
      scope: 'database',
      release: '2.0.0',
      database: expect.stringMatching(/\/slipway_test_/),
    });
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(listManifests(dir()).map((b) => b.id)).toEqual([m.id]);
    await migrate(url);
    expect(await schemaOf(url)).not.toEqual(before);

    const result = await restoreBackup(url, dir(), m, { force: false });
    expect(result.discarded.total).toBe(0);
    expect(await schemaOf(url)).toEqual(before);
    expect((await sql(url, 'select name from vessels order by id')).rows.map((r) => r.name)).toEqual([
      'Aurora',
      'Boreas',
      'Calypso',
    ]);
    expect((await sql(url, 'select version from slipway_migration_history')).rows).toEqual([{ version: 1 }]);
    expect((await sql(url, "select count(*)::int as n from pg_type where typname = 'cover'")).rows[0].n).toBe(0);
  }, 60_000);

  it('refuses to discard rows written after the migrations, saying how many; --force restores anyway', async () => {
    const url = await seeded();
    const first = await backup(url);
    await migrate(url);
    const m = await markMigrated(url, first);
    await sql(
      url,
      "insert into policies (vessel_id, kind) values (1, 'hull'), (3, 'cargo'); update vessels set flag = 'PA' " +
        'where id = 3; delete from vessels where id = 2;',
    );
    const refused = restoreBackup(url, dir(), m, { force: false });
    await expect(refused).rejects.toThrow(
      new RegExp(
        'would discard 4 rows \\(public\\.policies: 2 inserted or updated; public\\.vessels: 1 inserted or updated, ' +
          '1 deleted\\) written since its migrations ran; pass --force',
      ),
    );
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    expect((await sql(url, 'select count(*)::int as n from policies')).rows[0].n).toBe(2); // untouched

    const forced = await restoreBackup(url, dir(), m, { force: true });
    expect(forced.discarded.total).toBe(4);
    expect((await sql(url, "select to_regclass('policies') as t")).rows[0].t).toBeNull();
  }, 60_000);

  it('a touched-tables backup dumps only those tables and the history; restore drops created tables', async () => {
    const url = await seeded();
    await sql(url, 'create table audit_trail (id int); insert into audit_trail values (1);');
    const m = await markMigrated(url, await backup(url, 'touched'));
    expect(m.scope).toBe('touched');
    expect(m.tables.sort()).toEqual(['"vessels"', 'public.slipway_migration_history']);
    expect(m.absent).toEqual(['"policies"']);
    await migrate(url);
    await sql(url, 'insert into audit_trail values (2)'); // not touched by the release: kept
    await restoreBackup(url, dir(), m, { force: false });
    expect((await sql(url, "select to_regclass('policies') as t")).rows[0].t).toBeNull();
    expect((await sql(url, 'select count(*)::int as n from audit_trail')).rows[0].n).toBe(2);
    expect(await schemaOf(url)).not.toContain('vessels.flag');
  }, 60_000);

  it('a corrupted dump is refused; a failing restore changes nothing', async () => {
    const url = await seeded();
    const m = await backup(url);
    const file = path.join(dir(), m.file);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    await expect(restoreBackup(url, dir(), m, { force: false })).rejects.toThrow(/does not match its sha256/);
    // A manifest that vouches for the truncated file: pg_restore fails part-way, and the drops roll back.
    await migrate(url);
    const lying = { ...m, sha256: await import('../src/migrations/backups/backup.js').then((b) => b.fileSha256(file)) };
    await expect(restoreBackup(url, dir(), lying, { force: true })).rejects.toThrow(/failed, nothing changed/);
    expect((await sql(url, "select to_regclass('policies') as t")).rows[0].t).toBe('policies');
  }, 60_000);

  it('keeps the newest backups only, and a pg_dump failure is one line naming the database', async () => {
    const url = await seeded();
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push(
        (
          await takeBackup({
            url,
            root: root!,
            keep: 2,
            scope: 'database',
            project: 'harbor',
            environment: 'staging',
            release: `2.0.${i}`,
            touched: [],
            migrationsThrough: 1,
            now: () => new Date(Date.UTC(2026, 11, 4, 12, i)),
          })
        ).id,
      );
    expect(listManifests(dir()).map((b) => b.id)).toEqual([made[2], made[1]]);
    const missing = url.replace(/\/[^/]+$/, '/no_such_database');
    await expect(
      takeBackup({
        url: missing,
        root: root!,
        keep: 2,
        scope: 'database',
        project: 'harbor',
        environment: 'staging',
        release: '3.0.0',
        touched: [],
        migrationsThrough: 1,
      }),
    ).rejects.toThrow(/no_such_database/);
  }, 60_000);

  it('integrity checks: a false, an error and a wrong shape each fail, naming the check', async () => {
    const url = await seeded();
    const failures = await withClient(url, (c) =>
      runIntegrityChecks(
        c,
        url,
        [
          'select count(*) = 3 from vessels',
          'select count(*) = 0 from vessels',
          'select nope from vessels',
          'select id from vessels',
          'delete from vessels returning true',
        ],
        5000,
      ),
    );
    expect(failures.map((f) => [f.index, f.problem])).toEqual([
      [2, 'returned false'],
      [3, 'failed: column "nope" does not exist'],
      [4, 'returned 3 rows of 1 column(s); expected one boolean'],
      [5, 'failed: cannot execute DELETE in a read-only transaction'],
    ]);
    expect((await sql(url, 'select count(*)::int as n from vessels')).rows[0].n).toBe(3);
  }, 60_000);
});
