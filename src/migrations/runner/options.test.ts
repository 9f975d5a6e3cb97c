import { describe, expect, it } from 'vitest';
import type { Migration } from '../types.js';
import { checkedCount, checkedRetries, checkedTimeouts, orderedMigrations } from './options.js';

const m = (version: number, upPath: string) => ({ version, upPath }) as Migration;

describe('runner options', () => {
  it('orders migrations by version and refuses a duplicate naming both files', () => {
    expect(orderedMigrations([m(2, 'b'), m(1, 'a')]).map((x) => x.version)).toEqual([1, 2]);
    expect(() => orderedMigrations([m(1, 'db/0001_a.up.sql'), m(1, 'db/0001_b.up.sql')])).toThrow(
      'db/0001_b.up.sql: duplicate version 1 (also db/0001_a.up.sql)',
    );
  });

  it('fills in retry defaults and refuses nonsense', () => {
    expect(checkedRetries(undefined)).toEqual({ attempts: 5, baseDelayMs: 250 });
    expect(checkedRetries({ attempts: 2 })).toEqual({ attempts: 2, baseDelayMs: 250 });
    expect(() => checkedRetries({ attempts: 0 })).toThrow('retries.attempts must be a whole number ≥ 1 (got 0)');
  });

  it('accepts whole milliseconds (0 disables, as in PostgreSQL) and refuses the rest', () => {
    expect(checkedTimeouts({ lockTimeoutMs: 0, statementTimeoutMs: 1000 })).toEqual({
      lockTimeoutMs: 0,
      statementTimeoutMs: 1000,
    });
    expect(() => checkedTimeouts({ lockTimeoutMs: 1.5, statementTimeoutMs: 1000 })).toThrow(
      'lockTimeoutMs must be a whole number of milliseconds ≥ 0 (got 1.5)',
    );
    expect(checkedCount('steps', undefined, 1)).toBeUndefined();
    expect(() => checkedCount('steps', 0, 1)).toThrow('steps must be a whole number ≥ 1 (got 0)');
  });
});
