/** Checks of the caller's options, done before connecting so a typo never touches the database. */
import { MigrationError } from '../errors.js';
import type { Migration } from '../types.js';

/** Retries when a statement's `lock_timeout` expires (SQLSTATE 55P03). */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the first retry; doubled for each further one, plus up to 50% jitter. */
  baseDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 250 };

/** `lock_timeout` and `statement_timeout` for every migration (0 disables one, as in PostgreSQL). */
export interface Timeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** The timeouts, refused unless whole non-negative milliseconds. */
export function checkedTimeouts(options: Timeouts): Timeouts {
  for (const key of ['lockTimeoutMs', 'statementTimeoutMs'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0)
      throw new MigrationError(
        'invalid_input',
        `${key} must be a whole number of milliseconds ≥ 0 (got ${String(value)})`,
      );
  }
  return { lockTimeoutMs: options.lockTimeoutMs, statementTimeoutMs: options.statementTimeoutMs };
}

/** The retry policy, defaults filled in. */
export function checkedRetries(retries: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...retries };
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1)
    throw new MigrationError(
      'invalid_input',
      `retries.attempts must be a whole number ≥ 1 (got ${String(policy.attempts)})`,
    );
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0)
    throw new MigrationError('invalid_input', `retries.baseDelayMs must be ≥ 0 (got ${String(policy.baseDelayMs)})`);
  return policy;
}

/** The migrations ordered by version; two with one version are refused naming both files. */
export function orderedMigrations(migrations: Migration[]): Migration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    const previous = ordered[i - 1];
    if (previous && previous.version === m.version)
      throw new MigrationError(
        'invalid_input',
        `${m.upPath}: duplicate version ${m.version} (also ${previous.upPath})`,
      );
  });
  return ordered;
}

/** A whole number ≥ min, or undefined when not given. */
export function checkedCount(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min)
    throw new MigrationError('invalid_input', `${name} must be a whole number ≥ ${min} (got ${String(value)})`);
  return value;
}
