import { shippedVersions } from './store.js';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshPglite, freshPostgres, testDatabaseUrl } from './store.js';

describe('test support: fresh stores', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('gives every caller its own PGlite database, migrated or empty', async () => {
    const [a, b, empty] = await Promise.all([freshPglite(), freshPglite(), freshPglite({ migrated: false })]);
    try {
      await a.query("insert into projects (name, config, digest) values ('only-in-a', '{}', 'd')");
      expect((await b.query('select count(*) as n from projects')).rows).toEqual([{ n: 0 }]);
      const tables = await empty.query(
        "select count(*) as n from information_schema.tables where table_schema = 'public'",
      );
      expect(tables.rows).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all([a.close(), b.close(), empty.close()]);
    }
  });

  it('creates a migrated PostgreSQL database and drops it', async () => {
    const fresh = await freshPostgres();
    const name = new URL(fresh.url).pathname.slice(1);
    try {
      expect(name).toMatch(/^slipway_test_\d+_[0-9a-f]{8}$/);
      expect((await fresh.db.query('select version from slipway_schema_migrations')).rows).toEqual(
        await shippedVersions(),
      );
    } finally {
      await fresh.drop();
      await fresh.drop();
    }
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    try {
      expect((await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('fails loudly with one line when the PostgreSQL server is not reachable', async () => {
    vi.stubEnv('SLIPWAY_TEST_DATABASE_URL', 'postgres://postgres@127.0.0.1:1/postgres');
    const store = await import('./store.js');
    const error = (await store.assertPostgresReachable().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^PostgreSQL is not reachable at 127\.0\.0\.1:1 — start it or set SLIPWAY_TEST_DATABASE_URL \(.+\)$/,
    );
    expect(error.message).not.toContain('\n');
  });
});
