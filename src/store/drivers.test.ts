import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/drivers.js';
import { StoreError } from './errors.js';
import { migrate } from './migrate.js';
import { jsonParam } from './params.js';
import { defaultSchemaDir } from './schema-files.js';
import { isUniqueViolation, sqlErrorOf } from './sql-errors.js';

// The contract every store driver keeps: same SQL, same JS values, same transaction behaviour.

const project = { name: 'harbor', config: jsonParam({ services: ['quote'] }), digest: 'd1' };
const insertProject = (name = project.name): [string, unknown[]] => [
  'insert into projects (name, config, digest) values ($1, $2, $3)',
  [name, project.config, project.digest],
];

describeEachDriver('store contract', (getDb, driver) => {
  it('runs parameterised statements and counts rows like pg does', async () => {
    const db = getDb();
    expect(db.driver).toBe(driver);
    expect((await db.query(...insertProject())).rowCount).toBe(1);
    await db.query(...insertProject('second'));
    const selected = await db.query<{ name: string }>('select name from projects where name = any($1) order by name', [
      ['harbor', 'second', 'nope'],
    ]);
    expect(selected.rows.map((r) => r.name)).toEqual(['harbor', 'second']);
    expect(selected.rowCount).toBe(2);
    expect((await db.query('update projects set digest = $1', ['d2'])).rowCount).toBe(2);
    expect((await db.query('delete from projects where name = $1', ['nope'])).rowCount).toBe(0);
    expect((await db.query('create table scratch (a int)')).rowCount).toBe(0);
    // A parameter is a value, never SQL.
    const injected = "x'); drop table projects; --";
    expect((await db.query('select $1::text as v', [injected])).rows).toEqual([{ v: injected }]);
  });

  it('refuses several statements in query() and runs them in exec()', async () => {
    const db = getDb();
    await expect(db.query('select 1; select 2')).rejects.toThrow(/multiple commands/);
    await db.exec('create table scratch (a int); insert into scratch values (1); insert into scratch values (2);');
    expect((await db.query('select count(*) as n from scratch')).rows).toEqual([{ n: 2 }]);
  });

  it('returns int8 as numbers, jsonb parsed, timestamptz as Date, on both drivers', async () => {
    const db = getDb();
    const at = new Date('2024-03-01T12:34:56.789Z');
    const inserted = await db.query<{ id: unknown; at: unknown; data: unknown }>(
      "insert into events (kind, message, data, at) values ('test.kind', 'hello', $1, $2) returning id, at, data",
      [jsonParam({ weights: [90, 10], note: 'x' }), at],
    );
    expect(inserted.rows).toEqual([{ id: 1, at, data: { weights: [90, 10], note: 'x' } }]);
    expect(inserted.rows[0]!.at).toBeInstanceOf(Date);
    const { rows } = await db.query(
      `select count(*) as count, 1::int8 as int8, array[1, null, 3]::int8[] as int8s, 2.50::numeric as numeric,
              1.5::float8 as float8, 7::int4 as int4, '[1, "a"]'::json as json, '{"a": {"b": null}}'::jsonb as jsonb,
              $1::timestamptz as ts, array[$1::timestamptz] as tss, '1 day 02:00:00'::interval as interval,
              '\\x0102ff'::bytea as bytes, true as bool, null::int8 as nothing`,
      [at],
    );
    expect(rows).toEqual([
      {
        count: 1,
        int8: 1,
        int8s: [1, null, 3],
        numeric: '2.50',
        float8: 1.5,
        int4: 7,
        json: [1, 'a'],
        jsonb: { a: { b: null } },
        ts: at,
        tss: [at],
        interval: '1 day 02:00:00',
        bytes: Buffer.from([1, 2, 255]),
        bool: true,
        nothing: null,
      },
    ]);
    expect(Buffer.isBuffer(rows[0]!.bytes)).toBe(true);
  });

  it('parses arrays with NULL elements the same way', async () => {
    const at = new Date('2024-03-01T00:00:00.000Z');
    const { rows } = await getDb().query(
      `select array['a', null, 'NULL', 'b,c', 'd"e', '']::text[] as texts, array[[1, 2], [3, null]]::int4[] as grid,
              array[$1::timestamptz, null] as times, array['{"a":1}'::jsonb, null] as docs,
              array[1.50, null]::numeric[] as numerics, array['2 hours'::interval] as intervals`,
      [at],
    );
    expect(rows).toEqual([
      {
        texts: ['a', null, 'NULL', 'b,c', 'd"e', ''],
        grid: [
          [1, 2],
          [3, null],
        ],
        times: [at, null],
        docs: [{ a: 1 }, null],
        numerics: ['1.50', null],
        intervals: ['02:00:00'],
      },
    ]);
  });

  it('passes jsonb parameters the same way: objects, arrays, strings, null', async () => {
    const db = getDb();
    for (const value of [{ a: 1 }, [1, 2, { b: [] }], 'just text', 42, null]) {
      const { rows } = await db.query<{ v: unknown }>('select $1::jsonb as v', [jsonParam(value)]);
      expect(rows[0]!.v).toEqual(value);
    }
    expect(() => jsonParam(undefined)).toThrow(/not representable/);
  });

  it('refuses an int8 a JS number cannot hold exactly, and stays usable', async () => {
    const db = getDb();
    await expect(db.query('select 9007199254740993::int8 as big')).rejects.toThrow(/safe integer range/);
    expect((await db.query('select 9007199254740993::int8::text as big')).rows).toEqual([{ big: '9007199254740993' }]);
  });

  it('reports SQL errors with the same SQLSTATE and constraint', async () => {
    const db = getDb();
    const insertToken =
      `insert into tokens (id, name, hash, grants) values ($1, $2, $3, ` +
      `'[{"role":"deployer","environments":"*"}]')`;
    await db.query(insertToken, ['tok_1', 'ci', 'hash-1']);
    const error = await db.query(insertToken, ['tok_2', 'ci2', 'hash-1']).catch((e: unknown) => e);
    expect(sqlErrorOf(error)).toMatchObject({ code: '23505', constraint: 'tokens_hash_key' });
    expect(isUniqueViolation(error, 'tokens_hash_key')).toBe(true);
    expect(isUniqueViolation(error, 'other')).toBe(false);
    expect(sqlErrorOf(await db.query('select nope').catch((e: unknown) => e))?.code).toBe('42703');
  });

  it('commits a transaction that resolves', async () => {
    const db = getDb();
    const result = await db.transaction(async (tx) => {
      await tx.query(...insertProject());
      return (await tx.query('select count(*) as n from projects')).rows[0];
    });
    expect(result).toEqual({ n: 1 });
    expect((await db.query('select name from projects')).rows).toEqual([{ name: 'harbor' }]);
  });

  it('rolls back a transaction that throws, and rethrows the same error', async () => {
    const db = getDb();
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query(...insertProject());
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await db.query('select count(*) as n from projects')).rows).toEqual([{ n: 0 }]);
  });

  it('rolls back and rejects when a failed statement was swallowed inside the transaction', async () => {
    const db = getDb();
    const outcome = db.transaction(async (tx) => {
      await tx.query(...insertProject());
      await tx.query('select nope').catch(() => undefined);
      return 'looks fine';
    });
    await expect(outcome).rejects.toThrow(/rolled back: a statement in it failed/);
    expect((await db.query('select count(*) as n from projects')).rows).toEqual([{ n: 0 }]);
  });

  it('lets a transaction recover from a failed statement with a savepoint', async () => {
    const db = getDb();
    await db.transaction(async (tx) => {
      await tx.query(...insertProject());
      await tx.query('savepoint before_nope');
      await tx.query('select nope').catch(() => undefined);
      await tx.query('rollback to savepoint before_nope');
    });
    expect((await db.query('select count(*) as n from projects')).rows).toEqual([{ n: 1 }]);
  });

  it('refuses the Db inside its own transaction instead of deadlocking, and tx after the end', async () => {
    const db = getDb();
    const misuse = db.transaction(async (tx) => {
      await tx.query(...insertProject());
      await db.query('select 1');
    });
    await expect(misuse).rejects.toThrow(/inside db.transaction\(\); use the tx argument/);
    await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toBeInstanceOf(StoreError);
    expect((await db.query('select count(*) as n from projects')).rows).toEqual([{ n: 0 }]);
    let leaked: { query(sql: string): Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query('select 1')).rejects.toThrow(/already finished/);
    // Work started inside a transaction but run after it is an ordinary Db call again.
    expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('closes idempotently and refuses use after close', async () => {
    const db = getDb();
    await db.close();
    await db.close();
    await expect(db.query('select 1')).rejects.toThrow(/after db.close\(\)/);
    await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(StoreError);
  });
});

describeEachDriver(
  'schema migrations',
  (getDb) => {
    let scratch: string;
    // The mechanism is tested on the first schema file alone, so later schema files do not change these figures.
    let schemaDir: string;
    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'slipway-schema-'));
      schemaDir = join(scratch, 'spine-only');
      await mkdir(schemaDir);
      await cp(join(fileURLToPath(defaultSchemaDir), '001_spine.sql'), join(schemaDir, '001_spine.sql'));
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });
    /** A schema folder: the shipped files plus `extra` files (name → SQL). */
    const schemaWith = async (label: string, extra: Record<string, string>) => {
      const dir = join(scratch, label);
      await cp(schemaDir, dir, { recursive: true });
      for (const [file, sql] of Object.entries(extra)) await writeFile(join(dir, file), sql);
      return dir;
    };

    it('applies the spine schema once and nothing on the second run', async () => {
      const db = getDb();
      expect(await migrate(db, { schemaDir })).toEqual({ version: 1, applied: [{ version: 1, name: 'spine' }] });
      const tables = await db.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        'deployments',
        'events',
        'instances',
        'projects',
        'releases',
        'service_state',
        'slipway_schema_migrations',
        'tokens',
        'traffic',
      ]);
      expect(await migrate(db, { schemaDir })).toEqual({ version: 1, applied: [] });
      const recorded = await db.query('select version, name, applied_at from slipway_schema_migrations');
      expect(recorded.rows).toEqual([{ version: 1, name: 'spine', applied_at: expect.any(Date) }]);
    });

    it('refuses a database whose applied migration was edited', async () => {
      const db = getDb();
      await migrate(db, { schemaDir });
      const edited = await schemaWith('edited', {});
      await writeFile(join(edited, '001_spine.sql'), '-- edited\ncreate table nothing (a int);');
      await expect(migrate(db, { schemaDir: edited })).rejects.toThrow(
        /001_spine\.sql was changed after it was applied/,
      );
    });

    it('refuses a database migrated by a newer slipway', async () => {
      const db = getDb();
      const newer = await schemaWith('newer', { '002_approvals.sql': 'create table approvals (id text primary key);' });
      expect((await migrate(db, { schemaDir: newer })).version).toBe(2);
      const error = await migrate(db, { schemaDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toBe(
        'database schema is at version 2, this slipway knows up to 1; upgrade slipway',
      );
    });

    it('applies nothing when one pending migration fails', async () => {
      const db = getDb();
      const broken = await schemaWith('broken', {
        '002_good.sql': 'create table good (id int);',
        '003_bad.sql': 'create table bad (id int); insert into missing_table values (1);',
      });
      await expect(migrate(db, { schemaDir: broken })).rejects.toThrow(
        /schema migration 003_bad\.sql failed: relation "missing_table" does not exist/,
      );
      const left = await db.query("select count(*) as n from information_schema.tables where table_schema = 'public'");
      expect(left.rows).toEqual([{ n: 0 }]);
      expect((await migrate(db, { schemaDir })).applied).toHaveLength(1);
    });
  },
  { migrated: false },
);
