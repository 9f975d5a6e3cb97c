import { join } from 'node:path';
import type { Logger } from '../shared/logging.js';
import type { Db } from './db.js';
import { realignEventTransactions } from './event-transactions.js';
import { migrate } from './migrate.js';
import { parsePostgresUrl } from './postgres-address.js';
import { openPostgres } from './postgres-driver.js';

/** How the coordinator finds its store: a PostgreSQL URL, or else PGlite under its data directory. */
export interface StoreOptions {
  /** DATABASE_URL; when set, PostgreSQL is used and `dataDir` holds no database. */
  databaseUrl?: string;
  /** Slipway's data directory; PGlite keeps its database in `<dataDir>/db`. */
  dataDir: string;
  logger?: Logger;
  /** PostgreSQL only: this coordinator's leader-lease holder id, which fences its writes (schema 018). */
  holder?: string;
}

/**
 * Open the store and bring its schema up to date: the only way the app gets a `Db`.
 * Example: `const db = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir })`
 */
export async function openStore(options: StoreOptions): Promise<Db> {
  const { logger } = options;
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, {
        ...(logger ? { logger } : {}),
        ...(options.holder ? { holder: options.holder } : {}),
      })
    : // In a thread of its own: its statements must not hold up the coordinator's event loop (pglite-thread.ts).
      // Loaded only for the embedded store: a coordinator on PostgreSQL never needs PGlite.
      await (await import('./pglite-driver.js')).openPglite({
        dataDir: join(options.dataDir, 'db'),
        thread: true,
        ...(logger ? { logger } : {}),
      });
  try {
    const { version, applied } = await migrate(db, logger ? { logger } : {});
    const realigned = await realignEventTransactions(db);
    if (realigned > 0)
      logger?.warn({ events: realigned }, 'events carried transaction ids of another database cluster; realigned');
    const where = options.databaseUrl ? parsePostgresUrl(options.databaseUrl).display : join(options.dataDir, 'db');
    logger?.info(
      { driver: db.driver, database: where, schemaVersion: version, applied: applied.length },
      'store opened',
    );
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}
