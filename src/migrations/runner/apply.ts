/**
 * `slipway migrate apply`: brings a database up to the migration files (or to `target`).
 * Everything that can be refused — bad options, an unreachable database, a held lock, drift,
 * a missing file, out-of-order files, unparsable SQL — is refused before the first migration runs.
 */
import { loadParser } from '../linter/parse.js';
import { MigrationError } from '../errors.js';
import type { Migration } from '../types.js';
import { applyInTransaction, applyStatementByStatement, type ApplyContext } from './apply-migration.js';
import { eventSink, type RunnerEventSink } from './events.js';
import { runFailure } from './failures.js';
import { checkedCount, checkedRetries, checkedTimeouts, orderedMigrations, type RetryPolicy } from './options.js';
import { openMigrationSession } from './session.js';
import { prepareScript } from './script.js';

export interface ApplyOptions {
  /** postgres://… of the target database; never printed (messages name host:port/db). */
  url: string;
  migrations: Migration[];
  /** Apply up to and including this version; default: all. */
  target?: number;
  /** `lock_timeout` of every migration statement; keep it short (e.g. 2000) and let retries wait. */
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** When lock_timeout expires: default 5 attempts, 250 ms base delay. */
  retries?: RetryPolicy;
  /** The release version applying these, recorded in the history. */
  release?: string | null;
  /** Wait this long for another runner's lock before refusing; default 0. */
  waitForLockMs?: number;
  onEvent?: RunnerEventSink;
}

export interface ApplyResult {
  /** Ids of the migrations this run applied (or finished), in order. */
  applied: string[];
  /** Migrations that were already applied when the run started. */
  alreadyApplied: number;
  durationMs: number;
}

/**
 * Applies the pending migrations in version order, each in its own transaction (statement by
 * statement when it holds CONCURRENTLY), under the database's migration lock.
 * Example: `await applyMigrations({ url, migrations: loadMigrations('migrations'), lockTimeoutMs: 2000,
 * statementTimeoutMs: 600_000 })`
 */
export async function applyMigrations(options: ApplyOptions): Promise<ApplyResult> {
  const started = Date.now();
  const migrations = orderedMigrations(options.migrations);
  const timeouts = checkedTimeouts(options);
  const retries = checkedRetries(options.retries);
  const target = checkedCount('target', options.target, 0);
  if (target !== undefined && target !== 0 && !migrations.some((m) => m.version === target)) {
    throw new MigrationError(
      'invalid_input',
      `target ${target} is not a migration version (versions: ${describeVersions(migrations)})`,
    );
  }
  await loadParser();
  const emit = eventSink(options.onEvent);
  const session = await openMigrationSession(options.url, migrations, {
    waitForLockMs: checkedCount('waitForLockMs', options.waitForLockMs, 0) ?? 0,
    emit,
  });
  const ctx: ApplyContext = {
    conn: session.conn,
    timeouts,
    retries,
    emit,
    meta: { release: options.release ?? null, appliedBy: session.conn.identity },
  };
  const applied: string[] = [];
  try {
    const rows = new Map(session.history.map((row) => [row.version, row]));
    const work = migrations.filter(
      (m) => (target === undefined || m.version <= target) && rows.get(m.version)?.state !== 'applied',
    );
    // Parsed up front: a syntax error in the third pending file must stop the run before the first.
    const scripts = work.map((m) => prepareScript(m.up, m.upPath));
    for (const [i, migration] of work.entries()) {
      const script = scripts[i]!;
      const row = rows.get(migration.version);
      const began = Date.now();
      emit({
        type: 'migration-started',
        migration: migration.id,
        message: startMessage(migration, script.statements.length, row?.statementsDone, script.transactional),
      });
      try {
        if (script.transactional && !row) await applyInTransaction(ctx, migration, script);
        else await applyStatementByStatement(ctx, migration, script, row);
      } catch (error) {
        const failure = runFailure(ctx, `applying ${migration.upPath}`, error);
        emit({
          type: 'migration-failed',
          migration: migration.id,
          message: failure.message,
          durationMs: Date.now() - began,
        });
        throw failure;
      }
      applied.push(migration.id);
      emit({
        type: 'migration-applied',
        migration: migration.id,
        message: `${migration.id} applied to ${ctx.conn.address.display} in ${Date.now() - began} ms`,
        durationMs: Date.now() - began,
      });
    }
    return {
      applied,
      alreadyApplied: session.history.filter((row) => row.state === 'applied').length,
      durationMs: Date.now() - started,
    };
  } finally {
    await session.close();
  }
}

function startMessage(
  migration: Migration,
  statements: number,
  done: number | undefined,
  transactional: boolean,
): string {
  if (done !== undefined)
    return `${migration.id}: resuming after ${done} of ${statements} statement(s) done by an earlier run`;
  return transactional
    ? `${migration.id}: applying ${statements} statement(s) in one transaction`
    : `${migration.id}: applying ${statements} statement(s) one by one (it holds CONCURRENTLY, which cannot run in ` +
        `a transaction)`;
}

function describeVersions(migrations: Migration[]): string {
  if (migrations.length === 0) return 'none';
  return `${migrations[0]!.version}–${migrations.at(-1)!.version}`;
}
