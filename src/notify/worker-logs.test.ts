import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../engine/event-log.js';
import { redactedPaths } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listEvents } from '../store/repos/events.js';
import { listNotifyDeliveries } from '../store/repos/notify-deliveries.js';
import { emitDeploymentStarted, storeProject } from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import { Notifier } from './notifier.js';
import type { NotificationSender, SendOutcome } from './sender.js';

/**
 * Secrets never reach a log line, an event or a delivery's recorded error — not even through a sender's bug: each
 * sender here puts the values it was given into what it throws or answers, and the whole log output is scanned.
 */
const smtpPassword = 'p@ssw0rd!Zq';
const secrets: Record<string, string> = {
  SLACK_URL: 'https://hooks.slack.test/services/T0AB/B0CD/tok3nXYZsecret',
  SMTP_URL: `smtp://slipway:${encodeURIComponent(smtpPassword)}@smtp.harbor.test:587`,
  PD_KEY: 'R0123456789abcdef0123456789abcde',
  HOOK_URL: 'https://in.harbor.test/hook?token=qwerty12345',
  HOOK_SECRET: `whsec_${Buffer.from('a-signing-secret-of-32-bytes!!!!').toString('base64')}`,
};
const planted = [...Object.values(secrets), smtpPassword, 'tok3nXYZsecret', 'qwerty12345', 'hooks.slack.test'];

const senders: Record<string, NotificationSender> = {
  // A network error that names the URL it could not reach.
  slack: {
    send: async ({ service }) => {
      throw new Error(`fetch failed: getaddrinfo ENOTFOUND for ${String(service.url)}`);
    },
  },
  // A bug after the send: an outcome that throws, with the decoded password, when the worker reads it.
  email: {
    send: async ({ service }) => {
      const url = new URL(String(service.url));
      return {
        kind: 'retry',
        error: 'x',
        get status(): number {
          throw new Error(`bug: auth ${decodeURIComponent(url.password)} at ${String(service.url)}`);
        },
      } as SendOutcome;
    },
  },
  pagerduty: {
    send: async ({ service }) => ({ kind: 'failed', status: 400, error: `invalid routing key ${service.routingKey}` }),
  },
  webhook: {
    send: async ({ service }) => ({
      kind: 'sent',
      status: 200,
      note: `signed with ${service.secret} for ${service.url}`,
    }),
  },
};

let db: Db;
let notifier: Notifier | undefined;
const lines: string[] = [];

beforeEach(async () => {
  db = await freshDb();
});

afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
  await db.close();
});

describe('notification worker logs', () => {
  it('never writes a webhook URL, SMTP password, routing key or signing secret to a log line', async () => {
    await storeProject(db, {
      retry: { attempts: 1 },
      services: {
        chat: { type: 'slack', url: 'secret:SLACK_URL' },
        mail: { type: 'email', url: 'secret:SMTP_URL', from: 'slipway@harbor.test', to: ['ops@harbor.test'] },
        pager: { type: 'pagerduty', routingKey: 'secret:PD_KEY' },
        hook: { type: 'webhook', url: 'secret:HOOK_URL', secret: 'secret:HOOK_SECRET' },
      },
      subscriptions: [{ on: ['on-deployment-started'], to: ['chat', 'mail', 'pager', 'hook'] }],
    });
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
    const events = new EventLog(db, logger);
    notifier = new Notifier({
      db,
      senders,
      secretsFor: async () => secrets,
      emit: (e) => events.emit(e),
      logger,
      linkBase: 'http://127.0.0.1:7420',
      pollMs: 50,
    });
    await notifier.start();
    await emitDeploymentStarted(events);
    const end = Date.now() + 20_000;
    const settled = () => lines.filter((l) => /failed for good|attempt failed/.test(l)).length >= 3;
    const sent = async () => (await listEvents(db, { limit: 50 })).some((e) => e.kind === 'notification.sent');
    while (!(settled() && (await sent())) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    await notifier.close();
    notifier = undefined;

    const log = lines.join('');
    expect(log).toContain('notification attempt failed'); // the bug after the send was logged
    expect(log).toContain('notification failed for good');
    const recorded = JSON.stringify([await listEvents(db, { limit: 50 }), await listNotifyDeliveries(db)]);
    expect(recorded).toContain('signed with [secret] for [secret]');
    for (const value of planted) {
      expect(log).not.toContain(value);
      expect(recorded).not.toContain(value);
    }
  });
});
