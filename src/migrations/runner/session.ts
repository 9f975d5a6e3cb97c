/**
 * The start every changing command shares, in this order: connect → take the lock → make sure
 * the history table exists → read it → verify it against the files. Nothing has run when any
 * of these refuses; the lock is released and the session closed on every way out.
 */
import { openRunnerConnection, type RunnerConnection } from './connection.js';
import type { RunnerEventSink } from './events.js';
import { runFailure } from './failures.js';
import { ensureHistory, readHistory, type HistoryRow } from './history.js';
import { acquireMigrationLock, releaseMigrationLock } from './lock.js';
import type { Migration } from '../types.js';
import { verifyHistory } from './verify.js';

export interface MigrationSession {
  conn: RunnerConnection;
  /** The history as found under the lock, verified against the files. */
  history: HistoryRow[];
  /** Releases the lock and ends the session; never throws. */
  close(): Promise<void>;
}

/** Opens a locked, verified session on the database at `url`. */
export async function openMigrationSession(
  url: string,
  migrations: Migration[],
  options: { waitForLockMs?: number; emit: RunnerEventSink },
): Promise<MigrationSession> {
  const conn = await openRunnerConnection(url);
  const close = async () => {
    await releaseMigrationLock(conn);
    await conn.close();
  };
  let step = `taking the migration lock on ${conn.address.display}`;
  try {
    await acquireMigrationLock(conn, options.waitForLockMs ?? 0);
    options.emit({
      type: 'lock-acquired',
      message: `migration lock on ${conn.address.display} acquired by ${conn.identity} (server pid ${conn.backendPid})`,
    });
    step = 'creating the history table';
    await ensureHistory(conn.client);
    step = 'reading the history table';
    const history = await readHistory(conn.client);
    verifyHistory(history, migrations, conn.address.display);
    return { conn, history, close };
  } catch (error) {
    await close();
    throw runFailure({ conn }, step, error);
  }
}
