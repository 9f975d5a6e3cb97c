/**
 * The history table in the target database: one row per migration that ran or is running.
 * A transactional migration's row is written in the migration's own transaction, so it exists
 * exactly when the migration's changes do. A non-transactional one's row is written before
 * its first statement ('partial') and advanced after each, so a re-run knows where to resume.
 */
import type pg from 'pg';
import type { Migration } from '../types.js';

export const historyTable = 'public.slipway_migration_history';

export type HistoryState = 'applied' | 'partial';

export interface HistoryRow {
  version: number;
  id: string;
  checksum: string;
  phase: string | null;
  state: HistoryState;
  /** Statements of a non-transactional migration that completed (all of them once applied). */
  statementsDone: number;
  /** The release version that applied it, when a deployment did. */
  release: string | null;
  appliedAt: Date;
  durationMs: number;
  /** `user@host pid N`. */
  appliedBy: string;
}

/** What the runner writes besides the migration itself. */
export interface HistoryMeta {
  release: string | null;
  appliedBy: string;
}

const createTable = `
create table if not exists ${historyTable} (
  version         integer primary key,
  id              text not null,
  checksum        text not null,
  phase           text null,
  state           text not null check (state in ('applied', 'partial')),
  statements_done integer not null default 0,
  release         text null,
  applied_at      timestamptz not null default now(),
  duration_ms     integer not null default 0,
  applied_by      text not null
)`;

/**
 * Creates the table when missing. Runners create it under the migration lock; should anything
 * else race on it, CREATE TABLE IF NOT EXISTS can still fail on the catalog's unique index
 * (23505), as duplicate_table (42P07), or on the table's row type created a moment before by the other session
 * (42710, `type "slipway_migration_history" already exists`, seen in a CI run) — each means "it exists now", which
 * is the goal.
 */
const alreadyThere = new Set(['23505', '42P07', '42710']);

export async function ensureHistory(client: pg.ClientBase): Promise<void> {
  try {
    await client.query(createTable);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!alreadyThere.has(code ?? '') || !(await historyExists(client))) throw error;
  }
}

/** Whether the table exists (without creating it: `status` is read-only). */
export async function historyExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(`select to_regclass('${historyTable}') is not null as found`);
  return rows[0]?.found === true;
}

/** Every row, oldest version first. */
export async function readHistory(client: pg.ClientBase): Promise<HistoryRow[]> {
  const { rows } = await client.query<HistoryRow>(
    `select version, id, checksum, phase, state, statements_done as "statementsDone", release,
            applied_at as "appliedAt", duration_ms as "durationMs", applied_by as "appliedBy"
       from ${historyTable} order by version`,
  );
  return rows;
}

/** A transactional migration, recorded inside its own transaction. */
export async function recordApplied(
  client: pg.ClientBase,
  migration: Migration,
  meta: HistoryMeta,
  durationMs: number,
): Promise<void> {
  await client.query(
    `insert into ${historyTable} (version, id, checksum, phase, state, statements_done, release, duration_ms,
      applied_by)
     values ($1, $2, $3, $4, 'applied', $5, $6, $7, $8)`,
    [
      migration.version,
      migration.id,
      migration.checksum,
      migration.phase,
      0,
      meta.release,
      Math.round(durationMs),
      meta.appliedBy,
    ],
  );
}

/** A non-transactional migration, before its first statement runs. */
export async function recordStarted(client: pg.ClientBase, migration: Migration, meta: HistoryMeta): Promise<void> {
  await client.query(
    `insert into ${historyTable} (version, id, checksum, phase, state, statements_done, release, applied_by)
     values ($1, $2, $3, $4, 'partial', 0, $5, $6)`,
    [migration.version, migration.id, migration.checksum, migration.phase, meta.release, meta.appliedBy],
  );
}

/** After each statement of a non-transactional migration. */
export async function recordProgress(client: pg.ClientBase, version: number, statementsDone: number): Promise<void> {
  await client.query(`update ${historyTable} set statements_done = $2 where version = $1`, [version, statementsDone]);
}

/** A non-transactional migration whose last statement completed. */
export async function recordCompleted(
  client: pg.ClientBase,
  version: number,
  statementsDone: number,
  meta: HistoryMeta,
  durationMs: number,
): Promise<void> {
  await client.query(
    `update ${historyTable}
        set state = 'applied', statements_done = $2, release = $3, applied_by = $4, duration_ms = $5, applied_at = now()
      where version = $1`,
    [version, statementsDone, meta.release, meta.appliedBy, Math.round(durationMs)],
  );
}

/** A rolled-back migration, deleted in the transaction of its down script. */
export async function deleteHistoryRow(client: pg.ClientBase, version: number): Promise<void> {
  await client.query(`delete from ${historyTable} where version = $1`, [version]);
}
