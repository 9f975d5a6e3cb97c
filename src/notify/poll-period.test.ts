import { describe, expect, it } from 'vitest';
import { pollPeriod } from './poll-period.js';

describe('pollPeriod', () => {
  it('is a 2 s safety net with the EventLog, 250 ms while events are held back or without it', () => {
    expect(pollPeriod({ subscribed: true, heldBack: false })).toBe(2000);
    expect(pollPeriod({ subscribed: true, heldBack: true })).toBe(250);
    expect(pollPeriod({ subscribed: false, heldBack: false })).toBe(250);
    expect(pollPeriod({ pollMs: 50, subscribed: true, heldBack: false })).toBe(50);
  });
});
