/** One login-throttle key's counters (a user name or a source address; times in ms since the epoch). */
export interface ThrottleState {
  failures: number;
  windowStart: number | null;
  lockedUntil: number | null;
  /** Locks so far: each doubles the next one. */
  lockouts: number;
  lastLockAt: number | null;
}

/** A key that has not failed yet. */
export const freshThrottle: ThrottleState = {
  failures: 0,
  windowStart: null,
  lockedUntil: null,
  lockouts: 0,
  lastLockAt: null,
};
