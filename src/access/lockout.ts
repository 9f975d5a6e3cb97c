/**
 * Brute-force protection arithmetic, without storage or clock: the repo keeps one state per key
 * (a user name, a source address) and the login route asks these functions at time `now`.
 */

import type { ThrottleState } from '../model/throttle.js';

export { freshThrottle, type ThrottleState } from '../model/throttle.js';

export const maxFailures = 5;
export const failureWindowMs = 15 * 60_000;
export const firstLockMs = 15 * 60_000;
export const maxLockMs = 60 * 60_000;
/** A day without a lock forgets earlier locks, so one bad morning does not cost an hour forever. */
export const lockMemoryMs = 24 * 60 * 60_000;

/** Milliseconds until the key may try again; 0 when it is not locked. */
export function lockedFor(state: ThrottleState, now: number): number {
  return state.lockedUntil !== null && state.lockedUntil > now ? state.lockedUntil - now : 0;
}

/** How long the n-th lock lasts (n ≥ 1): 15 min, 30 min, then 1 h at most. */
export function lockDuration(n: number): number {
  return Math.min(firstLockMs * 2 ** Math.max(0, n - 1), maxLockMs);
}

/**
 * The state after one more failure at `now`: the fifth failure within 15 minutes locks the key.
 * @example recordFailure(freshThrottle, 0) // { failures: 1, windowStart: 0, ... }
 */
export function recordFailure(state: ThrottleState, now: number): ThrottleState {
  const lockouts = state.lastLockAt !== null && now - state.lastLockAt > lockMemoryMs ? 0 : state.lockouts;
  const inWindow = state.windowStart !== null && now - state.windowStart < failureWindowMs;
  const failures = inWindow ? state.failures + 1 : 1;
  const windowStart = inWindow ? state.windowStart : now;
  if (failures < maxFailures) return { ...state, lockouts, failures, windowStart };
  const n = lockouts + 1;
  return { failures: 0, windowStart: null, lockedUntil: now + lockDuration(n), lockouts: n, lastLockAt: now };
}
