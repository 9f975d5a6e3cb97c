/**
 * `slipway migrate status`: each migration file against the history table. Read-only: no lock
 * (it must answer while a runner holds it) and no table creation (a database never migrated
 * shows everything pending).
 */
import type { Migration } from '../types.js';
import { openRunnerConnection } from './connection.js';
import { runFailure } from './failures.js';
import { historyExists, readHistory, type HistoryRow } from './history.js';
import { orderedMigrations } from './options.js';

export type MigrationState = 'applied' | 'pending' | 'partial' | 'drift' | 'missing-file';

export interface StatusRow {
  version: number;
  id: string;
  state: MigrationState;
  appliedAt?: Date;
  release?: string | null;
  /** False when the file differs from what was applied, or when there is no file to compare. */
  checksumOk: boolean;
  /** sha256 of the up script: as the history recorded it once applied, the file's while pending. */
  checksum: string;
  /** How long it took to apply (history rows). */
  durationMs?: number;
  /** For 'partial' (and drifted partial) rows: how many statements are done. */
  statementsDone?: number;
  /** The up script's path, when there is a file. */
  file?: string;
}

/**
 * The state of every migration, files and history rows together, by version.
 * Example: `for (const row of await migrationStatus({ url, migrations })) console.log(row.id, row.state)`
 */
export async function migrationStatus(options: { url: string; migrations: Migration[] }): Promise<StatusRow[]> {
  const migrations = orderedMigrations(options.migrations);
  const conn = await openRunnerConnection(options.url);
  let history: HistoryRow[];
  try {
    history = (await historyExists(conn.client)) ? await readHistory(conn.client) : [];
  } catch (error) {
    throw runFailure({ conn }, 'reading the history table', error);
  } finally {
    await conn.close();
  }
  return statusRows(migrations, history);
}

/** The highest version applied completely (0 for a database never migrated): what is pending starts above it. */
export function lastApplied(rows: StatusRow[]): number {
  return rows.reduce((last, row) => (row.state === 'applied' && row.version > last ? row.version : last), 0);
}

/** Pure: the status of files and rows (exported for unit tests). */
export function statusRows(migrations: Migration[], history: HistoryRow[]): StatusRow[] {
  const rows = new Map(history.map((row) => [row.version, row]));
  const out: StatusRow[] = migrations.map((m) => {
    const row = rows.get(m.version);
    if (!row)
      return { version: m.version, id: m.id, state: 'pending', checksumOk: true, checksum: m.checksum, file: m.upPath };
    const checksumOk = row.checksum === m.checksum && row.id === m.id;
    const state: MigrationState = !checksumOk ? 'drift' : row.state;
    return {
      version: m.version,
      id: m.id,
      state,
      appliedAt: row.appliedAt,
      release: row.release,
      checksumOk,
      checksum: row.checksum,
      durationMs: row.durationMs,
      file: m.upPath,
      ...(row.state === 'partial' ? { statementsDone: row.statementsDone } : {}),
    };
  });
  const files = new Set(migrations.map((m) => m.version));
  for (const row of history) {
    if (!files.has(row.version))
      out.push({
        version: row.version,
        id: row.id,
        state: 'missing-file',
        appliedAt: row.appliedAt,
        release: row.release,
        checksumOk: false,
        checksum: row.checksum,
        durationMs: row.durationMs,
      });
  }
  return out.sort((a, b) => a.version - b.version);
}
