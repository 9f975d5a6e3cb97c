/**
 * What a restore would throw away: rows written after the backup's release had migrated. A row's
 * xmin is the transaction that wrote it (insert or update), so rows whose xmin is newer than the
 * transaction id recorded then were written since; a net drop in a table's row count means rows
 * were deleted. Frozen rows (old ones) never count. Exact for inserts and updates, a lower bound
 * for deletes.
 */
import type pg from 'pg';
import { historyTable } from '../runner/history.js';
import type { BackupManifest } from './manifest.js';
import { canonicalTable } from './client.js';

export interface LaterWrites {
  total: number;
  tables: { table: string; written: number; deleted: number }[];
}

/** The tables a restore of this backup replaces, as they exist now (quoted). */
async function replacedTables(client: pg.Client, manifest: BackupManifest): Promise<string[]> {
  if (manifest.scope === 'touched') {
    return [...manifest.tables, ...manifest.absent].filter((t) => t !== historyTable);
  }
  const { rows } = await client.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
       and n.nspname not like 'pg\\_%'
       and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
     order by 1`,
  );
  return rows.map((r) => r.name);
}

export async function laterWrites(client: pg.Client, manifest: BackupManifest): Promise<LaterWrites> {
  // xmin is a 32-bit transaction id; the recorded one is 64-bit (epoch + xid).
  const since = (BigInt(manifest.afterMigrations?.xid ?? manifest.xid) % 2n ** 32n).toString();
  const before = manifest.afterMigrations?.rows ?? {};
  const tables: LaterWrites['tables'] = [];
  for (const listed of await replacedTables(client, manifest)) {
    const table = await canonicalTable(client, listed);
    if (!table || table === historyTable) continue;
    // The name is the catalog's own, quoted by format('%I'): safe to place in the statement.
    const { rows } = await client.query<{ written: string; n: string }>(
      `select count(*) filter (where age(xmin) <= age($1::text::xid))::text as written, count(*)::text as n
       from ${table}`,
      [since],
    );
    const written = Number(rows[0]!.written);
    const n = Number(rows[0]!.n);
    // A net drop since the migrations: rows deleted (at least that many).
    const deleted = before[table] === undefined ? 0 : Math.max(0, before[table] - n);
    if (written > 0 || deleted > 0) tables.push({ table, written, deleted });
  }
  return { total: tables.reduce((sum, t) => sum + t.written + t.deleted, 0), tables };
}

/** "37 rows (policies: 35 written, vessels: 2 deleted)". */
export function describeLaterWrites(w: LaterWrites): string {
  const parts = w.tables.map(
    (t) =>
      `${t.table}: ${[t.written ? `${t.written} inserted or updated` : '', t.deleted ? `${t.deleted} deleted` : '']
        .filter(Boolean)
        .join(', ')}`,
  );
  return `${w.total} row${w.total === 1 ? '' : 's'} (${parts.join('; ')})`;
}
