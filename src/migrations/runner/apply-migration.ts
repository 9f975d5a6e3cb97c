/**
 * Applying one migration, in one of two ways: in a transaction with its history row (the
 * usual case), or — when it holds a statement PostgreSQL refuses in a transaction — statement
 * by statement with its progress recorded, resuming a 'partial' row where it stopped.
 */
import type { Migration } from '../types.js';
import { scriptFailure } from './failures.js';
import {
  recordApplied,
  recordCompleted,
  recordProgress,
  recordStarted,
  type HistoryMeta,
  type HistoryRow,
} from './history.js';
import { dropInvalidIndex, inspectIndex } from './invalid-index.js';
import { isConnectionFailure } from './pg-failure.js';
import { StepFailure, type RunContext } from './run-context.js';
import { runStatements } from './run-statements.js';
import { runInTransaction } from './run-transaction.js';
import type { Script, ScriptStatement } from './script.js';

export interface ApplyContext extends RunContext {
  meta: HistoryMeta;
}

/** The migration and its history row in one transaction; on failure nothing of it remains. */
export async function applyInTransaction(ctx: ApplyContext, migration: Migration, script: Script): Promise<void> {
  const started = Date.now();
  try {
    await runInTransaction(ctx, migration.id, script, (client) =>
      recordApplied(client, migration, ctx.meta, Date.now() - started),
    );
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    ctx.emit({
      type: 'rolled-back',
      migration: migration.id,
      message: `${migration.id}: transaction rolled back; nothing of it was applied`,
    });
    throw scriptFailure(ctx, script, error, 'the transaction was rolled back and the history is unchanged');
  }
}

/**
 * Statement by statement: a 'partial' row first, progress after each statement, 'applied' at
 * the end. `row` is the 'partial' row of an earlier run, if any: its done statements are skipped.
 * A crash between a statement and its progress record re-runs that statement, so write
 * non-transactional migrations to be re-runnable (IF NOT EXISTS); CREATE INDEX CONCURRENTLY is
 * handled here either way.
 */
export async function applyStatementByStatement(
  ctx: ApplyContext,
  migration: Migration,
  script: Script,
  row: HistoryRow | undefined,
): Promise<void> {
  const client = ctx.conn.client;
  const started = Date.now();
  const total = script.statements.length;
  const from = Math.min(row?.statementsDone ?? 0, total);
  let done = from;
  if (!row) await recordStarted(client, migration, ctx.meta);
  try {
    await runStatements(ctx, migration.id, script, {
      from,
      before: async (statement, attempt) => {
        // Only a statement that already ran once can have left an index behind.
        const mayHaveRun = attempt > 1 || (row !== undefined && statement.index === from);
        return mayHaveRun ? clearFailedBuild(ctx, migration, script, statement) : 'run';
      },
      after: async (statement, skipped) => {
        done = statement.index + 1;
        await recordProgress(client, migration.version, done);
        const what = skipped ? 'already in place from an earlier run' : 'applied';
        ctx.emit({
          type: 'statement-applied',
          migration: migration.id,
          message: `${migration.id}: statement ${done} of ${total} (${script.file}:${statement.line}) ${what}`,
        });
      },
    });
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    const leftover = await leftoverNote(ctx, error);
    throw scriptFailure(
      ctx,
      script,
      error,
      `${done} of ${total} statement(s) done and recorded as 'partial' in slipway_migration_history${leftover}; fix ` +
        `the cause and run apply again to resume`,
    );
  }
  await recordCompleted(client, migration.version, total, ctx.meta, Date.now() - started);
}

/** Before re-running a CREATE INDEX CONCURRENTLY: drop its invalid leftover, or skip it when it was built after all. */
async function clearFailedBuild(
  ctx: ApplyContext,
  migration: Migration,
  script: Script,
  statement: ScriptStatement,
): Promise<'run' | 'skip'> {
  if (!statement.concurrentIndex) return 'run';
  const found = await inspectIndex(ctx.conn.client, statement.concurrentIndex);
  if (found.state === 'valid') return 'skip';
  if (found.state === 'invalid') {
    await dropInvalidIndex(ctx.conn.client, found.qualifiedName);
    ctx.emit({
      type: 'invalid-index-dropped',
      migration: migration.id,
      message:
        `${migration.id}: dropped the INVALID index ${found.qualifiedName} left by a failed CREATE INDEX ` +
        `CONCURRENTLY (${script.file}:${statement.line}); building it again`,
    });
  }
  return 'run';
}

async function leftoverNote(ctx: ApplyContext, failure: StepFailure): Promise<string> {
  const index = failure.statement?.concurrentIndex;
  if (!index || isConnectionFailure(failure.cause)) return '';
  const found = await inspectIndex(ctx.conn.client, index).catch(() => null);
  return found?.state === 'invalid'
    ? `; the INVALID index ${found.qualifiedName} it left is dropped and rebuilt on the re-run`
    : '';
}
