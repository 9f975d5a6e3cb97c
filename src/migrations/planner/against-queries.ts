/**
 * What a plan against a real database reads besides running the statements: the relation
 * locks its own backend holds, the names of relations (captured first, so a dropped table
 * still has a name), and the sizes of the tables it touched.
 */
import type pg from 'pg';

/** One lock from pg_locks; `mode` as PostgreSQL names it (`AccessExclusiveLock`). */
export interface RelationLock {
  relation: string;
  mode: string;
}

/** Oids below this are PostgreSQL's own objects (FirstNormalObjectId). */
const firstUserOid = 16384;

// Toast tables are listed too (named null), so a lock on the toast table of a dropped table is
// recognised as PostgreSQL's business rather than shown as an unknown relation.
const userRelations = `
  select c.oid::text as oid, case when n.nspname not like 'pg\\_toast%' then quote_ident(n.nspname) || '.' ||
    quote_ident(c.relname) end as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.oid >= ${firstUserOid} and n.nspname not in ('pg_catalog', 'information_schema')`;

/** oid → `schema.name` (null for toast tables) of every user relation, to name locks on relations the plan drops. */
export async function relationNames(client: pg.Client): Promise<Map<string, string | null>> {
  const { rows } = await client.query<{ oid: string; name: string | null }>(userRelations);
  return new Map(rows.map((r) => [r.oid, r.name]));
}

const heldLocks = `
  select l.relation::text as oid, l.mode,
    case when c.oid is not null then quote_ident(n.nspname) || '.' || quote_ident(c.relname) end as name
  from pg_locks l
  left join pg_class c on c.oid = l.relation
  left join pg_namespace n on n.oid = c.relnamespace
  where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted and l.relation >= ${firstUserOid}
    and coalesce(n.nspname, '') not in ('pg_catalog', 'information_schema') and coalesce(n.nspname, '') not like
      'pg\\_toast%'`;

/** A relation lock this session holds, with the relation's oid. */
export type HeldLock = RelationLock & { oid: string };

/**
 * The relation locks this session holds now, keyed `oid mode`. A relation no longer in the
 * catalog (dropped by the plan) is named from `known`, which learns every name seen here.
 */
export async function locksHeld(client: pg.Client, known: Map<string, string | null>): Promise<Map<string, HeldLock>> {
  const { rows } = await client.query<{ oid: string; mode: string; name: string | null }>(heldLocks);
  const locks = new Map<string, HeldLock>();
  for (const row of rows) {
    if (row.name !== null && !known.has(row.oid)) known.set(row.oid, row.name);
    const name = row.name ?? known.get(row.oid);
    if (name === null) continue;
    const relation = name ?? `relation ${row.oid} (created and dropped by this plan)`;
    locks.set(`${row.oid} ${row.mode}`, { oid: row.oid, relation, mode: row.mode });
  }
  return locks;
}

/** Size of one table; `rows` is PostgreSQL's estimate (reltuples, else the live-tuple counter before a first ANALYZE).
 * */
export interface TableSize {
  name: string;
  totalBytes: number;
  rows: number;
}

// A partitioned table holds no data itself: its size and rows are its partitions'.
const sizes = `
  with wanted as (
    select c.oid from pg_class c where c.oid = any($1::oid[])
    union select to_regclass(x)::oid from unnest($2::text[]) x
  ), tree as (
    select w.oid as root, p.relid from wanted w join pg_class c on c.oid = w.oid
    cross join lateral (select relid from pg_partition_tree(w.oid) union select w.oid) p
    where c.relkind in ('r', 'p', 'm')
  )
  select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name,
    sum(pg_total_relation_size(t.relid))::float8 as total_bytes,
    sum(case when pc.relkind = 'p' then 0 when pc.reltuples >= 0 then pc.reltuples else coalesce(s.n_live_tup, 0)
      end)::float8 as rows
  from tree t
  join pg_class c on c.oid = t.root join pg_namespace n on n.oid = c.relnamespace
  join pg_class pc on pc.oid = t.relid
  left join pg_stat_user_tables s on s.relid = t.relid
  group by n.nspname, c.relname
  order by 1`;

/** Sizes of the existing tables among `oids` and `names` (quoted, for to_regclass); others are ignored. */
export async function tableSizes(client: pg.Client, oids: string[], names: string[]): Promise<TableSize[]> {
  if (oids.length === 0 && names.length === 0) return [];
  const { rows } = await client.query<{ name: string; total_bytes: number; rows: number }>(sizes, [oids, names]);
  return rows.map((r) => ({ name: r.name, totalBytes: r.total_bytes, rows: Math.round(r.rows) }));
}
