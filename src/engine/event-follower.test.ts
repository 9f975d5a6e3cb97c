import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenTransaction, openTransaction } from '../../test/support/open-transaction.js';
import { assertPostgresReachable, type FreshPostgres, freshPostgres } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { appendEvent, type EventRecord, type FollowedEvent } from '../store/repos/events.js';
import { EventFollower, type EventFollowerSettings } from './event-follower.js';

/** A follower that records the groups of the events it handles; `failing` says which to throw on. */
class Recorder extends EventFollower {
  readonly handled: string[] = [];
  readonly attempts = new Map<string, number>();
  passes = 0;
  failing: (group: string, attempt: number) => boolean = () => false;

  constructor(db: Db, settings: Partial<EventFollowerSettings> = {}) {
    super({
      db,
      logger: silentLogger,
      name: 'test follower',
      cursor: 'test',
      batch: 10,
      maxAttempts: 3,
      pollMs: 60_000,
      wakeGapMs: 0,
      heldBackWaitMs: 50,
      ...settings,
    });
  }

  protected override async beforePass(): Promise<void> {
    this.passes++;
  }

  protected async handle(e: FollowedEvent): Promise<void> {
    const group = String(e.data.group);
    const attempt = (this.attempts.get(group) ?? 0) + 1;
    this.attempts.set(group, attempt);
    if (this.failing(group, attempt)) throw new Error(`${group} failed`);
    this.handled.push(group);
  }
}

const event = (group: string) => ({ project: 'harbor', kind: 'test.event', message: group, data: { group } });

let fresh: FreshPostgres | undefined;
const followers: EventFollower[] = [];
const open: OpenTransaction[] = [];
afterEach(async () => {
  for (const f of followers.splice(0)) await f.close();
  for (const t of open.splice(0)) await t.close();
  await fresh?.drop();
  fresh = undefined;
});

async function started(db: Db, settings: Partial<EventFollowerSettings> = {}): Promise<Recorder> {
  const f = new Recorder(db, settings);
  followers.push(f);
  await f.start();
  return f;
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('an event follower', () => {
  beforeAll(assertPostgresReachable);

  it('starts at the newest event the first time, and a restart resumes from its cursor', async () => {
    fresh = await freshPostgres();
    const { db } = fresh;
    await appendEvent(db, event('before the first start'));
    const first = await started(db);
    await appendEvent(db, event('a'));
    await first.poll();
    expect(first.handled).toEqual(['a']);
    await first.close();
    await appendEvent(db, event('while down'));
    const second = await started(db);
    await second.poll();
    await second.poll();
    expect(second.handled).toEqual(['while down']);
  });

  it('handles an event whose lower id commits after a higher one', async () => {
    fresh = await freshPostgres();
    const f = await started(fresh.db);
    const slow = await openTransaction(fresh.url);
    const fast = await openTransaction(fresh.url);
    open.push(slow, fast);
    const lower = await slow.insertEvent({ kind: 'test.event', data: { group: 'slow' } });
    const higher = await fast.insertEvent({ kind: 'test.event', data: { group: 'fast' } });
    expect(lower).toBeLessThan(higher);
    await fast.commit();
    await f.poll(); // waits 50 ms for the held-back event, then leaves it to the next pass
    await slow.commit();
    // Other sessions on the shared test server may hold the snapshot's xmin back for a moment.
    const end = Date.now() + 10_000;
    while (f.handled.length < 2 && Date.now() < end) await f.poll();
    expect(f.handled.sort()).toEqual(['fast', 'slow']);
  });

  it('tries a failing event again on the next pass, never passing it, and skips it after maxAttempts', async () => {
    fresh = await freshPostgres();
    const f = await started(fresh.db);
    f.failing = (group, attempt) => group === 'poison' || (group === 'flaky' && attempt === 1);
    for (const group of ['flaky', 'poison', 'after']) await appendEvent(fresh.db, event(group));
    await f.poll(); // flaky fails
    expect(f.handled).toEqual([]);
    await f.poll(); // flaky handled, poison fails (1)
    expect(f.handled).toEqual(['flaky']);
    await f.poll(); // poison fails (2)
    expect(f.handled).toEqual(['flaky']);
    await f.poll(); // poison fails a third time and is skipped
    expect(f.handled).toEqual(['flaky', 'after']);
    expect(Object.fromEntries(f.attempts)).toEqual({ flaky: 2, poison: 3, after: 1 });
    // A restart reads nothing again: the cursor passed all three.
    await f.close();
    const again = await started(fresh.db);
    await again.poll();
    expect(again.handled).toEqual([]);
  });

  it('coalesces wake-ups into one pass, runs one more for a wake-up during it, wakes only for its kinds', async () => {
    fresh = await freshPostgres();
    let listener: ((e: EventRecord) => void) | undefined;
    const f = await started(fresh.db, {
      kinds: ['test.event'],
      wakeGapMs: 100,
      subscribe: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
    });
    const append = (group: string, kind = 'test.event') => appendEvent(fresh!.db, { ...event(group), kind });
    const handedOver = async (group: string) => listener!(await append(group));
    listener!(await append('ignored', 'test.other'));
    await new Promise((r) => setTimeout(r, 150));
    expect(f.passes).toBe(0);
    const burst = [await append('a'), await append('b'), await append('c')];
    for (const e of burst) listener!(e); // as the EventLog hands over a burst: one pass reads them all
    await until('a pass', () => f.handled.length === 3);
    await new Promise((r) => setTimeout(r, 250));
    expect(f.passes).toBe(1);
    const poll = f.poll.bind(f);
    let late: Promise<void> | undefined;
    f.poll = () => {
      const running = poll();
      late ??= handedOver('d'); // while the pass runs: its read may have missed it
      return running;
    };
    await f.poll();
    await late;
    await until('one more pass', () => f.handled.length === 4);
    await new Promise((r) => setTimeout(r, 250));
    expect(f.passes).toBe(3);
    await f.close();
    expect(listener).toBeUndefined();
  });
});
