import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import type { Db } from './db.js';
import { realignEventTransactions } from './event-transactions.js';
import { appendEvent, type EventPosition, listFinishedEvents, startOfEvents } from './repos/events.js';
import { getEventCursor, setEventCursor } from './repos/event-cursors.js';
import { lockCursor } from './repos/notify-deliveries.js';

describe('event positions restored from another cluster', () => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDb();
  });
  afterEach(async () => {
    await db.close();
  });

  const newEvent = (message: string) =>
    appendEvent(db, { project: 'harbor', kind: 'deployment.started', message, data: {} });

  /**
   * The events after `after` once `n` of them are finished. An event counts as finished only when every transaction
   * older than its own has ended, in the whole cluster: test files running beside this one write in other databases
   * of the same server, so an event can wait a moment for theirs.
   */
  const finishedAfter = async (after: () => Promise<EventPosition>, n: number) => {
    for (let tries = 0; ; tries++) {
      const { events } = await listFinishedEvents(db, { after: await after(), limit: 10 });
      if (events.length >= n || tries >= 100) return events.map((e) => e.id);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('moves positions ahead of this cluster to transaction 0: the new events are read after the old', async () => {
    const read = await newEvent('read before the backup');
    const unread = await newEvent('not yet read at the backup');
    // The old cluster was a million transactions further on.
    await db.query(`update events set xid = (pg_current_xact_id()::text::bigint + 1000000)::text::xid8`);
    const { rows } = await db.query<{ xid: string }>('select xid::text as xid from events where id = $1', [read.id]);
    await db.query('update notify_cursor set xid = $1::xid8, event_id = $2', [rows[0]!.xid, read.id]);
    await setEventCursor(db, 'incidents', { xid: BigInt(rows[0]!.xid), id: read.id });
    const fresh = await newEvent('after the restore');
    // Before: the new event sorts before the cursor and is never read.
    const before = await listFinishedEvents(db, { after: await db.transaction(lockCursor), limit: 10 });
    expect(before.events.map((e) => e.id)).toEqual([]);

    expect(await realignEventTransactions(db)).toBe(2);
    expect(await finishedAfter(() => db.transaction(lockCursor), 2)).toEqual([unread.id, fresh.id]);
    expect(await finishedAfter(() => getEventCursor(db, 'incidents'), 2)).toEqual([unread.id, fresh.id]);
    // Nothing ahead any more: a second open changes nothing.
    expect(await realignEventTransactions(db)).toBe(0);
  });

  it('leaves the events of this cluster alone', async () => {
    const a = await newEvent('a');
    const b = await newEvent('b');
    expect(await realignEventTransactions(db)).toBe(0);
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from events where xid = '0'`);
    expect(rows[0]!.n).toBe(0);
    expect(await finishedAfter(async () => startOfEvents, 2)).toEqual(expect.arrayContaining([a.id, b.id]));
  });
});
