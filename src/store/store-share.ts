/**
 * Opens, in another thread of this process, the store a coordinator's thread shared with `Db.forThread()` (the
 * notifier's thread, notify-thread.ts). Loaded only where a share arrives: the thread never needs the drivers it is
 * not given.
 */
import type { Db, StoreShare } from './db.js';

export async function openStoreShare(share: StoreShare): Promise<Db> {
  return (await import('./pglite-driver.js')).openPgliteOver(share.port);
}
