import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../../test/support/store.js';
import type { Db } from '../db.js';
import { jsonParam } from '../params.js';
import {
  claimDue,
  claimSql,
  finishAndClaimSql,
  finishAttempts,
  finishSql,
  getNotifyRef,
  insertNotifyDeliveries,
  listNotifyDeliveries,
  type NewNotifyDelivery,
  readCursor,
  releaseUnattempted,
  setNotifyRef,
  writeDispatch,
} from './notify-deliveries.js';

/** The outbox queries the worker's passes and batches rely on. */
describe('notification outbox', () => {
  let db: Db;
  let n = 0;
  const delivery = (trigger: string, target = 'chat', project: string | null = 'harbor'): NewNotifyDelivery => {
    n += 1;
    return {
      key: `slipway-${n}-0-${target}`,
      eventId: n,
      ...(project ? { project } : {}),
      trigger,
      target,
      targetType: 'slack',
      message: { title: `message ${n}` },
    };
  };
  const keys = (list: { key: string }[]) => list.map((d) => d.key);

  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.query('delete from notify_deliveries');
    await db.query('delete from notify_refs');
    await db.query(`update notify_cursor set xid = '0', event_id = 0 where id = 1`);
  });

  it('a dispatch writes and moves the cursor only while the cursor stands where the pass read it', async () => {
    const start = await readCursor(db);
    const to = { xid: start.xid + 5n, id: 7 };
    expect(await writeDispatch(db, start, [delivery('on-deployment-started')], to)).toBe(1);
    expect(await readCursor(db)).toEqual(to);
    // A pass that read from the old position (another dispatcher moved the cursor since): nothing written.
    const late = delivery('on-deployment-started');
    expect(await writeDispatch(db, start, [late], { xid: start.xid + 9n, id: 9 })).toBeUndefined();
    expect(await readCursor(db)).toEqual(to);
    expect(keys(await listNotifyDeliveries(db))).not.toContain(late.key);
    // A re-read event's delivery is not inserted twice; a position that is not further leaves the cursor.
    const again = delivery('on-deployment-started');
    expect(await writeDispatch(db, to, [again], to)).toBe(1);
    expect(await writeDispatch(db, to, [again], start)).toBe(0);
    expect(await readCursor(db)).toEqual(to);
  });

  const soon = () => new Date(Date.now() + 1000);
  const all = { rooms: {}, otherwise: 100, limit: 100 };

  it('claims urgent deliveries first, then the oldest, each service up to its room', async () => {
    const started = [1, 2, 3, 4].map(() => delivery('on-deployment-started'));
    const other = [1, 2].map(() => delivery('on-deployment-started', 'ops'));
    const failed = delivery('on-deployment-failed');
    const rolledBack = delivery('on-deployment-rolled-back', 'ops');
    await insertNotifyDeliveries(db, [...started, ...other, failed, rolledBack]);

    // chat has room for two: its urgent one and its oldest; ops (not listed) has the room `otherwise` says.
    const claimed = await claimDue(db, soon(), { rooms: { 'harbor/chat': 2 }, otherwise: 2, limit: 100 });
    expect(keys(claimed)).toEqual([failed.key, rolledBack.key, started[0]!.key, other[0]!.key]);
    expect(claimed.every((d) => d.state === 'sending' && d.attempts === 1)).toBe(true);

    // A full service (room 0) still takes an urgent delivery; a claimed one is never claimed twice.
    const urgentToo = delivery('on-incident-opened');
    await insertNotifyDeliveries(db, [urgentToo]);
    expect(
      keys(await claimDue(db, soon(), { rooms: { 'harbor/chat': 0, 'harbor/ops': 0 }, otherwise: 0, limit: 9 })),
    ).toEqual([urgentToo.key]);
    // The overall limit keeps the oldest.
    expect(keys(await claimDue(db, soon(), { ...all, limit: 2 }))).toEqual([started[1]!.key, started[2]!.key]);
  });

  it('leaves a long, old backlog of one service from starving the others', async () => {
    const stuck = Array.from({ length: 30 }, () => delivery('on-deployment-started', 'stuck'));
    const fresh = delivery('on-deployment-started');
    await insertNotifyDeliveries(db, [...stuck, fresh]);
    const claimed = await claimDue(db, soon(), { rooms: { 'harbor/stuck': 4 }, otherwise: 8, limit: 10 });
    expect(claimed.filter((d) => d.target === 'stuck')).toHaveLength(4);
    expect(keys(claimed)).toContain(fresh.key);
  });

  /** The nodes of the claim's plan as it ran (EXPLAIN ANALYZE) with 3,000 pending, one service's room 8. */
  const claimPlanNodes = async (): Promise<Record<string, unknown>[]> => {
    await insertNotifyDeliveries(
      db,
      Array.from({ length: 3000 }, () => delivery('on-deployment-started')),
    );
    await insertNotifyDeliveries(db, [delivery('on-deployment-failed', 'ops')]);
    const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${claimSql}`, [
      soon(),
      jsonParam({ 'harbor/chat': 8 }),
      8,
      100,
    ]);
    return planNodes(rows[0]!['QUERY PLAN']);
  };
  /** Every node of a plan EXPLAIN (FORMAT JSON) gave (a string on some drivers). */
  const planNodes = (plan: unknown): Record<string, unknown>[] => {
    const nodes: Record<string, unknown>[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const n = node as Record<string, unknown>;
        if (typeof n['Node Type'] === 'string') nodes.push(n);
        Object.values(n).forEach(walk);
      }
    };
    walk(typeof plan === 'string' ? JSON.parse(plan) : plan);
    return nodes;
  };
  /** A node's rows over all its loops. */
  const overLoops = (n: Record<string, unknown>, rows: unknown) => Number(rows) * Number(n['Actual Loops'] ?? 1);

  it("reads each queue's due deliveries from the queue's index, not by filtering every pending row", async () => {
    // A burst leaves thousands pending; a claim (on PGlite, in the thread a deployment step's writes wait in) must
    // not read them all. Before schema 023 the planner read both branches of each queue from notify_deliveries_due:
    // every pending row, filtered (on PGlite, which never analyses, it takes the table for as small as it was made).
    const removed = (await claimPlanNodes())
      .filter((n) => typeof n['Rows Removed by Filter'] === 'number')
      .map((n) => overLoops(n, n['Rows Removed by Filter']));
    expect(removed.length).toBeGreaterThan(0);
    expect(Math.max(...removed)).toBeLessThan(50);
  });

  it('updates the claimed rows by their ids, without reading every pending row again', async () => {
    // The claim's update once joined the chosen ids with a bitmap scan of every pending row: the planner, without
    // statistics on PGlite, took the partial queue index for the cheapest way to them. Every scan in the plan now
    // reads about what the claim takes. (With a few hundred rows in all the update may read the table whole,
    // which is cheaper there: hence 3,000.)
    const scanned = (await claimPlanNodes())
      .filter((n) => String(n['Node Type']).includes('Scan') && typeof n['Actual Rows'] === 'number')
      .map((n) => ({ node: n['Node Type'], rows: overLoops(n, n['Actual Rows']) }));
    expect(scanned.length).toBeGreaterThan(0);
    expect(scanned.filter((s) => s.rows > 20)).toEqual([]);
  });

  it('records ended attempts by primary key even with a plan made while the outbox was small', async () => {
    // PGlite never analyses and keeps prepared statements' plans: joined on d.id = x.id alone, a generic plan made
    // on a small outbox read all of it for each batch of ends (an index scan of every row, hashed against the batch).
    const scans = await db.transaction(async (tx) => {
      await tx.query('set local plan_cache_mode = force_generic_plan');
      const untyped = (sql: string) => sql.replace(/\$(\d)::jsonb/g, '$$$1');
      await tx.query(`prepare t_finish(jsonb, jsonb) as ${untyped(finishSql)}`);
      await tx.query(
        `prepare t_finish_claim(timestamptz, jsonb, int, int, jsonb, jsonb) as ${untyped(finishAndClaimSql)}`,
      );
      const ends = async (n: number) => {
        const ids = (await claimDue(tx, soon(), { ...all, limit: n })).map((d) => d.id);
        return jsonParam(
          ids.map((id) => ({ id, state: 'sent', status: 200, error: null, next_at: null, uncounted: false })),
        );
      };
      // EXECUTE takes no bound parameters: literals (this test's own values).
      const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
      const room = `${lit(soon().toISOString())}, ${lit(jsonParam({}))}, 8, 20`;
      // Planned now, on 10 deliveries.
      await insertNotifyDeliveries(
        tx,
        Array.from({ length: 10 }, () => delivery('on-deployment-started')),
      );
      await tx.query(`execute t_finish(${lit(await ends(5))}, '[]')`);
      await tx.query(`execute t_finish_claim(${room}, ${lit(await ends(5))}, '[]')`);
      await insertNotifyDeliveries(
        tx,
        Array.from({ length: 3000 }, () => delivery('on-deployment-started')),
      );
      const explain = async (sql: string) =>
        (await tx.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${sql}`)).rows[0]!['QUERY PLAN'];
      const plans = [
        await explain(`execute t_finish(${lit(await ends(20))}, '[]')`),
        await explain(`execute t_finish_claim(${room}, ${lit(await ends(20))}, '[]')`),
      ];
      await tx.query('deallocate t_finish');
      await tx.query('deallocate t_finish_claim');
      return plans.map((plan) =>
        planNodes(plan)
          .filter((n) => String(n['Node Type']).includes('Scan') && n['Relation Name'] === 'notify_deliveries')
          .map((n) => overLoops(n, n['Actual Rows'])),
      );
    });
    for (const rows of scans) {
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r) => r > 50)).toEqual([]);
    }
  });

  it('does not claim a retry before it is due', async () => {
    await insertNotifyDeliveries(db, [delivery('on-deployment-failed')]);
    const [first] = await claimDue(db, soon(), all);
    await finishAttempts(db, [
      { id: first!.id, state: 'pending', error: 'HTTP 503', nextAt: new Date(Date.now() + 60_000) },
    ]);
    expect(await claimDue(db, soon(), all)).toEqual([]);
    expect(keys(await claimDue(db, new Date(Date.now() + 61_000), all))).toEqual([first!.key]);
  });

  it('records a batch of attempt ends in one statement, each with its own state and answer', async () => {
    await insertNotifyDeliveries(
      db,
      [1, 2, 3].map(() => delivery('on-deployment-started')),
    );
    const claimed = await claimDue(db, soon(), all);
    expect(claimed).toHaveLength(3);
    const [a, b, c] = claimed.sort((x, y) => x.id - y.id);
    const later = new Date(Date.now() + 30_000);
    await finishAttempts(db, [
      { id: a!.id, state: 'sent', status: 200 },
      { id: b!.id, state: 'failed', status: 404, error: 'HTTP 404: no such channel' },
      { id: c!.id, state: 'pending', status: 503, error: 'HTTP 503', nextAt: later },
    ]);
    const byId = new Map((await listNotifyDeliveries(db)).map((d) => [d.id, d]));
    expect(byId.get(a!.id)).toMatchObject({ state: 'sent', lastStatus: 200, attempts: 1 });
    expect(byId.get(a!.id)!.sentAt).toBeInstanceOf(Date);
    expect(byId.get(b!.id)).toMatchObject({ state: 'failed', lastStatus: 404, lastError: 'HTTP 404: no such channel' });
    expect(byId.get(b!.id)!.sentAt).toBeUndefined();
    expect(byId.get(c!.id)).toMatchObject({ state: 'pending', lastStatus: 503, attempts: 1 });
    expect(byId.get(c!.id)!.nextAt.getTime()).toBe(later.getTime());
  });

  it('a claim writes the ended attempts it carries first, with their events, and never claims them', async () => {
    await insertNotifyDeliveries(
      db,
      [1, 2, 3].map(() => delivery('on-deployment-started')),
    );
    const [a, b] = (await claimDue(db, soon(), { ...all, limit: 2 })).sort((x, y) => x.id - y.id);
    // A kind of its own, so the other tests' counts of notification.* events are not this test's.
    const sentEvent = { project: 'harbor', kind: 'test.carried-by-claim', message: 'sent to chat', data: { n: 1 } };
    // a sent, b put back due at once: the claim reads the outbox as it was, so b is not taken by it; the third is.
    const claimed = await claimDue(db, soon(), all, {
      ends: [
        { id: a!.id, state: 'sent', status: 200 },
        { id: b!.id, state: 'pending', error: 'HTTP 503', status: 503, nextAt: new Date(Date.now() - 1000) },
      ],
      events: [sentEvent],
    });
    expect(claimed.map((d) => d.id)).not.toContain(b!.id);
    expect(claimed).toHaveLength(1);
    const byId = new Map((await listNotifyDeliveries(db)).map((d) => [d.id, d]));
    expect(byId.get(a!.id)).toMatchObject({ state: 'sent', lastStatus: 200 });
    expect(byId.get(b!.id)).toMatchObject({ state: 'pending', lastStatus: 503, lastError: 'HTTP 503' });
    expect(byId.get(claimed[0]!.id)).toMatchObject({ state: 'sending', attempts: 1 });
    const events = await db.query<{ message: string }>(
      "select message from events where kind = 'test.carried-by-claim'",
    );
    expect(events.rows).toEqual([{ message: 'sent to chat' }]);
    // The next claim takes b.
    expect((await claimDue(db, soon(), all)).map((d) => d.id)).toEqual([b!.id]);
    // A refused end fails the whole statement: nothing claimed, nothing recorded.
    await insertNotifyDeliveries(db, [delivery('on-deployment-started')]);
    await expect(
      claimDue(db, soon(), all, { ends: [{ id: b!.id, state: 'bogus' as 'sent' }], events: [sentEvent] }),
    ).rejects.toThrow();
    expect((await listNotifyDeliveries(db, { state: 'pending' })).length).toBe(1);
    expect((await db.query("select 1 from events where kind = 'test.carried-by-claim'")).rows).toHaveLength(1);
  });

  it('records the events of a batch in the same statement, and nothing of either when one fails', async () => {
    await insertNotifyDeliveries(db, [delivery('on-deployment-started')]);
    const [claimed] = await claimDue(db, soon(), all);
    const sentEvent = { project: 'harbor', kind: 'notification.sent', message: 'sent to chat', data: { n: 1 } };
    await finishAttempts(db, [{ id: claimed!.id, state: 'sent', status: 200 }], [sentEvent]);
    const events = async () =>
      (await db.query<{ kind: string }>("select kind from events where kind like 'notification.%'")).rows;
    expect(await events()).toEqual([{ kind: 'notification.sent' }]);
    expect((await listNotifyDeliveries(db)).find((d) => d.id === claimed!.id)).toMatchObject({ state: 'sent' });
    // A state the table refuses fails the statement: the event of the batch is not written either.
    await expect(
      finishAttempts(db, [{ id: claimed!.id, state: 'bogus' as 'sent' }], [{ ...sentEvent, message: 'again' }]),
    ).rejects.toThrow();
    expect(await events()).toHaveLength(1);
  });

  it('releases claimed deliveries that were never attempted without counting an attempt', async () => {
    await insertNotifyDeliveries(db, [delivery('on-deployment-started'), delivery('on-deployment-started')]);
    const ids = (await claimDue(db, soon(), all)).map((d) => d.id);
    await finishAttempts(db, [{ id: ids[1]!, state: 'sent', status: 200 }]);
    // Only the one still claimed goes back; the sent one stays sent.
    expect(await releaseUnattempted(db, ids)).toBe(1);
    const list = await listNotifyDeliveries(db);
    expect(list.find((d) => d.id === ids[0])).toMatchObject({ state: 'pending', attempts: 0 });
    expect(list.find((d) => d.id === ids[1])).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('keeps the queues of projects apart, a project-less one too, and skips a queue with nothing due', async () => {
    // 'alpha/chat' sorts first and has only a retry an hour away.
    const later = delivery('on-deployment-started', 'chat', 'alpha');
    await insertNotifyDeliveries(db, [later]);
    const [retry] = await claimDue(db, soon(), all);
    await finishAttempts(db, [{ id: retry!.id, state: 'pending', nextAt: new Date(Date.now() + 3_600_000) }]);
    const harbor = [1, 2, 3].map(() => delivery('on-deployment-started'));
    const dock = [1, 2, 3].map(() => delivery('on-deployment-started', 'chat', 'dock'));
    const global = [1, 2, 3].map(() => delivery('on-alert-resolved', 'chat', null));
    await insertNotifyDeliveries(db, [...harbor, ...dock, ...global]);

    const claimed = await claimDue(db, soon(), {
      rooms: { 'alpha/chat': 5, 'harbor/chat': 1, 'dock/chat': 2, '/chat': 3 },
      otherwise: 0,
      limit: 100,
    });
    expect(keys(claimed).sort()).toEqual(keys([harbor[0]!, dock[0]!, dock[1]!, ...global]).sort());
  });

  it('keeps what a notification service answered per project; a ref from before projects is still found', async () => {
    await setNotifyRef(db, 'harbor', 'jira', 'incident:inc_1', 'HAR-1');
    await setNotifyRef(db, 'dock', 'jira', 'incident:inc_1', 'DOC-7');
    expect(await getNotifyRef(db, 'harbor', 'jira', 'incident:inc_1')).toBe('HAR-1');
    expect(await getNotifyRef(db, 'dock', 'jira', 'incident:inc_1')).toBe('DOC-7');
    expect(await getNotifyRef(db, 'quay', 'jira', 'incident:inc_1')).toBeUndefined();
    // Recorded before schema 021 (project ''): found by the service's name until the project records its own.
    await db.query(`insert into notify_refs (target, ref_key, value) values ('jira', 'incident:inc_2', 'OLD-2')`);
    expect(await getNotifyRef(db, 'quay', 'jira', 'incident:inc_2')).toBe('OLD-2');
    await setNotifyRef(db, 'quay', 'jira', 'incident:inc_2', 'QUAY-2');
    expect(await getNotifyRef(db, 'quay', 'jira', 'incident:inc_2')).toBe('QUAY-2');
  });
});
