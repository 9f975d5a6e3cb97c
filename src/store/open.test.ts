import { shippedVersions } from '../../test/support/store.js';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, type FreshPostgres } from '../../test/support/store.js';
import type { Db } from './db.js';
import { openStore } from './open.js';

describe('openStore', () => {
  let dataDir: string;
  const opened: Db[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-open-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates a migrated PGlite database in <dataDir>/db, and reopens it without migrating again', async () => {
    const first = await openStore({ dataDir });
    opened.push(first);
    expect(first.driver).toBe('pglite');
    expect(existsSync(join(dataDir, 'db', 'PG_VERSION'))).toBe(true);
    await first.query("insert into projects (name, config, digest) values ('harbor', '{}', 'd')");
    await first.close();

    const second = await openStore({ dataDir });
    opened.push(second);
    expect((await second.query('select name from projects')).rows).toEqual([{ name: 'harbor' }]);
    expect((await second.query('select version from slipway_schema_migrations')).rows).toEqual(await shippedVersions());
    // Refuse a newer schema, and leave the directory unlocked for the next attempt.
    const known = (await shippedVersions()).length;
    await second.query("insert into slipway_schema_migrations (version, name, checksum) values ($1, 'future', 'x')", [
      known + 1,
    ]);
    await second.close();
    await expect(openStore({ dataDir })).rejects.toThrow(
      `database schema is at version ${known + 1}, this slipway knows up to ${known}; upgrade slipway`,
    );
    expect(existsSync(join(dataDir, 'db.lock'))).toBe(false);
  }, 180_000);

  describe('with a DATABASE_URL', () => {
    let fresh: FreshPostgres;
    beforeAll(async () => {
      fresh = await freshPostgres({ migrated: false });
    });
    afterAll(async () => {
      await fresh?.drop();
    });

    it('uses PostgreSQL and migrates it, leaving the data directory alone', async () => {
      const emptyDir = join(dataDir, 'unused');
      const db = await openStore({ databaseUrl: fresh.url, dataDir: emptyDir });
      opened.push(db);
      expect(db.driver).toBe('postgres');
      expect((await db.query('select version from slipway_schema_migrations')).rows).toEqual(await shippedVersions());
      expect(existsSync(emptyDir)).toBe(false);
    });
  });
});
