import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretVault } from '../access/secrets/vault.js';
import { startNotifications } from '../app/notifications.js';
import { EventLog } from '../engine/event-log.js';
import { createLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listNotifyDeliveries } from '../store/repos/notify-deliveries.js';
import { emitDeploymentStarted, storeProject } from '../../test/support/notify-fixtures.js';
import { startReceiver } from '../../test/support/notify-receivers.js';
import { freshDb } from '../../test/support/store.js';
import type { Notifier } from './notifier.js';

const logger = createLogger({ level: 'silent' });
let db: Db;
let dir: string;
let notifier: Notifier | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  db = await freshDb();
  dir = mkdtempSync(join(tmpdir(), 'slipway-notify-metrics-'));
});

afterEach(async () => {
  await notifier?.close();
  for (const c of cleanups.splice(0)) await c();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('notification metrics', () => {
  it('counts attempts by outcome: a 5xx retried then sent, a 4xx failed for good', async () => {
    const [flaky, refusing] = await Promise.all([
      startReceiver('slack', { failHalf: true }), // the first request answers 500, the second is taken
      startReceiver('slack'),
    ]);
    cleanups.push(flaky.close, refusing.close);
    refusing.mode.status = 403;
    await storeProject(db, {
      retry: { attempts: 5, backoff: '50ms', maxBackoff: '50ms' },
      services: { flaky: { type: 'slack', url: 'secret:FLAKY' }, refusing: { type: 'slack', url: 'secret:REFUSING' } },
      subscriptions: [{ on: ['on-deployment-started'], to: ['flaky', 'refusing'] }],
    });
    const vault = SecretVault.open(db, dir, {});
    await vault.set({ project: 'harbor', environment: 'staging' }, 'FLAKY', flaky.url);
    await vault.set({ project: 'harbor', environment: 'staging' }, 'REFUSING', refusing.url);
    const events = new EventLog(db, logger);
    const registry = new Registry();
    notifier = await startNotifications({ db, events, secrets: vault, logger, linkBase: 'http://x', registry });
    await emitDeploymentStarted(events);
    const end = Date.now() + 20_000;
    const done = async () =>
      (await listNotifyDeliveries(db))
        .map((d) => `${d.target}:${d.state}`)
        .sort()
        .join() === 'flaky:sent,refusing:failed';
    while (!(await done()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    await notifier.close(); // every ended attempt is counted by now
    notifier = undefined;
    const metrics = await registry.metrics();
    expect(metrics).toContain('slipway_notification_attempts_total{type="slack",outcome="retry"} 1\n');
    expect(metrics).toContain('slipway_notification_attempts_total{type="slack",outcome="sent"} 1\n');
    expect(metrics).toContain('slipway_notification_attempts_total{type="slack",outcome="failed"} 1\n');
    expect(metrics).toContain('slipway_notifications{type="slack",state="failed"} 1\n');
    expect(metrics).toContain('slipway_notifications{type="slack",state="sent"} 1\n');
  });
});
