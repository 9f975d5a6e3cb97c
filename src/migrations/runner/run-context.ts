/** What every step of a run shares: the locked session, the limits, where events go. */
import type pg from 'pg';
import type { RunnerConnection } from './connection.js';
import type { RunnerEventSink } from './events.js';
import type { RetryPolicy, Timeouts } from './options.js';
import type { ScriptStatement } from './script.js';

export interface RunContext {
  conn: RunnerConnection;
  timeouts: Timeouts;
  retries: RetryPolicy;
  emit: RunnerEventSink;
}

/** A failure while running a script: the driver's error and the statement it came from (null: at BEGIN/COMMIT or
 * recording history). */
export class StepFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly statement: ScriptStatement | null,
    readonly attempts: number,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/** Sets lock_timeout and statement_timeout, for the transaction (`local`) or the session. */
export async function setTimeouts(client: pg.ClientBase, timeouts: Timeouts, local: boolean): Promise<void> {
  await client.query("select set_config('lock_timeout', $1, $3), set_config('statement_timeout', $2, $3)", [
    `${timeouts.lockTimeoutMs}ms`,
    `${timeouts.statementTimeoutMs}ms`,
    local,
  ]);
}

/** Back to the server's defaults after a non-transactional migration. */
export async function resetTimeouts(client: pg.ClientBase): Promise<void> {
  await client.query('reset lock_timeout; reset statement_timeout');
}
