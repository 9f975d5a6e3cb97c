import { describe, expect, it } from 'vitest';
import { freshThrottle, lockDuration, lockedFor, recordFailure, type ThrottleState } from './lockout.js';

const min = 60_000;
const fail = (state: ThrottleState, times: number, at: number, step = 1000) => {
  let s = state;
  for (let i = 0; i < times; i++) s = recordFailure(s, at + i * step);
  return s;
};

describe('lockout arithmetic', () => {
  it('four failures do not lock; the fifth within 15 minutes locks for 15 minutes', () => {
    const four = fail(freshThrottle, 4, 0);
    expect(lockedFor(four, 4000)).toBe(0);
    const five = recordFailure(four, 10 * min);
    expect(five.lockedUntil).toBe(25 * min);
    expect(lockedFor(five, 10 * min)).toBe(15 * min);
    expect(lockedFor(five, 25 * min)).toBe(0);
  });

  it('failures spread over more than 15 minutes start a new window', () => {
    const four = fail(freshThrottle, 4, 0);
    const later = recordFailure(four, 15 * min + 1);
    expect(later).toMatchObject({ failures: 1, windowStart: 15 * min + 1, lockedUntil: null });
  });

  it('each repeated lock doubles, capped at one hour; a day without locks forgets them', () => {
    expect([1, 2, 3, 4].map(lockDuration)).toEqual([15 * min, 30 * min, 60 * min, 60 * min]);
    const first = fail(freshThrottle, 5, 0);
    const second = fail(first, 5, first.lockedUntil!);
    expect(second.lockedUntil! - second.lastLockAt!).toBe(30 * min);
    const third = fail(second, 5, second.lockedUntil!);
    expect(third.lockedUntil! - third.lastLockAt!).toBe(60 * min);
    const fourth = fail(third, 5, third.lockedUntil!);
    expect(fourth.lockedUntil! - fourth.lastLockAt!).toBe(60 * min);
    const nextDay = fail(fourth, 5, fourth.lastLockAt! + 25 * 60 * min);
    expect(nextDay.lockouts).toBe(1);
    expect(nextDay.lockedUntil! - nextDay.lastLockAt!).toBe(15 * min);
  });
});
