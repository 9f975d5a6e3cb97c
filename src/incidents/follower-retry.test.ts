import { afterEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { getEventCursor } from '../store/repos/event-cursors.js';
import { appendEvent, comparePositions, type EventRecord, toPosition } from '../store/repos/events.js';
import { listIncidents } from '../store/repos/incidents.js';
import { IncidentFollower } from './follower.js';

let db: Db | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

const critical = (group: string) => ({
  project: 'harbor',
  environment: 'staging',
  kind: 'alert.firing',
  message: `firing ${group}`,
  data: { rule: 'error-rate-high', severity: 'critical', groupKey: group },
});

describe('the follower when handling an event fails', () => {
  it('retries the event on the next pass, never passing it; a permanent failure is skipped after 5 tries', async () => {
    db = await freshDb();
    const follower = new IncidentFollower(db, silentLogger, { pollMs: 60_000 });
    await follower.start();
    const flaky = await appendEvent(db, critical('flaky'));
    const poison = await appendEvent(db, critical('poison'));
    const after = await appendEvent(db, critical('after'));
    const opener = (follower as unknown as { opener: { handle(e: EventRecord): Promise<void> } }).opener;
    const handle = opener.handle.bind(opener);
    let flakyFailures = 0;
    opener.handle = async (e) => {
      if (e.id === flaky.id && flakyFailures < 2) {
        flakyFailures++;
        throw new Error('connection reset');
      }
      if (e.id === poison.id) throw new Error('always');
      return handle(e);
    };

    const positionOf = async (e: EventRecord) => {
      const { rows } = await db!.query('select xid::text as xid from events where id = $1', [e.id]);
      return toPosition(rows[0]!.xid, e.id);
    };
    const cursorVersus = async (e: EventRecord) =>
      Math.sign(comparePositions(await getEventCursor(db!, 'incidents'), await positionOf(e)));

    await follower.poll(); // flaky fails: nothing passes it
    expect(await cursorVersus(flaky)).toBe(-1);
    await follower.poll(); // flaky fails again
    await follower.poll(); // flaky handled; poison fails (1)
    expect((await listIncidents(db, { project: 'harbor' })).map((i) => i.alertGroup)).toEqual(['flaky']);
    expect(await cursorVersus(flaky)).toBe(0);
    for (let i = 0; i < 4; i++) await follower.poll(); // poison fails 4 more times, then is skipped
    expect(await cursorVersus(after)).toBe(1); // and the incident.opened events
    expect((await listIncidents(db, { project: 'harbor' })).map((i) => i.alertGroup).sort()).toEqual([
      'after',
      'flaky',
    ]);
    await follower.close();
  });
});
