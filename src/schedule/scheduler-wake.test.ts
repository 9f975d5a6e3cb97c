import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../store/db.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { EventLog } from '../engine/event-log.js';
import { silentLogger } from '../shared/logging.js';
import { getScheduled } from '../store/repos/scheduled-deployments.js';
import { scheduleDeployment } from './schedule.js';
import { DeploymentScheduler } from './scheduler.js';

/**
 * The scheduler does not poll every second when it hears events: a new schedule wakes it, and it sleeps until the
 * next one falls due. Its safety poll is a minute here, so the start below can only come from that timing.
 */
let h: Harness;
let scheduler: DeploymentScheduler | undefined;
beforeAll(async () => {
  h = await engineHarness();
  h.runtime.behaviour = () => 'healthy';
}, 60_000);
afterAll(async () => {
  await scheduler?.stop();
  await h?.close();
});

describe('DeploymentScheduler woken by events', () => {
  it('starts a schedule made after it started at its time, without its poll', async () => {
    const events = new EventLog(h.db, silentLogger, 50);
    scheduler = new DeploymentScheduler({
      db: h.db,
      logger: silentLogger,
      deploy: (r) => h.engine.deploy({ ...r, strategy: undefined }),
      intervalMs: 60_000,
      subscribe: (listener) => events.subscribe(listener),
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 1500)); // its first check has found nothing: next one in a minute
    // Written as the API writes it (with its event, in one transaction), so only the EventLog's read announces it.
    const runAt = Date.now() + 1500;
    const s = await scheduleDeployment(h.db, 'harbor', {
      service: 'api',
      environment: 'staging',
      version: '3.0.0',
      runAt: new Date(runAt),
      notifyBeforeMs: 0,
    });
    const end = Date.now() + 20_000;
    while ((await getScheduled(h.db, s.id))!.state === 'pending' && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(Date.now()).toBeGreaterThanOrEqual(runAt);
    expect((await getScheduled(h.db, s.id))!.state).toBe('started');
  });

  it('a schedule that stays due as its check fails is looked at a second later, not in a tight loop', async () => {
    await scheduler?.stop();
    // Its notice is due now; the read of what is due fails every time, so it stays pending and due.
    await scheduleDeployment(h.db, 'harbor', {
      service: 'api',
      environment: 'staging',
      version: '3.1.0',
      runAt: new Date(Date.now() + 60_000),
      notifyBeforeMs: 120_000,
    });
    let checks = 0;
    const failing = Object.create(h.db) as Db;
    failing.query = (async (sql: string, params?: unknown[]) => {
      if (sql.includes('run_at <= $1')) {
        checks++;
        throw new Error('the store is unwell');
      }
      return h.db.query(sql, params);
    }) as Db['query'];
    scheduler = new DeploymentScheduler({
      db: failing,
      logger: silentLogger,
      deploy: (r) => h.engine.deploy({ ...r, strategy: undefined }),
      intervalMs: 60_000,
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 3500));
    await scheduler.stop();
    // The first check a second after the start, then one a second: 3 or so, never hundreds.
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThanOrEqual(5);
  });
});
