import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../linter/parse.js';
import { runShadowScript } from './shadow-script.js';

describe('runShadowScript: one transaction per migration, unless a statement forbids it', () => {
  let db: PGlite;
  beforeAll(async () => {
    await loadParser();
    db = new PGlite();
    await db.waitReady;
  });
  afterAll(() => db.close());

  const exists = async (name: string) =>
    (await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [name])).rows[0]!.t !== null;

  it('rolls back the whole migration when a later statement fails', async () => {
    const outcome = await runShadowScript(
      db,
      'a.up.sql',
      parseSql('create table first_one (id int);\ncreate table second_one (id int references nowhere (id));'),
    );
    expect(outcome).toMatchObject({ ok: false, error: { file: 'a.up.sql', line: 2, col: 1, code: '42P01' } });
    expect(await exists('first_one')).toBe(false);
    // And the session is usable afterwards: no transaction left open.
    await db.exec('create table after_failure (id int)');
    expect(await exists('after_failure')).toBe(true);
  });

  it(
    'runs a migration with CONCURRENTLY statement by statement, so earlier statements stay when a later one ' + 'fails',
    async () => {
      const sql =
        'create table kept (id int);\ncreate index concurrently kept_id_idx on kept (id);\ncreate table broken (id ' +
        'int references nowhere (id));';
      const outcome = await runShadowScript(db, 'b.up.sql', parseSql(sql));
      expect(outcome).toMatchObject({
        ok: false,
        error: { line: 3 },
        rewritten: [{ file: 'b.up.sql', line: 2, col: 1 }],
      });
      expect(await exists('kept')).toBe(true);
      expect(await exists('kept_id_idx')).toBe(true);
    },
  );

  it('reports a script that does not parse as a failure at its position, running nothing', async () => {
    const outcome = await runShadowScript(db, 'c.up.sql', parseSql('create table never (id int);\ncreate tabel oops;'));
    expect(outcome).toEqual({
      ok: false,
      error: { file: 'c.up.sql', line: 2, col: 8, message: 'syntax error at or near "tabel"' },
      rewritten: [],
    });
    expect(await exists('never')).toBe(false);
  });
});
