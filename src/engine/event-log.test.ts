import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshPglite } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { appendEvent, appendEventsReturning, type EventRecord, listEvents } from '../store/repos/events.js';
import { deploymentWrite, EventLog } from './event-log.js';

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

  it('the tail hands over more than a page at once, in order, each once; never reads back emitted ones', async () => {
    // The tail's reads, seen through the background lane it reads in.
    const background = db.background();
    const read: number[] = [];
    const watched = Object.create(db) as Db;
    const lane = Object.create(background) as Db;
    let generation = 0;
    lane.query = (async (sql: string, params?: unknown[]) => {
      const began = generation;
      const result = await background.query(sql, params);
      if (sql.includes('unnest') && began === generation)
        read.push(...result.rows.map((r) => Number((r as { id: unknown }).id)));
      return result;
    }) as Db['query'];
    watched.background = () => lane;
    // Reads on the foreground lane would be seen too (and fail the first check below).
    watched.query = (async (sql: string, params?: unknown[]) => {
      if (sql.includes('unnest') || sql.includes('<> all')) read.push(-1);
      return db.query(sql, params);
    }) as Db['query'];
    const log = new EventLog(watched, silentLogger, 20);
    const got: number[] = [];
    const stop = log.subscribe((e) => got.push(e.id));
    await log.following();
    const emitted = await Promise.all(
      [1, 2, 3].map((i) => log.emit({ project: 'p', kind: 'emitted', message: `${i}`, data: {} })),
    );
    // A read under way while they were stored may return them (not handed over yet when it began): only reads
    // begun from now on count, and each of those leaves them out.
    generation++;
    read.length = 0;
    const stored = await appendEventsReturning(
      db,
      Array.from({ length: 450 }, (_, i) => ({ project: 'p', kind: 'stored', message: `${i}`, data: {} })),
    );
    await until('every stored event', () => stored.every((e) => got.includes(e.id)));
    await new Promise((r) => setTimeout(r, 100)); // more rounds of the tail: nothing is handed twice
    stop();
    const ids = [...emitted.map((e) => e!.id), ...stored.map((e) => e.id)];
    expect(got).toEqual(ids);
    expect(read).not.toContain(-1);
    expect(read.filter((id) => emitted.some((e) => e!.id === id))).toEqual([]);
  });

  it('following() settles once the tail reads the store: an event stored right after it is handed over', async () => {
    // The tail's first read of where the store stands is slow (a busy store, another connection of a pool): it must
    // still come before the subscriber's own first read, or an event stored in between is never handed over.
    const slow = Object.create(db) as Db;
    slow.query = (async (sql: string, params?: unknown[]) => {
      if (sql.includes('max(id)')) await new Promise((r) => setTimeout(r, 150));
      return db.query(sql, params);
    }) as Db['query'];
    for (let round = 0; round < 3; round++) {
      const log = new EventLog(slow, silentLogger, 20);
      const got: string[] = [];
      const stop = log.subscribe((e) => got.push(e.kind));
      await log.following();
      // Straight into the store, as another coordinator or a transaction writes: only the tail can hand it over.
      await appendEvent(db, { project: 'p', kind: `stored.${round}`, message: 'right after', data: {} });
      await until(`stored.${round}`, () => got.includes(`stored.${round}`));
      stop();
    }
  });

  it('writes events emitted at once in one statement, each emit resolving with its own stored event', async () => {
    const log = new EventLog(db, silentLogger);
    const inserts: number[] = [];
    const query = db.query.bind(db);
    db.query = ((sql: string, params?: unknown[]) => {
      if (/insert into events/.test(sql)) inserts.push(1);
      return query(sql, params);
    }) as Db['query'];
    const stored = await Promise.all(
      Array.from({ length: 12 }, (_, i) => log.emit({ project: 'p', kind: `k${i}`, message: `m${i}`, data: { i } })),
    );
    // Emitted in the same tick: one insert for all twelve.
    expect(inserts).toHaveLength(1);
    expect(stored.map((e) => [e?.kind, e?.message, e?.data])).toEqual(
      Array.from({ length: 12 }, (_, i) => [`k${i}`, `m${i}`, { i }]),
    );
    const ids = stored.map((e) => e!.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const rows = await listEvents(db, { project: 'p' });
    expect(rows.map((e) => [e.id, e.kind])).toEqual(stored.map((e) => [e!.id, e!.kind]));
  });

  it("writes a deployment's own events and changes in the store's deployment lane, the rest as given", async () => {
    // Which view each write went through: the deployment lane's view, or the one the log was made with.
    const seen: string[] = [];
    const through = (name: string, view: Db): Db =>
      ({
        ...view,
        driver: view.driver,
        query: (sql: string, params?: unknown[]) => {
          if (/insert into events/.test(sql)) seen.push(name);
          return view.query(sql, params);
        },
        transaction: (fn: Parameters<Db['transaction']>[0]) => {
          seen.push(`${name} transaction`);
          return view.transaction(fn);
        },
      }) as Db;
    const lane = through('deployment', db.deployment());
    const log = new EventLog({ ...through('foreground', db), deployment: () => lane } as Db, silentLogger);
    await log.emit({ project: 'p', kind: 'alert.firing', message: 'other work', data: {} });
    await log.emit(
      { project: 'p', deploymentId: 'dep_1', kind: 'deployment.step.started', message: 's', data: {} },
      deploymentWrite,
    );
    // Emitted together, one batch: it carries a deployment's own event, so it goes in that lane.
    await Promise.all([
      log.emit({ project: 'p', kind: 'alert.firing', message: 'beside', data: {} }),
      log.emit(
        { project: 'p', deploymentId: 'dep_2', kind: 'deployment.step.started', message: 's', data: {} },
        deploymentWrite,
      ),
    ]);
    await log.record(
      'dep_1',
      async () => 1,
      () => ({ project: 'p', kind: 'deployment.finished', message: 'f', data: {} }),
      deploymentWrite,
    );
    expect(seen).toEqual(['foreground', 'deployment', 'deployment', 'deployment transaction']);
    expect(await listEvents(db, { project: 'p' })).toHaveLength(5);
  });

  it('an event the store refuses fails alone: the others of its batch are stored', async () => {
    const log = new EventLog(db, silentLogger);
    const results = await Promise.all([
      log.emit({ project: 'p', kind: 'first', message: 'alone', data: {} }),
      log.emit({ project: 'p', kind: 'good', message: 'ok', data: {} }),
      log.emit({ project: 'p', kind: 'bad', message: 'a NUL \u0000 here', data: {} }),
      log.emit({ project: 'p', kind: 'also.good', message: 'ok', data: {} }),
    ]);
    expect(results.map((e) => e?.kind)).toEqual(['first', 'good', undefined, 'also.good']);
    expect((await listEvents(db, { project: 'p' })).map((e) => e.kind)).toEqual(['first', 'good', 'also.good']);
  });
  describe('record: a change and its event in one transaction', () => {
    const ev = (kind: string, message = kind) => ({ project: 'p', deploymentId: 'dep_1', kind, message, data: {} });
    const rows = async () => (await db.query<{ x: number }>('select x from scratch order by x')).rows.map((r) => r.x);
    beforeEach(async () => {
      await db.exec('create table scratch (x int)');
    });

    it("keeps the order of the deployment's events emitted around it, and hands the event to listeners", async () => {
      const log = new EventLog(db, silentLogger, 20);
      const got: string[] = [];
      const stop = log.subscribe((e) => got.push(e.kind));
      await log.following();
      const [, changed] = await Promise.all([
        log.emit(ev('a')),
        log.record(
          'dep_1',
          (tx) => tx.query('insert into scratch values (1) returning x').then((r) => r.rows[0]),
          (row) => ev('b', `made ${JSON.stringify(row)}`),
        ),
        log.emit(ev('c')),
      ]);
      expect(changed).toEqual({ x: 1 });
      const stored = await listEvents(db, { deploymentId: 'dep_1' });
      expect(stored.map((e) => [e.kind, e.message])).toEqual([
        ['a', 'a'],
        ['b', 'made {"x":1}'],
        ['c', 'c'],
      ]);
      await until('the recorded event handed over', () => got.includes('b'));
      stop();
    });

    it('a failed change rejects and stores no event; an event the store refuses leaves the change made', async () => {
      const log = new EventLog(db, silentLogger);
      const failed = await log
        .record(
          'dep_1',
          (tx) => tx.query('insert into scratch values (1/0)'),
          () => ev('never'),
        )
        .catch((e: Error) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(await listEvents(db, { deploymentId: 'dep_1' })).toEqual([]);
      const made = await log.record(
        'dep_1',
        (tx) => tx.query('insert into scratch values (2)').then(() => 'made'),
        () => ev('bad', 'a NUL \u0000 here'),
      );
      expect(made).toBe('made');
      expect(await rows()).toEqual([2]);
      expect(await listEvents(db, { deploymentId: 'dep_1' })).toEqual([]);
    });
  });
});
