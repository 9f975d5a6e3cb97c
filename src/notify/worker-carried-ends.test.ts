import { afterEach, beforeEach, expect, it } from 'vitest';
import { storeProject, slackChat } from '../../test/support/notify-fixtures.js';
import { freshPglite } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import {
  finishAndClaimSql,
  finishSql,
  insertNotifyDeliveries,
  listNotifyDeliveries,
} from '../store/repos/notify-deliveries.js';
import { DeliveryWorker } from './worker.js';

let db: Db;
beforeEach(async () => {
  db = await freshPglite();
});
afterEach(() => db.close());

it('writes most ended attempts with the next claim, not in batches of their own, and each once', async () => {
  await storeProject(db, slackChat);
  const total = 120;
  await insertNotifyDeliveries(
    db,
    Array.from({ length: total }, (_, i) => ({
      key: `slipway-${i + 1}-0-chat`,
      eventId: i + 1,
      project: 'harbor',
      environment: 'staging',
      trigger: 'on-deployment-started',
      target: 'chat',
      targetType: 'slack',
      message: { title: `message ${i + 1}` },
    })),
  );
  // What records the ends: a claim that carries them, or a batch of their own.
  const statements = { carried: 0, alone: 0 };
  const counting: Db = {
    ...db,
    query: (sql, params) => {
      if (sql === finishAndClaimSql) statements.carried++;
      if (sql === finishSql) statements.alone++;
      return db.query(sql, params);
    },
  };
  const sent: string[] = [];
  const worker = new DeliveryWorker({
    db: counting,
    senders: {
      slack: {
        // An answer after a few ms, as a receiver's: attempts end while the queue refills.
        send: async ({ key }) => {
          await new Promise((r) => setTimeout(r, 3));
          sent.push(key);
          return { kind: 'sent', status: 200 };
        },
      },
    },
    secretsFor: async () => ({ SLACK_URL: 'http://127.0.0.1:9/hook' }),
    logger: silentLogger,
    pollMs: 50,
  });
  await worker.start();
  try {
    const end = Date.now() + 20_000;
    const unsent = async () => (await listNotifyDeliveries(db, { limit: 500 })).filter((d) => d.state !== 'sent');
    while ((await unsent()).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect(await unsent()).toEqual([]);
  } finally {
    await worker.close();
  }
  expect(sent).toHaveLength(total);
  expect(new Set(sent).size).toBe(total);
  const events = await db.query<{ n: number }>(
    "select count(*)::int as n from events where kind = 'notification.sent'",
  );
  expect(Number(events.rows[0]!.n)).toBe(total);
  // Mostly with claims (at 50 ms 6 claims carried them all, at 20 ms batches of their own wrote up to half): not an
  // exact count, which depends on the machine's pace.
  expect(statements.carried).toBeGreaterThan(0);
  expect(statements.alone).toBeLessThanOrEqual(statements.carried);
});
