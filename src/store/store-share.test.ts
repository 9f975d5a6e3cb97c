import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { openPglite } from './pglite-driver.js';
import { openStoreShare } from './store-share.js';

// A port works within one thread as between two, so these tests use the share here; notify-thread.test.ts opens one
// in a thread of its own. One PGlite thread for the file: each costs ~5 s of CPU to start.
const slow = 120_000;

let db: Db;
beforeAll(async () => {
  db = await openPglite({ thread: true });
  await db.exec('create table shared_rows (n int primary key)');
}, slow);
afterAll(async () => {
  await db?.close();
});

it(
  "runs a share's statements on the same database as the coordinator's thread, and closing it closes only the share",
  async () => {
    const share = await openStoreShare(db.forThread!()!);
    await share.query('insert into shared_rows values (1)');
    await db.query('insert into shared_rows values (2)');
    expect((await share.background().query('select n from shared_rows order by n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    await share.transaction(async (tx) => {
      await tx.query('insert into shared_rows values (3)');
    });
    await share.close();
    await expect(share.query('select 1')).rejects.toThrow(StoreError);
    expect((await db.query('select count(*)::int as n from shared_rows')).rows).toEqual([{ n: 3 }]);
    await db.query('delete from shared_rows');
  },
  slow,
);

it(
  'rolls back the transaction of a share whose thread goes away mid-transaction, and the store goes on',
  async () => {
    const handle = db.forThread!()!;
    const share = await openStoreShare(handle);
    const left = share.transaction(async (tx) => {
      await tx.query('insert into shared_rows values (10)');
      // The thread ends here (its ports close with it), the transaction still open.
      handle.port.close();
      await tx.query('insert into shared_rows values (11)');
    });
    await expect(left).rejects.toThrow();
    // Had the transaction stayed open, this would wait for it for ever.
    expect((await db.query('select count(*)::int as n from shared_rows')).rows).toEqual([{ n: 0 }]);
    await db.transaction((tx) => tx.query('insert into shared_rows values (12)'));
    expect((await db.query('select n from shared_rows')).rows).toEqual([{ n: 12 }]);
  },
  slow,
);

it(
  'has no share for PGlite on this thread (tests), nor once closed',
  async () => {
    const inProcess = await openPglite();
    try {
      expect(inProcess.forThread?.()).toBeUndefined();
    } finally {
      await inProcess.close();
    }
    const closing = await openPglite({ thread: true });
    await closing.close();
    expect(closing.forThread?.()).toBeUndefined();
  },
  slow,
);
