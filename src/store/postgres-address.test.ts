import { describe, expect, it } from 'vitest';
import { parsePostgresUrl, scrubCredentials } from './postgres-address.js';

describe('postgres address', () => {
  it('describes a URL without user or password', () => {
    expect(parsePostgresUrl('postgres://u:p@db.internal:6432/slipway?sslmode=require')).toEqual({
      host: 'db.internal',
      port: 6432,
      database: 'slipway',
      display: 'db.internal:6432/slipway',
    });
    expect(parsePostgresUrl('postgresql://u@10.0.0.5/app').display).toBe('10.0.0.5:5432/app');
    expect(parsePostgresUrl('postgres:///app?host=/var/run/postgresql').display).toBe('/var/run/postgresql:5432/app');
    expect(parsePostgresUrl('postgres://admin@db').database).toBe('admin'); // libpq: database defaults to the user
  });

  it('scrubs the URL and the password, encoded or not', () => {
    const url = 'postgres://u:p%40ss-w0rd@db/app';
    expect(scrubCredentials(`failed for ${url}: p@ss-w0rd / p%40ss-w0rd`, url)).toBe(
      'failed for [DATABASE_URL]: [redacted] / [redacted]',
    );
  });
});
