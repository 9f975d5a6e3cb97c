import type { ThrottleState } from '../../model/throttle.js';
import { freshThrottle } from '../../model/throttle.js';
import type { Queryable } from '../db.js';

const ms = (v: unknown): number | null =>
  v === null || v === undefined ? null : (v instanceof Date ? v : new Date(String(v))).getTime();
const date = (v: number | null): Date | null => (v === null ? null : new Date(v));

/** The counters of a key ('user:NAME' or 'ip:ADDRESS'); fresh when it never failed. `lock` (in a transaction) holds the
 * row against concurrent failures. */
export async function readThrottle(db: Queryable, key: string, lock = false): Promise<ThrottleState> {
  const { rows } = await db.query(`select * from login_throttle where key = $1${lock ? ' for update' : ''}`, [key]);
  const row = rows[0];
  if (!row) return freshThrottle;
  return {
    failures: Number(row.failures),
    windowStart: ms(row.window_start),
    lockedUntil: ms(row.locked_until),
    lockouts: Number(row.lockouts),
    lastLockAt: ms(row.last_lock_at),
  };
}

export async function writeThrottle(db: Queryable, key: string, s: ThrottleState): Promise<void> {
  await db.query(
    `insert into login_throttle (key, failures, window_start, locked_until, lockouts, last_lock_at) values ($1, $2,
      $3, $4, $5, $6)
     on conflict (key) do update set failures = excluded.failures, window_start = excluded.window_start, locked_until
       = excluded.locked_until,
       lockouts = excluded.lockouts, last_lock_at = excluded.last_lock_at`,
    [key, s.failures, date(s.windowStart), date(s.lockedUntil), s.lockouts, date(s.lastLockAt)],
  );
}

/** Forget a key's failures (a successful login for that user name). */
export async function clearThrottle(db: Queryable, key: string): Promise<void> {
  await db.query(`delete from login_throttle where key = $1`, [key]);
}
