import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './db.js';
import { openPglite } from './pglite-driver.js';
import { plannedEachTime } from './plan-each-time.js';

const join = 'update planned p set n = p.n + 1 from jsonb_to_recordset($1::jsonb) as x(id int) where p.id = x.id';

describe('PGlite: statements marked to be planned at every execution', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  for (const thread of [false, true]) {
    const where = thread ? 'in its thread' : 'in process';
    it(`${where}: a marked statement never keeps the generic plan an unmarked one gets on a small table`, async () => {
      db = await openPglite({ thread });
      await db.query('create table planned (id int primary key, n int not null default 0)');
      await db.query('insert into planned (id) select generate_series(1, 10)');
      const run = (sql: string, id: number) => db!.query(sql, [JSON.stringify([{ id }])]);
      // PostgreSQL's default for a prepared statement: custom plans for five executions, then one generic plan, made
      // here for ten rows and kept however the table grows (PGlite never analyses it).
      for (let i = 0; i < 8; i++) {
        await run(join, 1 + (i % 10));
        await run(plannedEachTime(join), 1 + (i % 10));
      }
      await db.query('insert into planned (id) select generate_series(11, 20000)');
      for (let i = 0; i < 4; i++) await run(plannedEachTime(join), 15000 + i);
      const { rows } = await db.query<{ statement: string; generic_plans: number }>(
        'select statement, generic_plans::int from pg_prepared_statements where statement like $1',
        ['%jsonb_to_recordset%'],
      );
      // Only the unmarked statement is kept prepared, on its generic plan; the marked one is planned at each bind.
      expect(rows).toEqual([{ statement: join, generic_plans: 3 }]);
      const moved = await db.query<{ n: number }>('select sum(n)::int as n from planned');
      expect(moved.rows[0]!.n).toBe(20);
    });
  }
});
