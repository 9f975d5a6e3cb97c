import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretVault } from '../access/secrets/vault.js';
import { startNotifications } from '../app/notifications.js';
import { EventLog } from '../engine/event-log.js';
import { createLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import { storeProject } from '../../test/support/notify-fixtures.js';
import { type Receiver, startReceiver } from '../../test/support/notify-receivers.js';
import { freshDb } from '../../test/support/store.js';
import type { Notifier } from './notifier.js';

/**
 * The notifier's polls are only safety nets (2 s): what it sends is woken by the EventLog (events this process
 * records, and those the log reads from the store), and a retry by its own due time. Here the polls are set to a
 * minute, so each delivery below can only come from a wake-up (or, for an event held back behind a transaction still
 * running, from the 250 ms poll that takes over then).
 */
const logger = createLogger({ level: 'silent' });
let db: Db;
let dir: string;
let events: EventLog;
let notifier: Notifier | undefined;
let slack: Receiver;

beforeEach(async () => {
  db = await freshDb();
  dir = mkdtempSync(join(tmpdir(), 'slipway-wake-'));
  events = new EventLog(db, logger);
  slack = await startReceiver('slack', { failHalf: true });
  await storeProject(db, {
    retry: { attempts: 3, backoff: '200ms', maxBackoff: '200ms' },
    services: { chat: { type: 'slack', url: 'secret:SLACK_URL' } },
    subscriptions: [{ on: ['on-deployment-started'], to: ['chat'] }],
  });
  const vault = SecretVault.open(db, dir, {});
  await vault.set({ project: 'harbor', environment: 'staging' }, 'SLACK_URL', slack.url);
  notifier = await startNotifications({ db, events, secrets: vault, logger, linkBase: 'http://x', pollMs: 60_000 });
});

afterEach(async () => {
  await notifier?.close();
  await slack.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for `check`; a timeout names where the delivery stood (once seen in CI, on a loaded machine only). */
async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${await whereThingsStand()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function whereThingsStand(): Promise<string> {
  const { rows: deliveries } = await db.query(
    'select state, attempts, last_error, last_status, next_at, now() as now from notify_deliveries',
  );
  const { rows: events } = await db.query('select id, xid::text, kind from events order by id');
  const dispatcher = notifier?.dispatcher;
  return JSON.stringify({
    deliveries,
    events,
    cursor: dispatcher && { xid: String(dispatcher.cursor.xid), id: dispatcher.cursor.id },
    heldBack: dispatcher?.heldBack,
    received: slack.received.length,
    failed: slack.failed,
  });
}

const started = { project: 'harbor', service: 'api', environment: 'staging', kind: 'deployment.started' };

describe('notifications without polling', () => {
  it('sends an event recorded through the EventLog, and retries a 5xx at its backoff', async () => {
    await events.emit({ ...started, message: 'started', data: {} });
    // The first attempt is refused (failHalf); only the retry's own timer can send it again within a minute.
    await until('the retry delivered', () => slack.received.length === 1);
    expect(slack.failed).toBe(1);
  });

  it('sends an event written straight into the store (as incidents and alerts write theirs)', async () => {
    await appendEvent(db, { ...started, message: 'started elsewhere', data: {} });
    await until('the delivery', () => slack.received.length === 1);
  });
});
