import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreparedStatements } from './pglite-prepared.js';
import { installPgliteArrayParsers, pgliteParsers } from './type-parsers.js';

/** What PGlite's own query answers is the reference: the prepared path must answer the same, value for value. */
describe('PGlite through prepared statements', () => {
  let pglite: PGlite;
  let statements: PreparedStatements;

  beforeEach(async () => {
    pglite = new PGlite({ parsers: pgliteParsers });
    await pglite.waitReady;
    await installPgliteArrayParsers(pglite);
    statements = new PreparedStatements(pglite, 3);
    await pglite.exec(`create table t (id bigint primary key, name text, at timestamptz, doc jsonb, tags text[],
      bytes bytea, ok boolean)`);
  });
  afterEach(async () => {
    await pglite.close();
  });

  it('answers as PGlite.query does: parameters serialized by their type, values parsed by theirs', async () => {
    const at = new Date('2026-12-06T10:11:12.345Z');
    const params = [7, 'x', at, JSON.stringify({ a: [1, null] }), ['a', 'NULL', null], Buffer.from([0, 1, 255]), true];
    const insert = 'insert into t values ($1, $2, $3, $4, $5, $6, $7)';
    expect(await statements.query(insert, params)).toEqual({ rows: [], affectedRows: 1 });
    const select = 'select *, id + $1 as next, null::int as nothing from t where id = $2';
    const ours = await statements.query(select, [1, 7]);
    const theirs = await pglite.query(select, [1, 7]);
    expect(ours.rows).toEqual(theirs.rows);
    expect(ours.rows[0]).toMatchObject({ id: 7, name: 'x', at, doc: { a: [1, null] }, tags: ['a', 'NULL', null] });
    expect(ours.rows[0]).toMatchObject({ ok: true, next: 8, nothing: null, bytes: Buffer.from([0, 1, 255]) });
    // Again, now from the cache: the same answer.
    expect((await statements.query(select, [1, 7])).rows).toEqual(theirs.rows);
    expect(statements.size).toBe(2);
  });

  it('counts affected rows of updates and deletes, and returns rows of a returning clause', async () => {
    for (const id of [1, 2, 3]) await statements.query('insert into t (id, name) values ($1, $2)', [id, `n${id}`]);
    expect(await statements.query('update t set ok = true where id > $1 returning id', [1])).toEqual({
      rows: [{ id: 2 }, { id: 3 }],
      affectedRows: 2,
    });
    expect((await statements.query('delete from t where ok', [])).affectedRows).toBe(2);
  });

  it('keeps at most its capacity, closing the least recently used, and runs large statements unnamed', async () => {
    for (const n of [1, 2, 3, 4]) await statements.query(`select ${n} as n`);
    expect(statements.size).toBe(3);
    const prepared = async () =>
      (await pglite.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements')).rows[0]!.n;
    // The fourth's parse pushed the first out; its close went with the fourth's bind.
    expect(await prepared()).toBe(3);
    const values = Array.from({ length: 300 }, (_, i) => `($${i + 1}::int)`).join(', ');
    const big = await statements.query<{ column1: number }>(
      `select * from (values ${values}) v`,
      Array.from({ length: 300 }, (_, i) => i),
    );
    expect(big.rows).toHaveLength(300);
    expect(statements.size).toBe(3);
  });

  it('runs statements sent side by side one after the other, large unnamed ones too', async () => {
    const values = (n: number) => Array.from({ length: 250 }, (_, i) => `($${i + 1}::int + ${n})`).join(', ');
    const params = Array.from({ length: 250 }, (_, i) => i);
    const answers = await Promise.all(
      [0, 1000, 2000].map((n) =>
        statements.query<{ column1: number }>(`select * from (values ${values(n)}) v`, params),
      ),
    );
    expect(answers.map((a) => a.rows[0]!.column1)).toEqual([0, 1000, 2000]);
  });

  it('prepares again after DDL changed what a cached statement returns', async () => {
    await statements.query("insert into t (id, name) values (1, 'a')");
    expect((await statements.query('select * from t')).rows[0]).not.toHaveProperty('extra');
    await statements.exec('alter table t add column extra int default 5');
    expect((await statements.query('select * from t')).rows[0]).toMatchObject({ extra: 5 });
    // DDL that bypassed this cache: the stale plan's failure (0A000) is retried once, outside a transaction.
    await pglite.exec('alter table t add column more int default 6');
    expect((await statements.query('select * from t')).rows[0]).toMatchObject({ extra: 5, more: 6 });
  });

  it('fails with the SQL error and its code, and goes on working', async () => {
    await statements.query("insert into t (id, name) values (1, 'a')");
    await expect(statements.query("insert into t (id, name) values (1, 'b')")).rejects.toMatchObject({
      code: '23505',
      constraint: 't_pkey',
    });
    await expect(statements.query('select nope from t')).rejects.toMatchObject({ code: '42703' });
    expect((await statements.query('select name from t')).rows).toEqual([{ name: 'a' }]);
  });

  it('runs inside a transaction, which a failure aborts and a rollback undoes', async () => {
    await pglite.transaction(async (tx) => {
      await statements.query("insert into t (id, name) values (1, 'a')");
      await statements.exec("insert into t (id, name) values (2, 'b')", tx);
      await tx.rollback();
    });
    expect((await statements.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    await expect(
      pglite.transaction(async () => {
        await statements.query("insert into t (id, name) values (1, 'a')");
        await statements.query("insert into t (id, name) values (1, 'a')");
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await statements.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    expect(pglite.isInTransaction()).toBe(false);
  });
});
