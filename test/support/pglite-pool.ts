import type { Db } from '../../src/store/db.js';
import { openReusablePglite, type ReusablePglite } from '../../src/store/pglite-driver.js';
import { capturePristine, resetTo, ResetPool } from './store-reset.js';

/**
 * Fresh migrated PGlite databases without starting PGlite for each: starting costs ~1.7 s of CPU (most unit files
 * that touch the store start several), a reset ~0.1 s. A database a test closes is reset to the template's state and
 * handed to the next test of this process. A reset that cannot show the state equal to the template's (the schema,
 * roles or settings changed; a statement hangs or fails) closes that PGlite instead, and the next test gets a new one.
 */

let pool: ResetPool<ReusablePglite> | undefined;

/** A PGlite database in the template's state; close() hands it back. */
export async function pooledPglite(template: Blob): Promise<Db> {
  pool ??= new ResetPool({
    capture: (reusable) => withView(reusable, (db) => capturePristine(db, true)),
    reset: (reusable, state) => withView(reusable, (db) => resetTo(db, state, true)),
    discard: (reusable) => reusable.close().catch(() => undefined),
  });
  const { item, handBack } = await pool.take(() => openReusablePglite(template));
  return item.view(handBack);
}

async function withView<T>(reusable: ReusablePglite, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = reusable.view(async () => undefined);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
