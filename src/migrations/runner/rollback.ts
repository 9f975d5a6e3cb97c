/**
 * `slipway migrate rollback`: runs down scripts, newest first, each in a transaction that also
 * deletes its history row. Irreversible and partly applied migrations are refused before any
 * down script runs.
 */
import { loadParser } from '../linter/parse.js';
import { MigrationError } from '../errors.js';
import type { Migration } from '../types.js';
import { eventSink, type RunnerEventSink } from './events.js';
import { runFailure, scriptFailure } from './failures.js';
import { deleteHistoryRow, type HistoryRow } from './history.js';
import { checkedCount, checkedRetries, checkedTimeouts, orderedMigrations, type RetryPolicy } from './options.js';
import { StepFailure, type RunContext } from './run-context.js';
import { runStatements } from './run-statements.js';
import { runInTransaction } from './run-transaction.js';
import { prepareScript, type Script } from './script.js';
import { openMigrationSession } from './session.js';

export interface RollbackOptions {
  url: string;
  migrations: Migration[];
  /** How many applied migrations to roll back, newest first; default 1. */
  steps?: number;
  /** Roll back every migration above this version instead (0: all). */
  to?: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  retries?: RetryPolicy;
  waitForLockMs?: number;
  onEvent?: RunnerEventSink;
}

export interface RollbackResult {
  /** Ids of the migrations rolled back, in the order they were (newest first). */
  rolledBack: string[];
  durationMs: number;
}

/**
 * Rolls back the newest `steps` migrations (or all above `to`) with their down scripts.
 * Example: `await rollbackMigrations({ url, migrations, steps: 1, lockTimeoutMs: 2000, statementTimeoutMs: 600_000 })`
 */
export async function rollbackMigrations(options: RollbackOptions): Promise<RollbackResult> {
  const started = Date.now();
  const migrations = orderedMigrations(options.migrations);
  const timeouts = checkedTimeouts(options);
  const retries = checkedRetries(options.retries);
  if (options.steps !== undefined && options.to !== undefined)
    throw new MigrationError('invalid_input', 'give either steps or to, not both');
  const steps = checkedCount('steps', options.steps, 1) ?? 1;
  const to = checkedCount('to', options.to, 0);
  await loadParser();
  const emit = eventSink(options.onEvent);
  const session = await openMigrationSession(options.url, migrations, {
    waitForLockMs: checkedCount('waitForLockMs', options.waitForLockMs, 0) ?? 0,
    emit,
  });
  const ctx: RunContext = { conn: session.conn, timeouts, retries, emit };
  const rolledBack: string[] = [];
  try {
    const newestFirst = [...session.history].reverse();
    const chosen = to === undefined ? newestFirst.slice(0, steps) : newestFirst.filter((row) => row.version > to);
    const files = new Map(migrations.map((m) => [m.version, m]));
    const work = chosen.map((row) => ({ row, migration: files.get(row.version)! }));
    refuseUndoable(work);
    const scripts = work.map(({ migration }) => prepareScript(migration.down!, migration.downPath!));
    for (const [i, { migration }] of work.entries()) {
      const began = Date.now();
      emit({
        type: 'migration-started',
        migration: migration.id,
        message: `${migration.id}: rolling back with ${migration.downPath}`,
      });
      try {
        await runDown(ctx, migration, scripts[i]!);
      } catch (error) {
        const failure = runFailure(ctx, `rolling back ${migration.id}`, error);
        emit({
          type: 'migration-failed',
          migration: migration.id,
          message: failure.message,
          durationMs: Date.now() - began,
        });
        throw failure;
      }
      rolledBack.push(migration.id);
      emit({
        type: 'rolled-back',
        migration: migration.id,
        message: `${migration.id} rolled back on ${ctx.conn.address.display} in ${Date.now() - began} ms`,
        durationMs: Date.now() - began,
      });
    }
    return { rolledBack, durationMs: Date.now() - started };
  } finally {
    await session.close();
  }
}

/** Every refusal at once, before any down script runs. verifyHistory already made sure each row has its file. */
function refuseUndoable(work: { row: HistoryRow; migration: Migration }[]): void {
  const problems: string[] = [];
  for (const { row, migration } of work) {
    if (row.state === 'partial')
      problems.push(
        `${migration.upPath} is only partly applied (${row.statementsDone} statement(s)); run apply again to finish ` +
          `it before rolling it back`,
      );
    else if (migration.down === null || migration.downPath === null)
      problems.push(
        `${migration.upPath} is irreversible (no ${migration.id}.down.sql); it cannot be rolled back — write a new ` +
          `migration that undoes it`,
      );
  }
  if (problems.length > 0)
    throw new MigrationError('conflict', `refusing to roll back: ${problems.join('; ')}`, { problems });
}

/**
 * The down script and the history row's deletion in one transaction. A down script holding
 * CONCURRENTLY (e.g. DROP INDEX CONCURRENTLY) cannot: its statements run one by one and the row
 * is deleted after the last; a failure in between keeps the row, so such down scripts should be
 * re-runnable (IF EXISTS).
 */
async function runDown(ctx: RunContext, migration: Migration, script: Script): Promise<void> {
  try {
    if (script.transactional) {
      await runInTransaction(ctx, migration.id, script, (client) => deleteHistoryRow(client, migration.version));
      return;
    }
    let done = 0;
    try {
      await runStatements(ctx, migration.id, script, { from: 0, after: async () => void done++ });
    } catch (error) {
      if (error instanceof StepFailure)
        throw scriptFailure(
          ctx,
          script,
          error,
          `${done} of ${script.statements.length} statement(s) of the down script ran; ${migration.id} is still ` +
            `recorded as applied — fix the cause and roll back again`,
        );
      throw error;
    }
    await deleteHistoryRow(ctx.conn.client, migration.version);
  } catch (error) {
    if (error instanceof StepFailure)
      throw scriptFailure(ctx, script, error, `the transaction was rolled back; ${migration.id} is still applied`);
    throw error;
  }
}
