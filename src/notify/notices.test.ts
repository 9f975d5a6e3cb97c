import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretVault } from '../access/secrets/vault.js';
import { startNotifications } from '../app/notifications.js';
import { EventLog } from '../engine/event-log.js';
import { changeIncident, openIncident } from '../incidents/actions.js';
import { alertEvent } from '../observe/alerts/announcements.js';
import type { ActiveAlert } from '../observe/alerts/alert-state.js';
import type { NoteEntry } from '../release-notes/conventional.js';
import { cancelSchedule } from '../schedule/cancel.js';
import { scheduleDeployment } from '../schedule/schedule.js';
import { DeploymentScheduler } from '../schedule/scheduler.js';
import { createLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { saveReleaseNotes } from '../store/repos/release-notes.js';
import { updateDeployment } from '../store/repos/deployments.js';
import { setStable } from '../store/repos/service-state.js';
import { insertRunningDeployment, seedFailedDeployment, storeProject } from '../../test/support/notify-fixtures.js';
import { type Receiver, startReceiver } from '../../test/support/notify-receivers.js';
import { freshDb } from '../../test/support/store.js';
import type { Notifier } from './notifier.js';

/**
 * Notices beyond the deployment's own: the maintenance notice of a scheduled deployment, release notes in notices,
 * alerts, and the PagerDuty alert lifecycle of an incident and of a failed deployment — through the real outbox to
 * the strict local receivers.
 */
const routingKey = 'R0123456789abcdef0123456789abcde';
const logger = createLogger({ level: 'silent' });
const link = 'http://127.0.0.1:7420';

let db: Db;
let dir: string;
let vault: SecretVault;
let events: EventLog;
let notifier: Notifier | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  db = await freshDb();
  dir = mkdtempSync(join(tmpdir(), 'slipway-notices-'));
  vault = SecretVault.open(db, dir, {});
  events = new EventLog(db, logger);
});

afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
  for (const c of cleanups.splice(0)) await c();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(kind: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(kind);
  cleanups.push(() => r.close());
  return r;
}

async function until<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function start(secrets: Record<string, string>, environment = 'production') {
  for (const [name, value] of Object.entries(secrets)) await vault.set({ project: 'harbor', environment }, name, value);
  notifier = await startNotifications({ db, events, secrets: vault, logger, linkBase: link, pollMs: 50 });
}

/** Notes of api 1.5.0 with `n` features ("feature 0", "feature 1", …) and one breaking change. */
async function saveNotes(n: number) {
  const features: NoteEntry[] = Array.from({ length: n }, (_, i) => ({ sha: `abcdef${i}000`, text: `feature ${i}` }));
  await saveReleaseNotes(db, {
    project: 'harbor',
    service: 'api',
    version: '1.5.0',
    fromVersion: '1.4.2',
    notes: { breaking: [{ sha: 'bbbbbbb1', scope: 'quotes', text: 'v1 removed' }], features, fixes: [], other: [] },
    markdown: '# api 1.5.0',
  });
}

const slackText = (r: Receiver, i = 0) => JSON.stringify(r.received[i]!.body);

/** A Slack service told of production's maintenance notices; api 1.4.2 stable there, 1.4.2 and 1.5.0 stored. */
async function maintenanceChat(): Promise<Receiver> {
  const chat = await receiver('slack');
  await storeProject(db, {
    services: { chat: { type: 'slack', url: 'secret:SLACK_URL' } },
    subscriptions: [{ on: ['on-maintenance-notice'], to: ['chat'], environments: ['production'] }],
  });
  await seedFailedDeployment(db);
  await setStable(db, 'harbor', 'production', 'api', 'rel_1.4.2');
  return chat;
}

describe('stakeholder notices', () => {
  it('sends the maintenance notice of a scheduled deployment: versions, time, link, release notes', async () => {
    const chat = await maintenanceChat();
    await saveNotes(3); // 1.5.0 went to staging before: its notes exist
    const T = Date.parse('2026-12-05T21:00:00Z');
    await scheduleDeployment(
      db,
      'harbor',
      {
        service: 'api',
        environment: 'production',
        version: '1.5.0',
        runAt: new Date(T + 3_600_000),
        notifyBeforeMs: 3_600_000,
      },
      'dana',
    );
    await start({ SLACK_URL: chat.url });
    const scheduler = new DeploymentScheduler({ db, logger, deploy: async () => ({ id: 'x' }), now: () => T + 1000 });
    await scheduler.tick();

    await until('the maintenance notice', () => chat.received[0]);
    expect(chat.rejected).toEqual([]);
    const blocks = chat.received[0]!.body.blocks as { text?: { text: string } }[];
    expect(blocks[0]!.text!.text).toBe('maintenance notice: api 1.5.0 to production at 2026-12-05T22:00:00.000Z');
    const text = slackText(chat);
    for (const fact of ['production · api: 1.4.2 → 1.5.0', 'scheduled for 2026-12-05T22:00:00.000Z', 'by dana'])
      expect(text).toContain(fact);
    // The public status page (no login), which lists the maintenance announced.
    expect(text).toContain(`status: ${link}/status/harbor`);
    expect(blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ text: { text: 'Status page' }, url: `${link}/status/harbor` }],
    });
    expect(text).toContain('Release notes (1 breaking, 3 features):');
    expect(text).toContain('• breaking: quotes: v1 removed (bbbbbbb)');
    expect(text).toContain(`Release notes: ${link}/api/v1/projects/harbor/release-notes/api/1.5.0`);
  });

  it('a cancel after the notice tells the same subscribers; one before the notice sends nothing', async () => {
    const chat = await maintenanceChat();
    const T = Date.parse('2026-12-05T21:00:00Z');
    const schedule = (hours: number, version: string) =>
      scheduleDeployment(
        db,
        'harbor',
        {
          service: 'api',
          environment: 'production',
          version,
          runAt: new Date(T + hours * 3_600_000),
          notifyBeforeMs: 3_600_000,
        },
        'dana',
      );
    const [noticed, quiet] = [await schedule(1, '1.5.0'), await schedule(5, '1.6.0')];
    await start({ SLACK_URL: chat.url });
    await new DeploymentScheduler({ db, logger, deploy: async () => ({ id: 'x' }), now: () => T + 1000 }).tick();
    await until('the maintenance notice', () => chat.received[0]);
    await cancelSchedule(db, quiet.id, { name: 'erin' });
    await cancelSchedule(db, noticed.id, { name: 'erin', reason: 'the demo moved to Friday' });

    await until('the notice of cancellation', () => chat.received[1]);
    const blocks = chat.received[1]!.body.blocks as { text?: { text: string } }[];
    expect(blocks[0]!.text!.text).toBe('maintenance cancelled: api 1.5.0 to production at 2026-12-05T22:00:00.000Z');
    const text = JSON.stringify(chat.received[1]!.body);
    for (const fact of [
      'production · api: 1.4.2 → 1.5.0',
      'was scheduled for 2026-12-05T22:00:00.000Z; it will not happen',
      'cancelled by erin',
      'the demo moved to Friday',
    ])
      expect(text).toContain(fact);
    await new Promise((r) => setTimeout(r, 500));
    expect(chat.received).toHaveLength(2);
  });

  it('one that cannot start at its time tells those who got its notice, with the reason', async () => {
    const chat = await maintenanceChat();
    // The fixture's deployment has ended by then: a running one would make the schedule wait behind it, not fail.
    await updateDeployment(db, 'dep_1', { state: 'rolled_back' });
    const T = Date.parse('2026-12-05T21:00:00Z');
    const request = { service: 'api', environment: 'production', version: '1.5.0', notifyBeforeMs: 3_600_000 };
    await scheduleDeployment(db, 'harbor', { ...request, runAt: new Date(T + 3_600_000) }, 'dana');
    await start({ SLACK_URL: chat.url });
    let now = T + 1000;
    const refused = 'api 1.5.0 cannot go to production yet: api 1.5.0 is not live in staging';
    const scheduler = new DeploymentScheduler({
      db,
      logger,
      deploy: async () => Promise.reject(new Error(refused)),
      now: () => now,
    });
    await scheduler.tick();
    await until('the maintenance notice', () => chat.received[0]);
    now = T + 3_600_000 + 1000;
    await scheduler.tick();

    await until('the notice that it did not happen', () => chat.received[1]);
    expect(chat.rejected).toEqual([]);
    const blocks = chat.received[1]!.body.blocks as { text?: { text: string } }[];
    expect(blocks[0]!.text!.text).toBe(
      'maintenance did not happen: api 1.5.0 to production at 2026-12-05T22:00:00.000Z',
    );
    const text = JSON.stringify(chat.received[1]!.body);
    for (const fact of ['was scheduled for 2026-12-05T22:00:00.000Z; it did not start', refused])
      expect(text).toContain(fact);
    expect(text).not.toContain('cancelled by');
  });

  it('one due while another deployment runs there tells those who got its notice it is delayed', async () => {
    const chat = await maintenanceChat(); // its fixture's dep_1 still runs api in production
    const T = Date.parse('2026-12-05T21:00:00Z');
    const request = { service: 'api', environment: 'production', version: '1.5.0', notifyBeforeMs: 3_600_000 };
    await scheduleDeployment(db, 'harbor', { ...request, runAt: new Date(T + 3_600_000) }, 'dana');
    await start({ SLACK_URL: chat.url });
    let now = T + 1000;
    const started: string[] = [];
    const scheduler = new DeploymentScheduler({
      db,
      logger,
      deploy: async (r) => {
        started.push(r.version);
        return { id: 'dep_2' };
      },
      now: () => now,
    });
    await scheduler.tick();
    await until('the maintenance notice', () => chat.received[0]);
    now = T + 3_600_000 + 1000;
    await scheduler.tick();
    await scheduler.tick(); // a second look behind the same deployment says nothing more

    await until('the notice that it is delayed', () => chat.received[1]);
    expect(chat.rejected).toEqual([]);
    const blocks = chat.received[1]!.body.blocks as { text?: { text: string } }[];
    expect(blocks[0]!.text!.text).toBe('maintenance delayed: api 1.5.0 to production at 2026-12-05T22:00:00.000Z');
    const text = JSON.stringify(chat.received[1]!.body);
    for (const fact of [
      'was scheduled for 2026-12-05T22:00:00.000Z',
      'it waits for deployment dep_1, still running there, to end, and starts then; if that has not happened by',
    ])
      expect(text).toContain(fact);
    expect(started).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    expect(chat.received).toHaveLength(2);
  });

  it('puts a bounded summary of the release notes in the deployment-succeeded message', async () => {
    const [chat, teams] = await Promise.all([receiver('slack'), receiver('teams')]);
    await storeProject(db, {
      services: { chat: { type: 'slack', url: 'secret:SLACK_URL' }, ops: { type: 'teams', url: 'secret:TEAMS' } },
      subscriptions: [{ on: ['on-deployment-succeeded'], to: ['chat', 'ops'] }],
    });
    await seedFailedDeployment(db);
    await saveNotes(400); // far beyond a Slack section's 3,000 characters
    await start({ SLACK_URL: chat.url, TEAMS: teams.url });
    await events.emit({
      project: 'harbor',
      deploymentId: 'dep_1',
      service: 'api',
      environment: 'production',
      kind: 'deployment.finished',
      message: 'succeeded',
      data: { state: 'succeeded' },
    });
    await until('both messages', () => (chat.received[0] && teams.received[0] ? true : undefined));
    expect([chat.rejected, teams.rejected]).toEqual([[], []]);
    const body = (chat.received[0]!.body.blocks as { text?: { text: string } }[])[1]!.text!.text;
    expect(body.length).toBeLessThan(3000);
    expect(body).toContain('Release notes (1 breaking, 400 features):');
    expect(body).toContain('• feature: feature 6 (abcdef6)');
    expect(body).not.toContain('feature 7 ');
    expect(body).toContain(`… and 393 more: ${link}/api/v1/projects/harbor/release-notes/api/1.5.0`);
    expect(JSON.stringify(teams.received[0]!.body)).toContain('• breaking: quotes: v1 removed');
  });

  it('sends a firing and a resolved alert with its name, severity and figures', async () => {
    const [chat, pd] = await Promise.all([receiver('slack'), receiver('pagerduty')]);
    await storeProject(db, {
      services: {
        chat: { type: 'slack', url: 'secret:SLACK_URL' },
        pager: { type: 'pagerduty', routingKey: 'secret:PD_KEY', url: 'secret:PD_URL' },
      },
      subscriptions: [{ on: ['on-alert-firing', 'on-alert-resolved'], to: ['chat', 'pager'] }],
    });
    await start({ SLACK_URL: chat.url, PD_URL: pd.url, PD_KEY: routingKey });
    const alert: ActiveAlert = {
      fingerprint: 'f1',
      rule: 'api-error-rate',
      severity: 'critical',
      labels: { project: 'harbor', environment: 'production', service: 'api', alertname: 'api-error-rate' },
      groupKey: 'api-error-rate/production',
      state: 'firing',
      activeSince: Date.parse('2026-12-06T10:00:00Z'),
      firedAt: Date.parse('2026-12-06T10:01:00Z'),
      lastBreachAt: Date.parse('2026-12-06T10:01:00Z'),
      value: 0.196,
      threshold: 0.01,
    };
    await events.emit(alertEvent('alert.firing', alert, 'error_ratio', 'too many errors'));
    await until('the firing alert', () => (chat.received[0] && pd.received[0] ? true : undefined));
    await events.emit(alertEvent('alert.resolved', alert, 'error_ratio', 'too many errors'));
    await until('the resolution', () => (chat.received[1] && pd.received[1] ? true : undefined));
    expect([chat.rejected, pd.rejected]).toEqual([[], []]);

    const firing = slackText(chat, 0);
    expect((chat.received[0]!.body.blocks as { text: { text: string } }[])[0]!.text.text).toBe(
      'alert firing: api-error-rate in production',
    );
    for (const fact of ['*Alert rule*\\napi-error-rate', '*Severity*\\ncritical', '19.6 %', 'threshold 1.00 %'])
      expect(firing).toContain(fact);
    expect(firing).toContain(':rotating_light: on-alert-firing');
    expect(slackText(chat, 1)).toContain('alert resolved: api-error-rate in production');
    const dedup = 'slipway-alert-harbor-api-error-rate/production';
    expect(pd.received.map((r) => r.body)).toMatchObject([
      { event_action: 'trigger', dedup_key: dedup, payload: { severity: 'critical', component: 'api' } },
      { event_action: 'resolve', dedup_key: dedup },
    ]);
  });
});

describe('PagerDuty alert lifecycle', () => {
  it('triggers, acknowledges and resolves one alert per incident, keyed by the incident', async () => {
    const pd = await receiver('pagerduty');
    await storeProject(db, {
      services: { pager: { type: 'pagerduty', routingKey: 'secret:PD_KEY', url: 'secret:PD_URL' } },
      subscriptions: [
        { on: ['on-incident-opened', 'on-incident-acknowledged', 'on-incident-resolved'], to: ['pager'] },
      ],
    });
    await start({ PD_URL: pd.url, PD_KEY: routingKey });
    const opened = await openIncident(db, {
      project: 'harbor',
      environment: 'production',
      service: 'api',
      title: 'quotes time out',
      severity: 'sev2',
      source: 'manual',
      openedBy: 'dana',
      links: [],
    });
    await until('the trigger', () => pd.received[0]);
    await changeIncident(db, opened!.id, { kind: 'acknowledge', by: 'dana', at: new Date() });
    await until('the acknowledgement', () => pd.received[1]);
    await changeIncident(db, opened!.id, { kind: 'resolve', by: 'dana', at: new Date(), resolution: 'rolled back' });
    await until('the resolution', () => pd.received[2]);
    expect(pd.rejected).toEqual([]);
    const key = `slipway-incident-${opened!.id}`;
    expect(pd.received.map((r) => r.body)).toMatchObject([
      {
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: key,
        payload: {
          summary: 'incident opened: quotes time out in production',
          severity: 'critical',
          group: 'production',
        },
      },
      { routing_key: routingKey, event_action: 'acknowledge', dedup_key: key },
      { routing_key: routingKey, event_action: 'resolve', dedup_key: key },
    ]);
    expect(pd.received[1]!.body.payload).toBeUndefined();
  });

  it("resolves a failed deployment's alert when the next deployment of the service there succeeds", async () => {
    const pd = await receiver('pagerduty');
    await storeProject(db, {
      services: { pager: { type: 'pagerduty', routingKey: 'secret:PD_KEY', url: 'secret:PD_URL' } },
      subscriptions: [{ on: ['on-deployment-failed', 'on-deployment-succeeded'], to: ['pager'] }],
    });
    await seedFailedDeployment(db);
    await db.query(`update deployments set state = 'rolled_back' where id = 'dep_1'`);
    await insertRunningDeployment(db, 'dep_2');
    await start({ PD_URL: pd.url, PD_KEY: routingKey });
    const finished = (deploymentId: string, state: string) =>
      events.emit({
        project: 'harbor',
        deploymentId,
        service: 'api',
        environment: 'production',
        kind: 'deployment.finished',
        message: state,
        data: { state },
      });
    await events.emit({
      project: 'harbor',
      deploymentId: 'dep_1',
      service: 'api',
      environment: 'production',
      kind: 'deployment.rolling_back',
      message: 'rolling back',
      data: { reason: 'canary failed' },
    });
    await until('the trigger', () => pd.received[0]);
    await finished('dep_2', 'succeeded');
    await until('the resolution', () => pd.received[1]);
    expect(pd.rejected).toEqual([]);
    const key = 'slipway-deployment-harbor-production-api';
    expect(pd.received.map((r) => r.body)).toMatchObject([
      { event_action: 'trigger', dedup_key: key },
      { event_action: 'resolve', dedup_key: key },
    ]);
  });
});
