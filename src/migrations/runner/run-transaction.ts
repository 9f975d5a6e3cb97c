/**
 * A script in one transaction: BEGIN, SET LOCAL timeouts, each statement, the history change,
 * COMMIT — so the history row exists exactly when the migration's changes do. Statements go
 * one by one (not as one string) so a failure names its own line even when the server gives
 * no position.
 */
import type pg from 'pg';
import { isLockTimeout } from './pg-failure.js';
import { withRetries } from './retry.js';
import { setTimeouts, StepFailure, type RunContext } from './run-context.js';
import type { Script, ScriptStatement } from './script.js';

/** Runs `script` then `finish` in one transaction, retried whole when lock_timeout expires; throws StepFailure after
 * ROLLBACK. */
export async function runInTransaction(
  ctx: RunContext,
  migration: string,
  script: Script,
  finish: (client: pg.ClientBase) => Promise<void>,
): Promise<void> {
  const client = ctx.conn.client;
  await withRetries(ctx.retries, retryHooks(ctx, migration, script), async (attempt) => {
    let current: ScriptStatement | null = null;
    try {
      await client.query('begin');
      await setTimeouts(client, ctx.timeouts, true);
      for (const statement of script.statements) {
        current = statement;
        await client.query(statement.text);
      }
      current = null;
      await finish(client);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw new StepFailure(error, current, attempt);
    }
  });
}

/** Retries on lock_timeout, each announced as a 'retry' event naming the line that waited. */
export function retryHooks(ctx: RunContext, migration: string, script: Script) {
  return {
    retryable: (error: unknown) => error instanceof StepFailure && isLockTimeout(error.cause),
    onRetry: (attempt: number, delayMs: number, error: unknown) => {
      const statement = (error as StepFailure).statement;
      const where = statement ? `${script.file}:${statement.line}` : script.file;
      ctx.emit({
        type: 'retry',
        migration,
        message:
          `${migration}: lock not granted within ${ctx.timeouts.lockTimeoutMs} ms at ${where} (attempt ` +
          `${attempt} of ${ctx.retries.attempts}); retrying in ${delayMs} ms`,
        durationMs: delayMs,
      });
    },
  };
}
