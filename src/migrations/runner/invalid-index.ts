/**
 * A CREATE INDEX CONCURRENTLY that fails (duplicate values, lock_timeout, a killed runner)
 * leaves its index behind, marked INVALID: never used by queries, still maintained on every
 * write, and in the way of a re-run ("relation already exists", or silently kept by IF NOT
 * EXISTS). Before building again, the runner looks the index up and drops it if invalid.
 */
import type pg from 'pg';
import type { ConcurrentIndex } from './script.js';

export type IndexState = { state: 'absent' } | { state: 'valid' | 'invalid'; qualifiedName: string };

/** The index of that name in its table's schema (where PostgreSQL puts it), and whether it is valid. */
export async function inspectIndex(client: pg.ClientBase, index: ConcurrentIndex): Promise<IndexState> {
  const { rows } = await client.query<{ qualified: string; valid: boolean }>(
    `select format('%I.%I', n.nspname, c.relname) as qualified, x.indisvalid as valid
       from pg_class c
       join pg_index x on x.indexrelid = c.oid
       join pg_namespace n on n.oid = c.relnamespace
      where c.relname = $1
        and c.relnamespace = (select t.relnamespace from pg_class t
                               where t.oid = to_regclass(case when $2::text is null then quote_ident($3) else
                                 format('%I.%I', $2, $3) end))`,
    [index.name, index.schema, index.table],
  );
  const row = rows[0];
  if (!row) return { state: 'absent' };
  return { state: row.valid ? 'valid' : 'invalid', qualifiedName: row.qualified };
}

/** DROP INDEX CONCURRENTLY (not plain DROP: that would take an ACCESS EXCLUSIVE lock on the table). */
export async function dropInvalidIndex(client: pg.ClientBase, qualifiedName: string): Promise<void> {
  // qualifiedName comes from format('%I.%I') above: quoted by the server, safe to splice.
  await client.query(`drop index concurrently if exists ${qualifiedName}`);
}
