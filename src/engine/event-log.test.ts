import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshPglite } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { appendEvent, type EventRecord } from '../store/repos/events.js';
import { EventLog } from './event-log.js';

let db: Db;
beforeEach(async () => {
  db = await freshPglite();
});
afterEach(async () => {
  await db.close();
});

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`waited in vain for ${what}`);
};

describe('EventLog', () => {
  it('hands listeners events emitted and appended in a transaction, each once, none from before', async () => {
    const log = new EventLog(db, silentLogger, 20);
    await appendEvent(db, { project: 'p', kind: 'before.listening', message: 'old', data: {} });
    const got: EventRecord[] = [];
    const stop = log.subscribe((e) => got.push(e));
    await new Promise((r) => setTimeout(r, 100)); // the tail has read where the store stands
    await log.emit({ project: 'p', kind: 'emitted', message: 'through emit', data: {} });
    await db.transaction((tx) =>
      appendEvent(tx, { project: 'p', kind: 'incident.opened', message: 'in a tx', data: {} }),
    );
    await until('the appended event', () => got.some((e) => e.kind === 'incident.opened'));
    await new Promise((r) => setTimeout(r, 100)); // more rounds of the tail: nothing is handed twice
    expect(got.map((e) => e.kind)).toEqual(['emitted', 'incident.opened']);
    stop();
    await appendEvent(db, { project: 'p', kind: 'after.leaving', message: 'nobody listens', data: {} });
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(2);
  });
});
