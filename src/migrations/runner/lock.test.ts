import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrationLockKey, summariseQuery } from './lock.js';

describe('migrationLockKey', () => {
  it(
    'is the documented derivation of "slipway-migrations" (changing it would let two versions migrate at ' + 'once)',
    () => {
      expect(migrationLockKey).toBe(createHash('sha256').update('slipway-migrations').digest().readBigInt64BE(0));
    },
  );
});

describe('summariseQuery', () => {
  it('puts the holder query on one short line', () => {
    expect(summariseQuery('select\n   pg_sleep(30)')).toBe('select pg_sleep(30)');
    const long = summariseQuery(`select ${'x, '.repeat(100)}1`);
    expect(long).toHaveLength(118);
    expect(long.endsWith('…')).toBe(true);
  });

  it('never repeats a password literal', () => {
    expect(summariseQuery("alter role app with password 'hunter''2' login")).toBe(
      "alter role app with password '[redacted]' login",
    );
  });
});
