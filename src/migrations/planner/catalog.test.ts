import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedSnapshots, snapshotCatalog, type CatalogSnapshot } from './catalog.js';

describe('snapshotCatalog on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite({ extensions: { citext } });
    await db.waitReady;
  });
  afterAll(() => db.close());

  /** Only the objects of one schema, so each test can build its own. */
  const inSchema = (snapshot: CatalogSnapshot, schema: string) =>
    Object.fromEntries([...snapshot].filter(([key]) => key.includes(` ${schema}.`) || key.endsWith(` ${schema}`)));

  it(
    'describes tables, columns (with position, typmod, default, identity, generated), indexes and ' + 'constraints',
    async () => {
      await db.exec(`
      create schema fleet;
      create table fleet.vessels (
        id bigint generated always as identity primary key,
        name varchar(80) not null,
        tonnage numeric(10,2) default 0,
        half numeric generated always as (tonnage / 2) stored,
        built date
      );
      create index vessels_name_idx on fleet.vessels (lower(name));
      alter table fleet.vessels add constraint vessels_tonnage_positive check (tonnage >= 0) not valid;
      create table fleet.berths (id serial primary key, vessel_id bigint references fleet.vessels (id));`);
      expect(inSchema(await snapshotCatalog(db), 'fleet')).toEqual({
        'schema fleet': 'schema',
        'table fleet.vessels': 'table',
        'column fleet.vessels.id': 'position 1 bigint not null generated always as identity',
        'column fleet.vessels.name': 'position 2 character varying(80) not null',
        'column fleet.vessels.tonnage': 'position 3 numeric(10,2) default 0',
        'column fleet.vessels.half': 'position 4 numeric generated always as ((tonnage / (2)::numeric)) stored',
        'column fleet.vessels.built': 'position 5 date',
        'index fleet.vessels_pkey': 'CREATE UNIQUE INDEX vessels_pkey ON fleet.vessels USING btree (id)',
        'index fleet.vessels_name_idx':
          'CREATE INDEX vessels_name_idx ON fleet.vessels USING btree (lower((name)::text))',
        'constraint fleet.vessels.vessels_pkey': 'PRIMARY KEY (id)',
        'constraint fleet.vessels.vessels_tonnage_positive': 'CHECK ((tonnage >= (0)::numeric)) NOT VALID',
        'table fleet.berths': 'table',
        'column fleet.berths.id': "position 1 integer not null default nextval('fleet.berths_id_seq'::regclass)",
        'column fleet.berths.vessel_id': 'position 2 bigint',
        'sequence fleet.berths_id_seq':
          'as integer start 1 increment 1 min 1 max 2147483647 cache 1 owned by fleet.berths.id',
        'index fleet.berths_pkey': 'CREATE UNIQUE INDEX berths_pkey ON fleet.berths USING btree (id)',
        'constraint fleet.berths.berths_pkey': 'PRIMARY KEY (id)',
        'constraint fleet.berths.berths_vessel_id_fkey': 'FOREIGN KEY (vessel_id) REFERENCES fleet.vessels(id)',
      });
    },
  );

  it('counts column positions among live columns only, as SELECT * sees them', async () => {
    await db.exec('create schema pos; create table pos.t (a int, b int, c int); alter table pos.t drop column b;');
    const snapshot = await snapshotCatalog(db);
    expect(snapshot.get('column pos.t.a')).toBe('position 1 integer');
    expect(snapshot.get('column pos.t.c')).toBe('position 2 integer');
    expect(snapshot.has('column pos.t.b')).toBe(false);
  });

  it(
    'describes enums in label order, composites, domains with their constraints, views, functions and ' + 'triggers',
    async () => {
      await db.exec(`
      create schema kinds;
      create type kinds.hull_class as enum ('steel', 'wood');
      alter type kinds.hull_class add value 'aluminium' before 'wood';
      create type kinds.coordinates as (lat double precision, lon double precision);
      create domain kinds.tonnage as numeric(10,2) default 0 constraint tonnage_positive check (value >= 0);
      create table kinds.ships (id int, hull kinds.hull_class);
      create view kinds.wooden as select id from kinds.ships where hull = 'wood';
      create materialized view kinds.counts as select hull, count(*) as n from kinds.ships group by hull;
      create function kinds.premium(rate integer) returns integer language sql immutable as 'select rate * 2';
      create procedure kinds.tidy() language sql as 'delete from kinds.ships where id is null';
      create function kinds.touch() returns trigger language plpgsql as $$ begin return new; end $$;
      create trigger ships_touch before update on kinds.ships for each row execute function kinds.touch();`);
      const kinds = inSchema(await snapshotCatalog(db), 'kinds');
      expect(kinds['type kinds.hull_class']).toBe("enum ('steel', 'aluminium', 'wood')");
      expect(kinds['type kinds.coordinates']).toBe('composite (lat double precision, lon double precision)');
      expect(kinds['type kinds.tonnage']).toBe(
        'domain over numeric(10,2) default 0 constraint tonnage_positive CHECK ((VALUE >= (0)::numeric))',
      );
      expect(kinds['view kinds.wooden']!.replace(/\s+/g, ' ').trim()).toBe(
        "SELECT id FROM kinds.ships WHERE hull = 'wood'::kinds.hull_class;",
      );
      expect(kinds['materialized view kinds.counts']).toContain('count(*) AS n');
      expect(kinds['function kinds.premium(rate integer)']).toContain('select rate * 2');
      expect(kinds['function kinds.premium(rate integer)']).toContain('IMMUTABLE');
      expect(kinds['procedure kinds.tidy()']).toContain('CREATE OR REPLACE PROCEDURE kinds.tidy()');
      // Keys quote what needs quoting, like PostgreSQL does.
      await db.exec('create table kinds."Position" (a int)');
      expect((await snapshotCatalog(db)).has('table kinds."Position"')).toBe(true);
      expect(kinds['trigger kinds.ships.ships_touch']).toBe(
        'CREATE TRIGGER ships_touch BEFORE UPDATE ON kinds.ships FOR EACH ROW EXECUTE FUNCTION kinds.touch()',
      );
      // The row type of a table and the array types are not objects of their own.
      expect(
        Object.keys(kinds)
          .filter((k) => k.startsWith('type '))
          .sort(),
      ).toEqual(['type kinds.coordinates', 'type kinds.hull_class', 'type kinds.tonnage']);
    },
  );

  it('lists an extension once, not the functions and types it brings', async () => {
    await db.exec('create extension citext');
    const snapshot = await snapshotCatalog(db);
    expect(snapshot.get('extension citext')).toMatch(/^version [\d.]+ in schema public$/);
    expect([...snapshot.keys()].filter((k) => k.includes('citext') && k !== 'extension citext')).toEqual([]);
  });

  it('leaves out excluded tables with everything that hangs off them, by bare or qualified name', async () => {
    await db.exec(`
      create schema hist;
      create table hist.slipway_migration_history (version int primary key, id serial, name text);
      create index history_name_idx on hist.slipway_migration_history (name);
      create table hist.kept (id int);`);
    const keys = (snapshot: CatalogSnapshot) => Object.keys(inSchema(snapshot, 'hist')).sort();
    const kept = ['column hist.kept.id', 'schema hist', 'table hist.kept'];
    expect(keys(await snapshotCatalog(db, { excludeTables: ['slipway_migration_history'] }))).toEqual(kept);
    expect(keys(await snapshotCatalog(db, { excludeTables: ['hist.slipway_migration_history'] }))).toEqual(kept);
    expect(keys(await snapshotCatalog(db, { excludeTables: ['other.slipway_migration_history'] }))).toContain(
      'index hist.history_name_idx',
    );
  });

  it('prepared snapshots read the same catalog, and see later changes', async () => {
    const snapshot = await preparedSnapshots(db);
    expect(await snapshot()).toEqual(await snapshotCatalog(db));
    await db.exec('create schema later; create table later.t (a int)');
    expect((await snapshot()).get('column later.t.a')).toBe('position 1 integer');
    await db.exec('DEALLOCATE ALL');
    expect((await snapshot()).has('table later.t')).toBe(true);
  });
});
