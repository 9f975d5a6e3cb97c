import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../engine/event-log.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite-driver.js';
import { listNotifyDeliveries } from '../store/repos/notify-deliveries.js';
import { writeSlackChatDelivery } from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import { OutboxVacuum } from './outbox-vacuum.js';
import { DeliveryWorker } from './worker.js';

/** How many times notify_deliveries was vacuumed by hand (autovacuum, on PostgreSQL, is counted apart). */
async function vacuums(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select vacuum_count::int as n from pg_stat_user_tables where relname = 'notify_deliveries'`,
  );
  return Number(rows[0]?.n ?? 0);
}

describe('OutboxVacuum on PGlite', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openPglite();
    await migrate(db);
  });
  afterEach(() => db.close());

  it('vacuums the outbox once enough attempts ended, and not again until as many more have', async () => {
    const vacuum = new OutboxVacuum(db.background(), silentLogger, 3);
    vacuum.ended(2);
    expect(await vacuum.whenIdle()).toBe(false);
    expect(await vacuums(db)).toBe(0);
    vacuum.ended(1);
    expect(await vacuum.whenIdle()).toBe(true);
    expect(await vacuums(db)).toBe(1);
    vacuum.ended(2);
    expect(await vacuum.whenIdle()).toBe(false);
    expect(await vacuums(db)).toBe(1);
  });

  it('logs a vacuum the store refuses and carries on, trying again after as many ends more', async () => {
    const warned: unknown[] = [];
    const refusing: Db = {
      ...db,
      driver: 'pglite',
      query: () => Promise.reject(new Error('the store is unavailable')),
    };
    const logger = { ...silentLogger, warn: (o: unknown) => warned.push(o) } as typeof silentLogger;
    const vacuum = new OutboxVacuum(refusing, logger, 1);
    vacuum.ended(1);
    expect(await vacuum.whenIdle()).toBe(false);
    expect(warned).toEqual([{ err: 'the store is unavailable' }]);
    expect(await vacuum.whenIdle()).toBe(false);
    expect(warned).toHaveLength(1);
  });

  it('is run by the delivery worker once the deliveries it sent are recorded and it holds nothing', async () => {
    expect(await writeSlackChatDelivery(db, new EventLog(db, silentLogger))).toBe(1);
    const worker = new DeliveryWorker({
      db: db.background(),
      senders: { slack: { send: async () => ({ kind: 'sent', status: 200 }) } },
      secretsFor: async () => ({ SLACK_URL: 'http://127.0.0.1:9/hook' }),
      logger: silentLogger,
      pollMs: 50,
      flushMs: 5,
      vacuumEvery: 1,
    });
    await worker.start();
    try {
      const end = Date.now() + 20_000;
      while ((await vacuums(db)) === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
      expect(await vacuums(db)).toBe(1);
      expect((await listNotifyDeliveries(db)).map((d) => d.state)).toEqual(['sent']);
    } finally {
      await worker.close();
    }
  });
});

describe('OutboxVacuum on PostgreSQL', () => {
  it('leaves the outbox to autovacuum', async () => {
    const db = await freshDb();
    try {
      const vacuum = new OutboxVacuum(db, silentLogger, 1);
      vacuum.ended(10);
      expect(await vacuum.whenIdle()).toBe(false);
      expect(await vacuums(db)).toBe(0);
    } finally {
      await db.close();
    }
  });
});
