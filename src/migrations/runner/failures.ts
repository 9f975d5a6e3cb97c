/**
 * Turning what went wrong during a run into a MigrationError that says which file, which line,
 * what PostgreSQL said, and what state the database is left in.
 */
import { MigrationError } from '../errors.js';
import { describePgFailure, isConnectionFailure, isLockTimeout } from './pg-failure.js';
import type { RunContext } from './run-context.js';
import type { StepFailure } from './run-context.js';
import { errorPosition, type Script } from './script.js';

/**
 * A script failed. `outcome` says what the database holds now (e.g. "transaction rolled back;
 * nothing of it was applied"). Connection failures are 'unavailable', everything else 'failed'.
 */
export function scriptFailure(ctx: RunContext, script: Script, failure: StepFailure, outcome: string): MigrationError {
  const { text, detail } = describePgFailure(failure.cause, ctx.conn.url);
  const statement = failure.statement;
  const at = statement ? errorPosition(script, statement, (failure.cause as { position?: string })?.position) : null;
  const where = at ? `at line ${at.line}` : 'while finishing it';
  const details = {
    file: script.file,
    line: at?.line,
    col: at?.col,
    sqlstate: (failure.cause as { code?: string })?.code,
    attempts: failure.attempts,
  };
  if (isConnectionFailure(failure.cause)) {
    return new MigrationError(
      'unavailable',
      `${script.file}: lost the connection to PostgreSQL at ${ctx.conn.address.display} ${where}: ${text}; ${outcome}`,
      details,
      { cause: failure.cause },
    );
  }
  const lock = isLockTimeout(failure.cause)
    ? ` — the lock was not granted within lock_timeout ${ctx.timeouts.lockTimeoutMs} ms in ${failure.attempts} ` +
      `attempt(s): another session holds a conflicting lock; run again when it is released, or raise lockTimeoutMs ` +
      `or retries`
    : '';
  const timeout =
    (failure.cause as { code?: string })?.code === '57014' && /statement timeout/i.test(text)
      ? ` — statement_timeout is ${ctx.timeouts.statementTimeoutMs} ms; raise statementTimeoutMs if the migration ` +
        `needs longer`
      : '';
  const more = detail ? ` (${detail})` : '';
  return new MigrationError('failed', `${script.file}: ${text} ${where}${more}${lock}${timeout}; ${outcome}`, details, {
    cause: failure.cause,
  });
}

/** Anything else that failed during a run (history table, lock, catalog queries). */
export function runFailure(ctx: Pick<RunContext, 'conn'>, doing: string, error: unknown): MigrationError {
  if (error instanceof MigrationError) return error;
  const { text } = describePgFailure(error, ctx.conn.url);
  if (isConnectionFailure(error)) {
    return new MigrationError(
      'unavailable',
      `lost the connection to PostgreSQL at ${ctx.conn.address.display} while ${doing}: ${text}`,
      { database: ctx.conn.address.display },
      { cause: error },
    );
  }
  return new MigrationError(
    'failed',
    `${doing} on ${ctx.conn.address.display} failed: ${text}`,
    { database: ctx.conn.address.display },
    { cause: error },
  );
}
