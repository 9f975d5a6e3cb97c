import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { assertPostgresReachable, freshPglite, freshPostgres } from './store.js';

/** The two store drivers every store test runs against. */
export type DriverName = 'pglite' | 'postgres';

export interface EachDriverOptions {
  /** Start from Slipway's schema (default) or an empty database. */
  migrated?: boolean;
  /** A new database per test (default) or one per describe block. */
  fresh?: 'each' | 'file';
}

/**
 * Run one suite against PGlite and against PostgreSQL. A PostgreSQL server that does not answer
 * fails the PostgreSQL variant loudly; it is never skipped.
 * Example: describeEachDriver('events', (getDb) => { it('appends', async () => { await getDb().query(...) }) })
 */
export function describeEachDriver(
  name: string,
  suite: (getDb: () => Db, driver: DriverName) => void,
  options: EachDriverOptions = {},
): void {
  for (const driver of ['pglite', 'postgres'] as const) {
    describe(`${name} [${driver}]`, () => {
      let current: { db: Db; dispose(): Promise<void> } | undefined;
      const open = async () => {
        if (driver === 'pglite') {
          const db = await freshPglite({ migrated: options.migrated !== false });
          current = { db, dispose: () => db.close() };
        } else {
          const fresh = await freshPostgres({ migrated: options.migrated !== false });
          current = { db: fresh.db, dispose: fresh.drop };
        }
      };
      const dispose = async () => {
        const toDispose = current;
        current = undefined;
        await toDispose?.dispose();
      };
      if (driver === 'postgres') beforeAll(assertPostgresReachable);
      if (options.fresh === 'file') {
        // biome-ignore lint/suspicious/noDuplicateTestHooks: the two hooks do different things, one only on postgres
        beforeAll(open);
        afterAll(dispose);
      } else {
        beforeEach(open);
        afterEach(dispose);
      }
      suite(() => {
        if (!current) throw new Error('getDb() is only available inside a test or hook of describeEachDriver');
        return current.db;
      }, driver);
    });
  }
}
