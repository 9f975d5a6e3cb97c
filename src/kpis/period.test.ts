import { describe, expect, it } from 'vitest';
import { parsePeriod } from './period.js';

const now = Date.parse('2026-12-04T12:00:00Z');

describe('parsePeriod', () => {
  it('reads a duration back from now, or dates', () => {
    expect(parsePeriod({ since: '30d' }, now).since.toISOString()).toBe('2026-11-04T12:00:00.000Z');
    expect(parsePeriod({}, now).until.getTime()).toBe(now);
    const p = parsePeriod({ since: '2026-10-01', until: '2026-11-01T00:00:00Z' }, now);
    expect([p.since.toISOString(), p.until.toISOString()]).toEqual([
      '2026-10-01T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
    ]);
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(() => parsePeriod({ since: 'last month' }, now)).toThrow(/since: "last month" is neither a duration/);
    expect(() => parsePeriod({ since: '30' }, now)).toThrow(
      'since: needs a unit, like 30s or 30ms (a bare number is ambiguous)',
    );
    expect(() => parsePeriod({ since: '0d' }, now)).toThrow(/since: "0d" must be between/);
    expect(() => parsePeriod({ since: '2026-12-05' }, now)).toThrow(/is not before until/);
    expect(() => parsePeriod({ until: 'tomorrow' }, now)).toThrow(/until: "tomorrow"/);
  });
});
