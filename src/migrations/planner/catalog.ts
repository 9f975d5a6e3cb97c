/**
 * A snapshot of everything a migration can change in a database's schema, as a map from a
 * stable object key (`column public.vessels.tonnage`) to a normalised definition. Two
 * snapshots are compared with `diffCatalogs`; the planner takes one after every step.
 */
import { catalogQuery } from './catalog-query.js';

/** Object key → normalised definition. Keys look like `table public.vessels`, `index public.vessels_name_idx`. */
export type CatalogSnapshot = ReadonlyMap<string, string>;

/** What the snapshot needs of a connection; PGlite, `pg.Client` and the store's `Db` all fit. */
export interface CatalogQueryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface SnapshotOptions {
  /** Tables left out with their columns, indexes, constraints, triggers and owned sequences: `name` (any schema) or
   * `schema.name`. */
  excludeTables?: string[];
}

interface CatalogRow {
  key: string;
  def: string | null;
  owner_schema: string | null;
  owner_table: string | null;
}

/**
 * Reads the user schema of a database in one query.
 * Example: `const before = await snapshotCatalog(db, { excludeTables: ['slipway_migration_history'] })`
 */
export async function snapshotCatalog(q: CatalogQueryable, options: SnapshotOptions = {}): Promise<CatalogSnapshot> {
  return toSnapshot((await q.query(catalogQuery)).rows, options);
}

const statementName = 'slipway_catalog_snapshot';

/**
 * For many snapshots on one session (a dry run takes one per step): the query is prepared once,
 * which saves planning it every time (on PGlite about two thirds of a snapshot's cost).
 * Prepared statements outlive transactions, so this must not be used on a pooled connection.
 */
export async function preparedSnapshots(
  q: CatalogQueryable,
  options: SnapshotOptions = {},
): Promise<() => Promise<CatalogSnapshot>> {
  const prepare = () => q.query(`PREPARE ${statementName} AS ${catalogQuery}`);
  await prepare();
  return async () => {
    try {
      return toSnapshot((await q.query(`EXECUTE ${statementName}`)).rows, options);
    } catch (e) {
      // A migration may DEALLOCATE ALL; prepare again rather than fail the dry run.
      if ((e as { code?: unknown }).code !== '26000') throw e;
      await prepare();
      return toSnapshot((await q.query(`EXECUTE ${statementName}`)).rows, options);
    }
  };
}

function toSnapshot(rows: unknown[], options: SnapshotOptions): CatalogSnapshot {
  const excluded = new Set(options.excludeTables ?? []);
  const snapshot = new Map<string, string>();
  for (const row of rows as CatalogRow[]) {
    if (
      row.owner_table !== null &&
      (excluded.has(row.owner_table) || excluded.has(`${row.owner_schema}.${row.owner_table}`))
    )
      continue;
    snapshot.set(row.key, row.def ?? '');
  }
  return snapshot;
}
