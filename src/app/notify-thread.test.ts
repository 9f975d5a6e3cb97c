import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SecretVault } from '../access/secrets/vault.js';
import { EventLog } from '../engine/event-log.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite-driver.js';
import { listNotifyDeliveries } from '../store/repos/notify-deliveries.js';
import { emitDeploymentStarted, storeProject } from '../../test/support/notify-fixtures.js';
import { type Receiver, startReceiver } from '../../test/support/notify-receivers.js';
import { type RunningNotifications, startNotifications } from './notifications.js';
import type { NotifyThread } from './notify-thread.js';

// The coordinator's store is PGlite in a thread of its own; the notifier then runs in another (notify-thread.ts).
// One store for the file: each PGlite thread costs ~5 s of CPU to start.
const slow = 120_000;

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}
/** What a logger was asked to write, with the bindings of its children merged in. */
function recordingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) =>
    lines.push({ level, obj: { ...bindings, ...obj }, ...(msg ? { msg } : {}) });
  const logger = {
    level: 'info',
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more: Record<string, unknown>) => recordingLogger(lines, { ...bindings, ...more }),
  };
  return logger as unknown as Logger;
}

let db: Db;
let dir: string;
let chat: Receiver;
let refusing: Receiver;
let vault: SecretVault;
let running: RunningNotifications | undefined;

beforeAll(async () => {
  db = await openPglite({ thread: true });
  await migrate(db);
  dir = mkdtempSync(join(tmpdir(), 'slipway-notify-thread-'));
  [chat, refusing] = await Promise.all([startReceiver('slack'), startReceiver('slack')]);
  refusing.mode.status = 403;
  await storeProject(db, {
    services: { chat: { type: 'slack', url: 'secret:CHAT' }, refusing: { type: 'slack', url: 'secret:REFUSING' } },
    subscriptions: [{ on: ['on-deployment-started'], to: ['chat', 'refusing'] }],
  });
  vault = SecretVault.open(db, dir, {});
  await vault.set({ project: 'harbor', environment: 'staging' }, 'CHAT', chat.url);
  await vault.set({ project: 'harbor', environment: 'staging' }, 'REFUSING', refusing.url);
}, slow);

afterEach(async () => {
  await running?.close();
  running = undefined;
});

afterAll(async () => {
  await Promise.all([chat?.close(), refusing?.close()]);
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it(
  "sends from a thread of its own, with this thread's secrets, event log, logger and metrics",
  async () => {
    const lines: Line[] = [];
    const registry = new Registry();
    const events = new EventLog(db, recordingLogger([]));
    running = await startNotifications({
      db,
      events,
      secrets: vault,
      logger: recordingLogger(lines),
      linkBase: 'http://x',
      registry,
    });
    expect(running.here).toBeUndefined();
    const sentBefore = chat.received.length;
    await emitDeploymentStarted(events, 'from the coordinator');
    await until('the message at the healthy endpoint', () => chat.received.length > sentBefore);
    expect(chat.received.at(-1)!.body).toMatchObject({ text: expect.stringContaining('from the coordinator') });
    // The 403 fails for good: logged here by the coordinator's logger, counted in this thread's registry, and its
    // notification.failed event recorded through this thread's event log.
    await until('the refused delivery failed', async () =>
      (await listNotifyDeliveries(db)).some((d) => d.target === 'refusing' && d.state === 'failed'),
    );
    await until('its log line', () => lines.some((l) => l.msg === 'notification failed for good'));
    expect(lines.find((l) => l.msg === 'notification failed for good')!.obj).toMatchObject({ target: 'refusing' });
    const held = await running.held();
    expect(held.services.map((s) => s.key).sort()).toEqual(['harbor/chat', 'harbor/refusing']);
    await running.close();
    running = undefined;
    const metrics = await registry.metrics();
    expect(metrics).toContain('slipway_notification_attempts_total{type="slack",outcome="sent"} 1\n');
    expect(metrics).toContain('slipway_notification_attempts_total{type="slack",outcome="failed"} 1\n');
    const { rows } = await db.query<{ kind: string }>(
      "select kind from events where kind like 'notification.%' order by id",
    );
    expect(rows.map((r) => r.kind)).toEqual(expect.arrayContaining(['notification.sent', 'notification.failed']));
  },
  slow,
);

it(
  "goes on from the coordinator's thread when its own thread dies, and sends what comes after",
  async () => {
    const lines: Line[] = [];
    const events = new EventLog(db, recordingLogger([]));
    running = await startNotifications({ db, events, secrets: vault, logger: recordingLogger(lines), linkBase: 'x' });
    const thread = running as NotifyThread;
    await thread.worker.terminate();
    await until('the error logged', () => lines.some((l) => l.level === 'error'));
    expect(lines.find((l) => l.level === 'error')!.msg).toBe(
      "the notifier's thread stopped; notifying from the coordinator's thread",
    );
    const before = chat.received.length;
    await emitDeploymentStarted(events, 'after the thread died');
    await until('the message sent from this thread', () => chat.received.length > before);
    expect(chat.received.at(-1)!.body).toMatchObject({ text: expect.stringContaining('after the thread died') });
  },
  slow,
);

it(
  'runs on this thread where the store cannot be opened in another (PGlite on this thread, or `thread: false`)',
  async () => {
    const events = new EventLog(db, recordingLogger([]));
    running = await startNotifications({
      db,
      events,
      secrets: vault,
      logger: recordingLogger([]),
      linkBase: 'x',
      thread: false,
    });
    expect(running.here).toBeDefined();
    const inProcess = await openPglite();
    try {
      expect(inProcess.forThread?.()).toBeUndefined();
    } finally {
      await inProcess.close();
    }
  },
  slow,
);
