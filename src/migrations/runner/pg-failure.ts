/**
 * How errors from the `pg` driver are read: which ones mean "the lock was not granted" (retry),
 * which mean "the connection is gone" (nothing more can be done on it), and what to print —
 * always without the URL or its password.
 */
import { scrubCredentials } from '../../store/postgres-address.js';

/** The fields of a `pg` DatabaseError the runner reads. */
export interface PgFailure {
  message: string;
  code?: string;
  /** 1-based character offset in the statement that was sent. */
  position?: string;
  detail?: string;
}

const sqlstate = /^[0-9A-Z]{5}$/;

/** The failure as a PgFailure (anything thrown, including non-Errors). */
export function asPgFailure(error: unknown): PgFailure {
  if (error && typeof error === 'object' && 'message' in error) return error as PgFailure;
  return { message: String(error) };
}

/** SQLSTATE 55P03 lock_not_available: `lock_timeout` expired waiting for a table lock. */
export function isLockTimeout(error: unknown): boolean {
  return asPgFailure(error).code === '55P03';
}

/** No SQLSTATE (socket errors), connection exceptions (08…) or the server shutting the session down (57P01–57P05). */
export function isConnectionFailure(error: unknown): boolean {
  const code = asPgFailure(error).code;
  if (!code || !sqlstate.test(code)) return true;
  return code.startsWith('08') || /^57P0[1-5]$/.test(code);
}

/** `message (SQLSTATE code)` and the server's detail line, both scrubbed of the URL and password. */
export function describePgFailure(error: unknown, url: string): { text: string; detail: string | null } {
  const failure = asPgFailure(error);
  const code = failure.code && sqlstate.test(failure.code) ? ` (SQLSTATE ${failure.code})` : '';
  return {
    text: scrubCredentials(`${failure.message || failure.code || 'unknown error'}${code}`, url),
    detail: failure.detail ? scrubCredentials(failure.detail, url) : null,
  };
}
