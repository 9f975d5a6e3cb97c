import { describe, expect, it } from 'vitest';
import { pollPeriod } from './poll-period.js';

describe('pollPeriod', () => {
  it('is a 2 s safety net with the EventLog, 250 ms without it; at most 250 ms while events are held back', () => {
    expect(pollPeriod({ subscribed: true, heldBack: false })).toBe(2000);
    expect(pollPeriod({ subscribed: true, heldBack: true })).toBe(250);
    expect(pollPeriod({ subscribed: false, heldBack: false })).toBe(250);
    expect(pollPeriod({ pollMs: 50, subscribed: true, heldBack: false })).toBe(50);
    expect(pollPeriod({ pollMs: 60_000, subscribed: true, heldBack: false })).toBe(60_000);
    // Nothing announces the end of the transaction that holds events back: a long pollMs does not wait for it.
    expect(pollPeriod({ pollMs: 60_000, subscribed: true, heldBack: true })).toBe(250);
  });
});
