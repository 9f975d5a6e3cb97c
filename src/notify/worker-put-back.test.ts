import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../engine/event-log.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listEvents } from '../store/repos/events.js';
import { listNotifyDeliveries, type NotifyDelivery } from '../store/repos/notify-deliveries.js';
import {
  dispatchUntilWritten,
  emitDeploymentStarted,
  writeSlackChatDelivery,
} from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import { Dispatcher } from './dispatcher.js';
import type { NotificationSender, SendOutcome } from './sender.js';
import { DeliveryWorker } from './worker.js';

/**
 * An attempt that cannot end the usual way — the project's config cannot be read, or this code fails on what a sender
 * answered — puts its delivery back in the store. It used to stay `sending` there, held by nothing in memory, until
 * the coordinator's next start.
 */
let db: Db;
let worker: DeliveryWorker | undefined;

beforeEach(async () => {
  db = await freshDb();
  expect(await writeSlackChatDelivery(db, new EventLog(db, silentLogger))).toBe(1);
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await db.close();
});

/** This Db, except that the reads of a project's config numbered in `refused` (from 1) fail. */
function refusingConfigReads(inner: Db, refused: Set<number>, reads: { n: number }): Db {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'background') return () => refusingConfigReads(target.background(), refused, reads);
      if (prop === 'query')
        return (sql: string, params?: unknown[]) => {
          if (!/from projects where name/.test(sql)) return target.query(sql, params);
          reads.n += 1;
          return refused.has(reads.n)
            ? Promise.reject(new Error(`the store is unavailable (read ${reads.n})`))
            : target.query(sql, params);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function startWorker(on: Db, slack: NotificationSender, orphanSweepMs?: number): DeliveryWorker {
  const started = new DeliveryWorker({
    db: on,
    senders: { slack },
    secretsFor: async () => ({ SLACK_URL: 'http://127.0.0.1:9/hook' }),
    logger: silentLogger,
    pollMs: 50,
    configCacheMs: 0,
    ...(orphanSweepMs ? { orphanSweepMs } : {}),
  });
  void started.start();
  return started;
}

/** The delivery (the newest, or this one) once sent or failed. */
async function settled(id?: number): Promise<NotifyDelivery> {
  const end = Date.now() + 20_000;
  for (;;) {
    const all = await listNotifyDeliveries(db);
    const d = id === undefined ? all[0] : all.find((x) => x.id === id);
    if (d && (d.state === 'sent' || d.state === 'failed')) return d;
    if (Date.now() > end) throw new Error(`the delivery is still ${d?.state} after 20 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('an attempt that cannot end the usual way', () => {
  it('puts the delivery back when the config cannot be read, without counting the attempt', async () => {
    const reads = { n: 0 };
    let sends = 0;
    // Read 1: the queue's (its concurrency); 2: the attempt's, refused; 3: the next queue's, refused; 4: sent.
    worker = startWorker(refusingConfigReads(db, new Set([2, 3]), reads), {
      send: async () => {
        sends += 1;
        return { kind: 'sent', status: 200 };
      },
    });
    const d = await settled();
    expect(d.state).toBe('sent');
    expect(reads.n).toBeGreaterThanOrEqual(4);
    expect(sends).toBe(1);
    // Claimed twice, one attempt not counted.
    expect(d.attempts).toBe(1);
  });

  it('counts an attempt whose outcome this code cannot read, and tries again by the retry settings', async () => {
    let sends = 0;
    worker = startWorker(db, {
      send: async () => {
        sends += 1;
        if (sends > 1) return { kind: 'sent', status: 200 };
        // A sender's bug: an outcome that throws when the worker reads its status.
        return {
          kind: 'retry',
          error: 'x',
          get status(): number {
            throw new Error('bug: the status cannot be read');
          },
        } as SendOutcome;
      },
    });
    const d = await settled();
    expect(d.state).toBe('sent');
    expect(sends).toBe(2);
    expect(d.attempts).toBe(2);
    const sent = (await listEvents(db, { limit: 50 })).filter((e) => e.kind === 'notification.sent');
    expect(sent).toHaveLength(1);
  });

  it('puts back a delivery claimed but held by no attempt, and leaves the one in flight alone', async () => {
    const [inFlight] = await listNotifyDeliveries(db);
    // A second delivery, claimed as a lost claim would leave it: `sending`, in no queue of the worker.
    await emitDeploymentStarted(new EventLog(db, silentLogger), 'started', 'web');
    expect(await dispatchUntilWritten(new Dispatcher({ db, linkBase: 'http://127.0.0.1:7420' }))).toBe(1);
    const orphan = (await listNotifyDeliveries(db)).find((d) => d.id !== inFlight!.id)!;
    await db.query(`update notify_deliveries set next_at = now() + interval '1 hour' where id = $1`, [orphan.id]);
    const calls: string[] = [];
    worker = startWorker(
      db,
      {
        send: ({ key, signal }) => {
          calls.push(key);
          if (key === orphan.key) return Promise.resolve({ kind: 'sent', status: 200 });
          // The first delivery's attempt stays in flight until the worker stops.
          return new Promise((resolve) =>
            signal.addEventListener('abort', () => resolve({ kind: 'retry', error: 'stopped' })),
          );
        },
      },
      100,
    );
    const end = Date.now() + 20_000;
    while (!calls.includes(inFlight!.key) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    // As a claim leaves it: due, `sending`, one attempt counted.
    await db.query(`update notify_deliveries set state = 'sending', attempts = 1, next_at = now() where id = $1`, [
      orphan.id,
    ]);
    expect((await settled(orphan.id)).state).toBe('sent');
    // Several sweeps later the attempt in flight is still the only one of its delivery, still claimed.
    await new Promise((r) => setTimeout(r, 500));
    expect(calls.filter((k) => k === inFlight!.key)).toHaveLength(1);
    expect((await listNotifyDeliveries(db)).find((d) => d.id === inFlight!.id)?.state).toBe('sending');
  });
});
