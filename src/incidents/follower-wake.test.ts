import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../engine/event-log.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import { listIncidents } from '../store/repos/incidents.js';
import { freshDb } from '../../test/support/store.js';
import { IncidentFollower } from './follower.js';

/**
 * The follower polls only as a safety net when it is given the EventLog: events wake it. Its poll is set to a
 * minute here, so each incident below can only open through a wake-up.
 */
let db: Db | undefined;
let follower: IncidentFollower | undefined;
afterEach(async () => {
  await follower?.close();
  await db?.close();
  follower = undefined;
  db = undefined;
});

const critical = (group: string) => ({
  project: 'harbor',
  environment: 'staging',
  kind: 'alert.firing',
  message: `error-rate-high firing (${group})`,
  data: { rule: 'error-rate-high', severity: 'critical', groupKey: group },
});

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const groups = async (store: Db) => {
  const list = (await listIncidents(store, { project: 'harbor' })).map((i) => i.alertGroup).sort();
  return list;
};

describe('the incident follower woken by events', () => {
  it('opens incidents of events recorded through the EventLog and of events written into the store', async () => {
    const store = await freshDb();
    db = store;
    const events = new EventLog(store, silentLogger, 50);
    follower = new IncidentFollower(store, silentLogger, {
      pollMs: 60_000,
      wakeGapMs: 50,
      subscribe: (listener) => events.subscribe(listener),
    });
    await follower.start();
    await events.emit(critical('emitted'));
    await until('the emitted event’s incident', async () =>
      (await groups(store)).includes('emitted') ? true : undefined,
    );
    // As alerts and incidents write theirs, inside their transaction: the log's tail reads it and wakes the follower.
    await appendEvent(store, critical('stored'));
    await until('the stored event’s incident', async () => ((await groups(store)).length === 2 ? true : undefined));
    expect(await groups(store)).toEqual(['emitted', 'stored']);
  });

  it('coalesces wake-ups before a pass, runs one more for a wake-up during it, none after close', async () => {
    const store = await freshDb();
    db = store;
    let passes = 0;
    let listener: (() => void) | undefined;
    follower = new IncidentFollower(store, silentLogger, {
      pollMs: 60_000,
      wakeGapMs: 0,
      subscribe: (l) => {
        listener = l as () => void;
        return () => (listener = undefined);
      },
    });
    await follower.start();
    const poll = follower.poll.bind(follower);
    follower.poll = () => {
      passes++;
      const running = poll();
      if (passes === 1) listener!(); // an event while the first pass runs: its read may have missed it
      return running;
    };
    listener!();
    listener!();
    listener!(); // three before the pass began: one pass reads them all
    await until('two passes', async () => (passes >= 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(passes).toBe(2);
    await follower.close();
    expect(listener).toBeUndefined();
  });
});
