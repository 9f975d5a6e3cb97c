import { describe, expect, it } from 'vitest';
import type { FreezeWindow } from '../../config/model.js';
import { activeFreeze, nextFreeze } from './freeze.js';

const weekend: FreezeWindow = {
  kind: 'recurring',
  cron: '0 16 * * 5',
  durationMs: 64 * 3_600_000,
  timezone: 'Europe/London',
  message: 'weekend freeze',
};
const holidays: FreezeWindow = {
  kind: 'once',
  from: Date.parse('2026-12-20T00:00:00Z'),
  until: Date.parse('2027-01-03T00:00:00Z'),
  message: 'holiday freeze',
};

describe('activeFreeze', () => {
  it('a recurring window in its time zone: Friday 16:00 London for 64 h (winter: London is UTC)', () => {
    const active = activeFreeze([weekend], new Date('2026-11-28T12:00:00Z')); // Saturday
    expect(active).toEqual({
      message: 'weekend freeze',
      startedAt: new Date('2026-11-27T16:00:00Z'),
      endsAt: new Date('2026-11-30T08:00:00Z'),
      window: 'cron "0 16 * * 5" Europe/London for 64h',
    });
    expect(activeFreeze([weekend], new Date('2026-11-26T12:00:00Z'))).toBeNull(); // Thursday
    expect(activeFreeze([weekend], new Date('2026-11-30T08:00:00Z'))).toBeNull(); // the end is exclusive
    // the start is inclusive
    expect(activeFreeze([weekend], new Date('2026-11-27T16:00:00Z'))?.message).toBe('weekend freeze');
  });

  it('follows daylight saving time: in summer Friday 16:00 London is 15:00 UTC', () => {
    expect(activeFreeze([weekend], new Date('2026-07-03T15:30:00Z'))?.startedAt).toEqual(
      new Date('2026-07-03T15:00:00Z'),
    );
    expect(activeFreeze([weekend], new Date('2026-07-03T14:59:00Z'))).toBeNull();
  });

  it('a one-off window, and the one ending last when windows overlap', () => {
    expect(activeFreeze([holidays], new Date('2026-12-19T23:59:59Z'))).toBeNull();
    const saturday = new Date('2026-12-26T10:00:00Z');
    const both = activeFreeze([weekend, holidays], saturday);
    expect(both?.message).toBe('holiday freeze');
    expect(both?.endsAt).toEqual(new Date('2027-01-03T00:00:00Z'));
  });
});

describe('nextFreeze', () => {
  it('is the earliest window to start after now', () => {
    expect(nextFreeze([holidays, weekend], new Date('2026-11-26T12:00:00Z'))).toEqual({
      message: 'weekend freeze',
      startsAt: new Date('2026-11-27T16:00:00Z'),
      endsAt: new Date('2026-11-30T08:00:00Z'),
    });
    expect(nextFreeze([holidays], new Date('2027-02-01T00:00:00Z'))).toBeNull();
  });
});
