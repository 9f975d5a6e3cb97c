/** A short-lived session for the backup's own questions (ids, row counts, checks); errors never carry the URL. */
import pg from 'pg';
import { parsePostgresUrl, scrubCredentials } from '../../store/postgres-address.js';
import { MigrationError } from '../errors.js';

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'slipway-backup',
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new MigrationError(
      'unavailable',
      `cannot connect to ${parsePostgresUrl(url).display}: ${scrubCredentials((e as Error).message, url)}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The first transaction id not yet started: every row with a newer xmin is written after this moment. */
export async function nextXid(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ xid: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as xid');
  return rows[0]!.xid;
}

/** `schema.table` as format('%I.%I') writes it (quoted only where needed), or undefined when there is no such table. */
export async function canonicalTable(client: pg.Client, table: string): Promise<string | undefined> {
  const { rows } = await client.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.oid = to_regclass($1)`,
    [table],
  );
  return rows[0]?.name;
}

/** Row counts of the tables that exist, keyed by their canonical names; missing tables are left out. */
export async function rowCounts(client: pg.Client, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const name = await canonicalTable(client, table);
    if (!name) continue;
    // The name is the catalog's own, quoted by format('%I'): safe to place in the statement.
    const counted = await client.query<{ n: string }>(`select count(*)::text as n from ${name}`);
    out[name] = Number(counted.rows[0]!.n);
  }
  return out;
}
