import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dispatchUntilWritten, storeProject } from '../../test/support/notify-fixtures.js';
import { type OpenTransaction, openTransaction } from '../../test/support/open-transaction.js';
import { assertPostgresReachable, type FreshPostgres, freshPostgres } from '../../test/support/store.js';
import type { Db } from '../store/db.js';
import { Dispatcher } from './dispatcher.js';

let fresh: FreshPostgres | undefined;
const open: OpenTransaction[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  await fresh?.drop();
  fresh = undefined;
});

/** A dispatcher of a project whose deployment starts are sent to one Slack service. */
async function slackDispatcher(db: Db): Promise<Dispatcher> {
  await storeProject(db, {
    services: { chat: { type: 'slack', url: 'secret:SLACK_URL' } },
    subscriptions: [{ on: ['on-deployment-started'], to: ['chat'] }],
  });
  return new Dispatcher({ db, linkBase: 'http://127.0.0.1:7420' });
}

describe('the dispatcher on PostgreSQL with concurrent writers', () => {
  beforeAll(assertPostgresReachable);

  it('delivers an event whose lower id commits after a higher one was dispatched', async () => {
    fresh = await freshPostgres();
    const { db } = fresh;
    const dispatcher = await slackDispatcher(db);
    const slow = await openTransaction(fresh.url);
    const fast = await openTransaction(fresh.url);
    open.push(slow, fast);
    const lower = await slow.insertEvent({ kind: 'deployment.started', data: {} });
    const higher = await fast.insertEvent({ kind: 'deployment.started', data: {} });
    expect(lower).toBeLessThan(higher);
    await fast.commit();
    await dispatcher.dispatchAll(); // the higher id is visible, the lower one not yet
    await slow.commit();

    const dispatched = async () =>
      (await db.query<{ event_id: string }>('select event_id from notify_deliveries order by event_id')).rows.map((r) =>
        Number(r.event_id),
      );
    // Other sessions on the shared test server may hold the snapshot's xmin back for a moment: dispatch until both
    // are in, or give up after 10 s (with ids the lower one is never read again, however long this waits).
    const end = Date.now() + 10_000;
    while ((await dispatched()).length < 2 && Date.now() < end) {
      await dispatcher.dispatchAll();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await dispatched()).toEqual([lower, higher]);
  });

  it('does not pass an event of a transaction still running, and says it is held back', async () => {
    fresh = await freshPostgres();
    const { db } = fresh;
    const dispatcher = await slackDispatcher(db);
    const running = await openTransaction(fresh.url);
    open.push(running);
    await running.insertEvent({ kind: 'deployment.started', data: {} });
    const committed = await openTransaction(fresh.url);
    open.push(committed);
    await committed.insertEvent({ kind: 'deployment.started', data: {} });
    await committed.commit();
    expect(await dispatcher.dispatchAll()).toBe(0);
    expect(dispatcher.heldBack).toBe(true);
    await running.close(); // rolled back: the other one is read, and nothing waits any more
    expect(await dispatchUntilWritten(dispatcher)).toBe(1);
    expect(dispatcher.heldBack).toBe(false);
  });
});

describe('two dispatchers at once (a leader that just lost the lease and the new one)', () => {
  beforeAll(assertPostgresReachable);

  it('write each delivery once and never move the cursor back', async () => {
    fresh = await freshPostgres();
    const { db } = fresh;
    const first = await slackDispatcher(db);
    const second = new Dispatcher({ db, linkBase: 'http://127.0.0.1:7420', batch: 1 });
    for (let i = 0; i < 2; i++) {
      const t = await openTransaction(fresh.url);
      open.push(t);
      await t.insertEvent({ kind: 'deployment.started', data: {} });
      await t.commit();
    }
    // Both read from the same cursor; the one whose transaction comes second finds it moved and writes nothing.
    const [a, b] = await Promise.all([first.dispatchOnce(), second.dispatchOnce()]);
    expect(a.deliveries + b.deliveries).toBeLessThanOrEqual(2);
    const count = async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from notify_deliveries')).rows[0]!.n;
    // Until both are in (another test's transaction on the shared server can hold the bound back for a moment).
    const end = Date.now() + 10_000;
    while ((await count()) < 2 && Date.now() < end) await first.dispatchAll();
    expect(await count()).toBe(2);
    // Past both events: nothing is read again.
    expect((await first.dispatchOnce()).events).toBe(0);
  });
});

describe('the dispatcher beside other databases of the same server', () => {
  beforeAll(assertPostgresReachable);

  it("is not held back by a write transaction in another database (an application's long migration)", async () => {
    fresh = await freshPostgres();
    const other = await freshPostgres();
    const { db } = fresh;
    try {
      const dispatcher = await slackDispatcher(db);
      // A transaction in the other database that has written (so it holds an xid older than the event below) and
      // stays open for the whole test.
      const migration = await openTransaction(other.url);
      open.push(migration);
      await migration.insertEvent({ kind: 'migration.long', data: {} });
      const here = await openTransaction(fresh.url);
      open.push(here);
      await here.insertEvent({ kind: 'deployment.started', data: {} });
      await here.commit();
      // Other test files' transactions on the server may still hold it a moment; the open one must not, for ever.
      expect(await dispatchUntilWritten(dispatcher)).toBe(1);
    } finally {
      for (const t of open.splice(0)) await t.close();
      await other.drop();
    }
  });
});
