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
    expect(() => parsePeriod({ since: '2026-12-05' }, now)).toThrow('since: "2026-12-05" is in the future');
    expect(() => parsePeriod({ since: '2026-12-05', until: '2026-12-01' }, now)).toThrow(
      'since: "2026-12-05" must be before until ("2026-12-01")',
    );
    expect(() => parsePeriod({ until: 'tomorrow' }, now)).toThrow(/until: "tomorrow"/);
  });

  it('names the flags for the CLI: --since, --until, not the API fields', () => {
    const flags = (q: { since?: string; until?: string }) => () => parsePeriod(q, now, 'flags');
    expect(flags({ since: '2027-01-01' })).toThrow(/^--since 2027-01-01 is in the future$/);
    expect(flags({ since: '2026-12-02', until: '2026-12-01' })).toThrow(
      /^--since 2026-12-02 must be before --until 2026-12-01$/,
    );
    expect(flags({ since: 'soon' })).toThrow(/^--since soon is neither a duration/);
    expect(flags({ since: '30' })).toThrow(/^--since 30 needs a unit/);
    expect(flags({ since: '400d' })).toThrow(/^--since 400d must be between 1ms and 366d$/);
    expect(flags({ until: 'tomorrow' })).toThrow(/^--until tomorrow is neither/);
  });
});
