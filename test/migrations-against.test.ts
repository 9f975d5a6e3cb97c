import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../src/migrations/errors.js';
import { planAgainst } from '../src/migrations/planner/against.js';
import { snapshotCatalog } from '../src/migrations/planner/catalog.js';
import type { Migration } from '../src/migrations/types.js';
import { freshPostgres, type FreshPostgres } from './support/store.js';

/** `migrate plan --against`: the plan runs on the real PostgreSQL 15 in one transaction and is rolled back. */
let database: FreshPostgres;
beforeAll(async () => {
  database = await freshPostgres({ migrated: false });
  await database.db.exec(`
    CREATE TYPE hull_class AS ENUM ('steel', 'wood');
    CREATE TABLE vessels (id serial PRIMARY KEY, name text NOT NULL, hull hull_class);
    INSERT INTO vessels (name) SELECT 'vessel ' || g FROM generate_series(1, 2000) g;
    CREATE TABLE berths (id int PRIMARY KEY);
    ANALYZE vessels;`);
});
afterAll(() => database?.drop());

const migration = (version: number, name: string, up: string): Migration => {
  const id = `${String(version).padStart(4, '0')}_${name}`;
  return {
    version,
    id,
    name,
    upPath: `db/migrations/${id}.up.sql`,
    downPath: null,
    up,
    down: null,
    checksum: '',
    phase: null,
    irreversible: true,
    after: null,
  };
};
const vesselCount = async () =>
  Number((await database.db.query<{ n: string }>('SELECT count(*)::text AS n FROM vessels')).rows[0]!.n);

describe('planAgainst (real PostgreSQL)', () => {
  it(
    'reports the locks each statement took and the sizes of the tables, and leaves the database as it ' + 'was',
    async () => {
      const before = await snapshotCatalog(database.db);
      const report = await planAgainst(database.url, [
        migration(
          1,
          'add_flag',
          'ALTER TABLE vessels ADD COLUMN flag text;\nCREATE INDEX vessels_name_idx ON vessels (name);\n',
        ),
        migration(2, 'backfill', "UPDATE vessels SET flag = 'x' WHERE id <= 10;\nDROP TABLE berths;\n"),
      ]);
      expect(report.database).toMatch(/^127\.0\.0\.1:5432\/slipway_test_/);
      expect(report.rolledBack).toBe(true);
      expect(report.stoppedBy).toBeUndefined();
      const [alter, index, update, drop] = report.statements;
      expect(alter).toMatchObject({
        migration: '0001_add_flag',
        file: 'db/migrations/0001_add_flag.up.sql',
        index: 0,
        line: 1,
        col: 1,
        ran: true,
      });
      expect(alter!.locks).toEqual([{ relation: 'public.vessels', mode: 'AccessExclusiveLock' }]);
      expect(index).toMatchObject({ line: 2, text: 'CREATE INDEX vessels_name_idx ON vessels (name)', ran: true });
      expect(index!.locks).toContainEqual({ relation: 'public.vessels', mode: 'ShareLock' });
      expect(index!.locks.filter((l) => l.relation === 'public.vessels').map((l) => l.mode)).toEqual(['ShareLock']);
      // Each mode counts on its own: the UPDATE needs ROW EXCLUSIVE even under the ALTER TABLE's lock.
      expect(update!.locks).toContainEqual({ relation: 'public.vessels', mode: 'RowExclusiveLock' });
      // A dropped table is still named: its name was read before the plan ran.
      expect(drop!.locks).toContainEqual({ relation: 'public.berths', mode: 'AccessExclusiveLock' });
      expect(drop!.locks).toContainEqual({ relation: 'public.berths_pkey', mode: 'AccessExclusiveLock' });
      for (const s of report.statements) expect(s.durationMs).toBeGreaterThan(0);

      const vessels = report.tables.find((t) => t.name === 'public.vessels');
      expect(vessels?.rows).toBe(2000);
      expect(vessels?.totalBytes).toBeGreaterThan(8192);
      expect(report.tables.map((t) => t.name)).toEqual(['public.berths', 'public.vessels']);

      expect(await snapshotCatalog(database.db)).toEqual(before);
      expect(await vesselCount()).toBe(2000);
    },
  );

  it('does not run statements a rollback cannot cover, and says why', async () => {
    const report = await planAgainst(database.url, [
      migration(1, 'index_name', 'CREATE INDEX CONCURRENTLY vessels_name_idx ON vessels (name);\n'),
      migration(
        2,
        'aluminium',
        "ALTER TYPE hull_class ADD VALUE 'aluminium';\nUPDATE vessels SET hull = 'aluminium' WHERE id = 1;\nVACUUM " +
          'vessels;\nALTER TABLE vessels ADD COLUMN built date;\n',
      ),
    ]);
    expect(report.statements.map((s) => [s.line, s.ran])).toEqual([
      [1, false],
      [1, true],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(report.statements[0]!.skippedBecause).toBe(
      'CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and the plan runs in one transaction that ' +
        'is rolled back',
    );
    expect(report.statements[2]!.skippedBecause).toBe(
      "uses the enum value 'aluminium' added at db/migrations/0002_aluminium.up.sql:1; a new enum value cannot be " +
        'used in the transaction that added it',
    );
    expect(report.statements[3]!.skippedBecause).toMatch(/^VACUUM cannot run inside a transaction block/);
    expect(report.statements[4]!.locks).toEqual([{ relation: 'public.vessels', mode: 'AccessExclusiveLock' }]);
    expect(report.stoppedBy).toBeUndefined();
    const labels = await database.db.query<{ label: string }>(
      "SELECT enumlabel AS label FROM pg_enum WHERE enumtypid = 'hull_class'::regtype ORDER BY enumsortorder",
    );
    expect(labels.rows.map((r) => r.label)).toEqual(['steel', 'wood']);
  });

  it('stops at a failing statement with file:line:col and still rolls back what ran before it', async () => {
    const report = await planAgainst(database.url, [
      migration(1, 'docks', 'CREATE TABLE docks (id int PRIMARY KEY);\n'),
      migration(
        2,
        'bad',
        'ALTER TABLE vessels ADD COLUMN dock_id int;\nUPDATE vessels\n   SET dock_id = nope;\nALTER TABLE vessels ' +
          'ADD COLUMN other int;\n',
      ),
      migration(3, 'later', 'CREATE TABLE later (id int);\n'),
    ]);
    expect(report.stoppedBy).toMatchObject({
      migration: '0002_bad',
      file: 'db/migrations/0002_bad.up.sql',
      line: 3,
      col: 18,
      code: '42703',
    });
    const failed = report.statements.find((s) => s.error);
    expect(failed?.error).toMatch(
      /^db\/migrations\/0002_bad\.up\.sql:3:18: column "nope" does not exist.* \[SQLSTATE 42703\]$/,
    );
    expect(report.statements.slice(-2).map((s) => [s.migration, s.ran, s.skippedBecause])).toEqual([
      ['0002_bad', false, 'an earlier statement failed'],
      ['0003_later', false, 'an earlier statement failed'],
    ]);
    const docks = await database.db.query<{ t: string | null }>("SELECT to_regclass('docks')::text AS t");
    expect(docks.rows[0]!.t).toBeNull();
  });

  it('stops at a file that does not parse, and notes that sequences stay advanced', async () => {
    const report = await planAgainst(database.url, [
      migration(1, 'seed', "INSERT INTO vessels (name) VALUES ('extra');\n"),
      migration(2, 'typo', 'ALTER TABLE vessels\n  ADD COLUMN flag texx DEFAULT;\n'),
    ]);
    expect(report.statements.map((s) => [s.migration, s.ran, s.error])).toEqual([['0001_seed', true, undefined]]);
    expect(report.stoppedBy).toEqual({
      migration: '0002_typo',
      file: 'db/migrations/0002_typo.up.sql',
      line: 2,
      col: 31,
      message: 'syntax error at or near ";"',
    });
    expect(report.notes).toEqual([expect.stringContaining('sequences are not transactional')]);
    expect(await vesselCount()).toBe(2000);
  });

  it(
    'gives up on a lock another session holds after lock_timeout, and says what that means for the ' + 'deploy',
    async () => {
      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE vessels IN ACCESS SHARE MODE');
        const report = await planAgainst(
          database.url,
          [migration(1, 'add_flag', 'ALTER TABLE vessels ADD COLUMN flag text;\n')],
          { lockTimeoutMs: 200 },
        );
        expect(report.stoppedBy?.code).toBe('55P03');
        expect(report.statements[0]!.error).toContain(
          'waited more than lock_timeout (200 ms): another session holds a conflicting lock',
        );
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
    },
  );

  it('names host:port/database, never the password, when the server cannot be reached', async () => {
    const error = await planAgainst('postgres://deployer:s3cret-pw@127.0.0.1:1/harbor', [
      migration(1, 'x', 'SELECT 1;'),
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('unavailable');
    expect((error as MigrationError).message).toMatch(
      /^cannot reach PostgreSQL at 127\.0\.0\.1:1\/harbor to plan against it: .*ECONNREFUSED/,
    );
    expect((error as MigrationError).message).not.toContain('s3cret');
    expect(JSON.stringify((error as MigrationError).details)).not.toContain('s3cret');
  });
});
