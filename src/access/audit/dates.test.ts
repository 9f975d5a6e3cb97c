import { describe, expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { parseAuditTime } from './dates.js';

describe('parseAuditTime', () => {
  it('a day is midnight UTC; a time needs its zone; impossible days are refused', () => {
    expect(parseAuditTime('2026-10-01')?.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(parseAuditTime('2026-10-01T08:00:00+02:00')?.toISOString()).toBe('2026-10-01T06:00:00.000Z');
    expect(parseAuditTime('2026-10-01T08:00:00')).toBeUndefined();
    expect(parseAuditTime('2026-02-31')).toBeUndefined();
  });

  it('only instants of the years 1 to 9999 (UTC): PostgreSQL has no year 0; Date writes 10000 as +010000', () => {
    for (const text of ['0000-01-01', '0000-06-15T12:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-14:00'])
      expect(parseAuditTime(text), text).toBeUndefined();
    expect(parseAuditTime('0001-01-01')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseAuditTime('9999-12-31T23:59:59Z')?.toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });
});

describeEachDriver(
  'audit time bounds in the store',
  (getDb) => {
    it('the earliest and latest times parseAuditTime gives are ones timestamptz takes', async () => {
      for (const text of ['0001-01-01', '9999-12-31T23:59:59.999Z']) {
        const at = parseAuditTime(text)!;
        // Compared in SQL: PGlite reads years below 100 back wrongly (Date's two-digit years), which is not this.
        const { rows } = await getDb().query<{ ms: string }>(
          'select (extract(epoch from $1::timestamptz) * 1000)::bigint::text as ms',
          [at],
        );
        expect(Number(rows[0]!.ms), text).toBe(at.getTime());
      }
    });
  },
  { migrated: false, fresh: 'file' },
);
