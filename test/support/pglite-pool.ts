import type { Db } from '../../src/store/db.js';
import { openReusablePglite, type ReusablePglite } from '../../src/store/pglite-driver.js';
import { capturePristine, type Pristine, resetTo, resetWithin } from './store-reset.js';

/**
 * Fresh migrated PGlite databases without starting PGlite for each: starting costs ~1.7 s of CPU (most unit files
 * that touch the store start several), a reset ~0.1 s. A database a test closes is reset to the template's state and
 * handed to the next test of this process. A reset that cannot show the state equal to the template's (the schema,
 * roles or settings changed; a statement hangs or fails) closes that PGlite instead, and the next test gets a new one.
 */

const idle: ReusablePglite[] = [];
let pristine: Promise<Pristine> | undefined;

/** A PGlite database in the template's state; close() hands it back. */
export async function pooledPglite(template: Blob): Promise<Db> {
  const reusable = idle.pop() ?? (await openReusablePglite(template));
  if (!pristine) {
    pristine = withView(reusable, (db) => capturePristine(db, true));
    pristine.catch(() => {
      pristine = undefined;
    });
  }
  const state = await pristine;
  let handedBack = false;
  return reusable.view(async () => {
    if (handedBack) return;
    handedBack = true;
    if (await resetWithin(() => withView(reusable, (db) => resetTo(db, state, true)), 15_000)) idle.push(reusable);
    else void reusable.close().catch(() => undefined);
  });
}

async function withView<T>(reusable: ReusablePglite, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = reusable.view(async () => undefined);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
