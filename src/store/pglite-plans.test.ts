import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './db.js';
import { openPglite } from './pglite-driver.js';

const join = `update planned p set n = p.n + 1 from jsonb_to_recordset($1::jsonb) as x(id int) where p.id = x.id`;

describe('PGlite: statements planned at every execution', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  for (const thread of [false, true]) {
    const where = thread ? 'in its thread' : 'in process';
    it(`${where}: a statement prepared on a small table keeps no generic plan`, async () => {
      db = await openPglite({ thread });
      await db.query('create table planned (id int primary key, n int not null default 0)');
      await db.query('insert into planned (id) select generate_series(1, 10)');
      // PostgreSQL's default: custom plans for five executions, then the generic one (made for ten rows) for good.
      for (let i = 0; i < 8; i++) await db.query(join, [JSON.stringify([{ id: 1 + (i % 10) }])]);
      await db.query('insert into planned (id) select generate_series(11, 20000)');
      for (let i = 0; i < 4; i++) await db.query(join, [JSON.stringify([{ id: 15000 + i }])]);
      const { rows } = await db.query<{ generic_plans: number; custom_plans: number }>(
        'select generic_plans::int, custom_plans::int from pg_prepared_statements where statement = $1',
        [join],
      );
      expect(rows).toEqual([{ generic_plans: 0, custom_plans: 12 }]);
      const moved = await db.query<{ n: number }>('select sum(n)::int as n from planned');
      expect(moved.rows[0]!.n).toBe(12);
    });
  }
});
