/**
 * A script that cannot run in a transaction (CONCURRENTLY): statement by statement, each
 * committed by itself, with session-level timeouts and lock_timeout retries per statement.
 * The caller records progress after each statement so a re-run resumes after the last one done.
 */
import { withRetries } from './retry.js';
import { resetTimeouts, setTimeouts, StepFailure, type RunContext } from './run-context.js';
import { retryHooks } from './run-transaction.js';
import type { Script, ScriptStatement } from './script.js';

export interface StatementHooks {
  /** Index of the first statement to run (statements before it are done). */
  from: number;
  /** Before each attempt: 'skip' when the statement's effect is already in place. */
  before?(statement: ScriptStatement, attempt: number): Promise<'run' | 'skip'>;
  /** After a statement completed (or was skipped): record progress. */
  after(statement: ScriptStatement, skipped: boolean): Promise<void>;
}

/** Runs the statements from `hooks.from` on; a failing statement throws StepFailure (earlier ones stay done). */
export async function runStatements(
  ctx: RunContext,
  migration: string,
  script: Script,
  hooks: StatementHooks,
): Promise<void> {
  const client = ctx.conn.client;
  await setTimeouts(client, ctx.timeouts, false);
  try {
    for (const statement of script.statements.slice(hooks.from)) {
      let skipped = false;
      await withRetries(ctx.retries, retryHooks(ctx, migration, script), async (attempt) => {
        try {
          if ((await hooks.before?.(statement, attempt)) === 'skip') {
            skipped = true;
            return;
          }
          await client.query(statement.text);
        } catch (error) {
          throw new StepFailure(error, statement, attempt);
        }
      });
      await hooks.after(statement, skipped);
    }
  } finally {
    await resetTimeouts(client).catch(() => undefined);
  }
}
