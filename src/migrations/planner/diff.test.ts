import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotCatalog } from './catalog.js';
import { describeDifference, diffCatalogs } from './diff.js';

describe('diffCatalogs on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite();
    await db.waitReady;
    await db.exec(`
      create table vessels (id int primary key, name text, tonnage integer default 0);
      create index vessels_name_idx on vessels (name);
      create function premium(rate integer) returns integer language plpgsql as $$
      begin
        -- a long body, so that only the part that differs is worth showing
        ${'perform 1;\n'.repeat(20)}
        return rate * 2;
      end $$;`);
  });
  afterAll(() => db.close());

  it('lists added, removed and changed objects, sorted by object', async () => {
    const before = await snapshotCatalog(db);
    await db.exec(`
      alter table vessels add column flag text;
      drop index vessels_name_idx;
      alter table vessels alter column tonnage type numeric(10,2);
      alter table vessels alter column tonnage set default 1;`);
    const after = await snapshotCatalog(db);
    expect(diffCatalogs(before, after)).toEqual([
      { object: 'column public.vessels.flag', change: 'added', after: 'position 4 text' },
      {
        object: 'column public.vessels.tonnage',
        change: 'changed',
        before: 'position 3 integer default 0',
        after: 'position 3 numeric(10,2) default 1',
      },
      {
        object: 'index public.vessels_name_idx',
        change: 'removed',
        before: 'CREATE INDEX vessels_name_idx ON public.vessels USING btree (name)',
      },
    ]);
    expect(diffCatalogs(after, after)).toEqual([]);
    // The other way round, additions become removals.
    expect(diffCatalogs(after, before).map((d) => `${d.object} ${d.change}`)).toEqual([
      'column public.vessels.flag removed',
      'column public.vessels.tonnage changed',
      'index public.vessels_name_idx added',
    ]);
  });

  it('describes a difference on one line, showing where a long definition differs', async () => {
    const before = await snapshotCatalog(db);
    await db.exec(`create or replace function premium(rate integer) returns integer language plpgsql as $$
      begin
        -- a long body, so that only the part that differs is worth showing
        ${'perform 1;\n'.repeat(20)}
        return rate * 3;
      end $$;`);
    const [changed] = diffCatalogs(before, await snapshotCatalog(db));
    const line = describeDifference(changed!);
    expect(line.startsWith('function public.premium(rate integer): changed (…')).toBe(true);
    expect(line).toContain('return rate * 2;');
    expect(line).toContain('return rate * 3;');
    expect(line).not.toContain('\n');
    expect(
      describeDifference({ object: 'column public.vessels.flag', change: 'added', after: 'position 4 text' }),
    ).toBe('column public.vessels.flag: added (position 4 text)');
    expect(
      describeDifference({
        object: 'index public.i',
        change: 'removed',
        before: 'CREATE INDEX i ON public.t USING btree (a)',
      }),
    ).toBe('index public.i: removed (was CREATE INDEX i ON public.t USING btree (a))');
    expect(
      describeDifference({
        object: 'column public.t.a',
        change: 'changed',
        before: 'position 1 integer',
        after: 'position 1 bigint',
      }),
    ).toBe('column public.t.a: changed (position 1 integer → position 1 bigint)');
  });
});
