import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../../test/support/store.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { ensureDsnKey } from '../../observe/errors/dsn.js';
import { ErrorIngest } from '../../observe/errors/error-ingest.js';
import { StoredErrorWindows } from '../../observe/errors/error-windows.js';
import { silentLogger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { ErrorSignalSource } from './error-source.js';

/** The errors source over the ingest's store: what each release reported, and which issues are new. */
let db: Db;
beforeAll(async () => {
  db = await freshDb();
  const ingest = new ErrorIngest({ db, logger: silentLogger });
  const key = await ensureDsnKey(db, 'harbor', 'staging');
  const send = (items: [string, unknown][]) => ingest.ingest(key, envelopeOf(items), undefined, 'envelope');
  const known = { type: 'TimeoutError', value: 'ledger timed out', frames: ['main', 'post'] };
  await send([
    ['event', sentryEvent({ ...known, release: '1.0.0' })],
    ['event', sentryEvent({ ...known, release: '2.0.0' })],
    ...Array.from(
      { length: 4 },
      () => ['event', sentryEvent({ type: 'NewError', release: '2.0.0', handled: false })] as [string, unknown],
    ),
    [
      'sessions',
      { aggregates: [{ started: new Date().toISOString(), exited: 40, crashed: 2 }], attrs: { release: '2.0.0' } },
    ],
  ]);
  await ingest.close();
});
afterAll(() => db?.close());

describe('errors signal source', () => {
  it('one errors measurement: events, issues (new or seen in stable), sessions per release', async () => {
    const source = new ErrorSignalSource({ reader: new StoredErrorWindows(db) });
    const now = Date.now();
    const [m] = await source.measure({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      stable: '1.0.0',
      candidate: '2.0.0',
      from: now - 60_000,
      to: now + 1000,
      baselineUntil: now - 60_000,
    });
    expect(m).toMatchObject({ phase: 'ok', kind: 'errors', source: 'errors', metric: 'errors' });
    if (m?.phase !== 'ok' || m.kind !== 'errors') throw new Error('not an errors measurement');
    expect(m.candidate).toMatchObject({ events: 5, sessions: 42, crashedSessions: 2 });
    expect(m.candidate.issues.map((i) => [i.title.split(':')[0], i.count, i.unhandled, i.seenInOther])).toEqual([
      ['NewError', 4, true, false],
      ['TimeoutError', 1, false, true],
    ]);
    expect(m.candidate.issues[0]!.culprit).toBe('handle (/srv/app/src/handle.js:11)');
    expect(m.stable).toMatchObject({ events: 1, sessions: 0 });
    expect(m.baseline).toMatchObject({ events: 0, issues: [] });
  });
});
