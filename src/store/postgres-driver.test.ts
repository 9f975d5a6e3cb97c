import { shippedVersions } from '../../test/support/store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPostgresReachable, freshPostgres, type FreshPostgres } from '../../test/support/store.js';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { migrate } from './migrate.js';
import { openPostgres } from './postgres-driver.js';

describe('PostgreSQL driver', () => {
  beforeAll(assertPostgresReachable);

  it('names host:port, never the credentials, when the server is unreachable', async () => {
    const url = 'postgres://slipway:s3cret-Passw0rd@127.0.0.1:1/app';
    const error = await openPostgres(url, { connectTimeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('unavailable');
    expect((error as StoreError).message).toBe(
      'PostgreSQL at 127.0.0.1:1 is not reachable (database app): connection refused',
    );
    expect(JSON.stringify({ message: (error as Error).message, details: (error as StoreError).details })).not.toMatch(
      /s3cret|slipway:/,
    );
  });

  it('says which database is missing', async () => {
    const url = new URL(process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = '/slipway_no_such_database';
    const error = await openPostgres(url.toString()).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe('unavailable');
    expect((error as StoreError).message).toMatch(
      /^PostgreSQL at .+ refused the connection: database "slipway_no_such_database" does not exist$/,
    );
  });

  it('refuses a DATABASE_URL that is not a postgres URL, without echoing it', async () => {
    await expect(openPostgres('mysql://root:hunter22@db/app')).rejects.toThrow(
      'DATABASE_URL must start with postgres:// or postgresql:// (got mysql://)',
    );
    const error = await openPostgres('not a url hunter22').catch((e: unknown) => e);
    expect((error as Error).message).not.toContain('hunter22');
  });

  describe('concurrent migrators', () => {
    let fresh: FreshPostgres;
    const pools: Db[] = [];
    beforeAll(async () => {
      fresh = await freshPostgres({ migrated: false });
    });
    afterAll(async () => {
      await Promise.all(pools.map((db) => db.close()));
      await fresh?.drop();
    });

    it('apply each migration exactly once when coordinators start together', async () => {
      for (let i = 0; i < 4; i++) pools.push(await openPostgres(fresh.url, { maxConnections: 2 }));
      const results = await Promise.all(pools.map((db) => migrate(db)));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 0, (await shippedVersions()).length]);
      const latest = (await shippedVersions()).at(-1)!.version;
      expect(results.every((r) => r.version === latest)).toBe(true);
      expect((await fresh.db.query('select version from slipway_schema_migrations')).rows).toEqual(
        await shippedVersions(),
      );
    });
  });

  it('survives a connection the server killed: the pool reconnects and idle errors do not crash', async () => {
    const fresh = await freshPostgres({ migrated: false });
    try {
      const { rows } = await fresh.db.query<{ pid: number }>('select pg_backend_pid() as pid');
      const admin = await openPostgres(fresh.url);
      try {
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await admin.close();
      }
      // The killed connection may be handed out once more; the retry gets a fresh one.
      const retry = async (): Promise<unknown> =>
        fresh.db.query('select 1 as one').catch(() => fresh.db.query('select 1 as one'));
      expect(((await retry()) as { rows: unknown[] }).rows).toEqual([{ one: 1 }]);
    } finally {
      await fresh.drop();
    }
  });
});
