import { afterEach, describe, expect, it } from 'vitest';
import { dispatchUntilWritten, storeProject } from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import type { Db } from '../store/db.js';
import { appendEvents } from '../store/repos/events.js';
import { Dispatcher } from './dispatcher.js';

/**
 * The worker no longer polls the outbox every 250 ms: the dispatcher tells it after each pass that wrote deliveries,
 * not only once a whole burst is dispatched (a burst's first deliveries waited ~2 s in bench:notify otherwise).
 */
let db: Db | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe('Dispatcher.dispatchAll', () => {
  it('tells after each pass that wrote deliveries, while more are still to dispatch', async () => {
    const store = await freshDb();
    db = store;
    await storeProject(store, {
      services: { chat: { type: 'slack', url: 'secret:SLACK_URL' } },
      subscriptions: [{ on: ['on-deployment-started'], to: ['chat'] }],
    });
    const started = { project: 'harbor', service: 'api', environment: 'staging', kind: 'deployment.started', data: {} };
    await appendEvents(
      store,
      Array.from({ length: 25 }, (_, i) => ({ ...started, message: `started ${i}` })),
    );
    const dispatcher = new Dispatcher({ db: store, linkBase: 'http://127.0.0.1:7420', batch: 10 });
    const calls: Promise<number>[] = [];
    const count = async () =>
      (await store.query<{ n: number }>('select count(*)::int as n from notify_deliveries')).rows[0]!.n;
    // The 25 events are one transaction's: a pass reads all of them or, held back, none.
    const total = await dispatchUntilWritten(dispatcher, () => calls.push(count()));
    expect(total).toBe(25);
    // Told after each of the three passes (10, 10, 5), the first two before the rest was written.
    expect(await Promise.all(calls)).toEqual([10, 20, 25]);
  });
});
