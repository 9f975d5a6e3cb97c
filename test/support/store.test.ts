import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dropLeftoverDatabases, freshPglite, freshPostgres, shippedVersions, testDatabaseUrl } from './store.js';

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

  it('creates a migrated PostgreSQL database; drop() keeps it for the next test, an empty one is dropped', async () => {
    const fresh = await freshPostgres();
    const name = new URL(fresh.url).pathname.slice(1);
    try {
      expect(name).toMatch(new RegExp(`^slipway_test_${process.pid}_[0-9a-f]{8}$`));
      expect((await fresh.db.query('select version from slipway_schema_migrations')).rows).toEqual(
        await shippedVersions(),
      );
    } finally {
      await fresh.drop();
      await fresh.drop();
    }
    expect(await exists(name)).toBe(true);
    const next = await freshPostgres();
    expect(next.url).toBe(fresh.url);
    await next.drop();

    const empty = await freshPostgres({ migrated: false });
    await empty.drop();
    expect(await exists(new URL(empty.url).pathname.slice(1))).toBe(false);
  });

  it("the run's teardown drops the databases of ended processes, and not those of live ones", async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const live = process.ppid;
    const names = [`slipway_test_${dead}_0123abcd`, `slipway_test_${live}_0123abcd`];
    await admin(async (c) => {
      for (const n of names) await c.query(`create database "${n}"`);
    });
    try {
      await dropLeftoverDatabases({ ownToo: false });
      expect([await exists(names[0]!), await exists(names[1]!)]).toEqual([false, true]);
    } finally {
      await admin(async (c) => {
        for (const n of names) await c.query(`drop database if exists "${n}"`);
      });
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

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const exists = (name: string) =>
  admin(async (c) => ((await c.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0);
