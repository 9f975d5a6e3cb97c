import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres-driver.js';
import { capturePristine, type Pristine, ResetPool, resetTo } from './store-reset.js';

/**
 * Fresh migrated PostgreSQL databases without a CREATE DATABASE and a DROP DATABASE per test: on this 2-core machine
 * the pair costs the server ~0.4 s of CPU and the test 1–3 s of waiting for the disk. A database a test is done with is
 * reset to the template's state (store-reset.ts) and handed to the next test of this process; one that cannot be
 * reset is dropped. What is left in the pool when the process ends is dropped by the run's teardown
 * (test-databases.ts), which knows the databases by the pid in their names.
 */

/** A database on the test server with a URL, and how to drop it. */
export interface PooledDatabase {
  url: string;
  drop(): Promise<void>;
}

const pool = new ResetPool<PooledDatabase>({
  capture: (database) => withDb(database.url, (db) => capturePristine(db, false)),
  reset: (database, state) => withDb(database.url, (db) => endSessionsAndReset(db, state)),
  discard: (database) => database.drop(),
});

/** A migrated database from the pool, or a new one from `create`; `release()` resets it and gives it back. */
export async function pooledPostgres(
  create: () => Promise<PooledDatabase>,
): Promise<{ database: PooledDatabase; release(): Promise<void> }> {
  const { item, handBack } = await pool.take(create);
  return { database: item, release: handBack };
}

async function endSessionsAndReset(db: Db, state: Pristine): Promise<boolean> {
  // Sessions the test left open (a second pool on the URL, a coordinator) would keep locks and settings.
  await db.query(
    'select pg_terminate_backend(pid) from pg_stat_activity ' +
      'where datname = current_database() and pid <> pg_backend_pid()',
  );
  return resetTo(db, state, false);
}

async function withDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openPostgres(url);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
