import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GithubStandIn, startGithubStandIn } from '../../test/support/github-stand-in.js';
import { type JiraStandIn, startJiraStandIn } from '../../test/support/jira-stand-in.js';
import { seedFailedDeployment, storeProject } from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import { SecretVault } from '../access/secrets/vault.js';
import { startNotifications } from '../app/notifications.js';
import { EventLog } from '../engine/event-log.js';
import { createLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listEvents } from '../store/repos/events.js';
import { listNotifyDeliveries } from '../store/repos/notify-deliveries.js';
import { recordReleaseCommit } from '../store/repos/release-commits.js';
import type { Notifier } from './notifier.js';

/**
 * Jira and GitHub through the whole path — events in PostgreSQL, the dispatcher's outbox, the
 * worker with secrets from the vault, issue keys and deployment ids kept in notify_refs — against
 * the local stand-ins (Jira and GitHub cannot run here).
 */
const jiraAccount = { email: 'ops@example.com', token: 'ATATT3x-jira-token', project: 'OPS' };
const ghToken = 'ghp_standInToken0123456789';
const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const logger = createLogger({ level: 'silent' });

let db: Db;
let dir: string;
let vault: SecretVault;
let events: EventLog;
let notifier: Notifier | undefined;
let jira: JiraStandIn;
let gh: GithubStandIn;

beforeEach(async () => {
  db = await freshDb();
  dir = mkdtempSync(join(tmpdir(), 'slipway-jira-gh-'));
  vault = SecretVault.open(db, dir, {});
  events = new EventLog(db, logger);
  jira = await startJiraStandIn(jiraAccount);
  gh = await startGithubStandIn({ repository: 'acme/harbor', token: ghToken, commits: [sha] });
});

afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
  await jira.close();
  await gh.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function setup(seed?: () => Promise<void>): Promise<void> {
  await storeProject(db, {
    retry: { attempts: 20, backoff: '50ms', maxBackoff: '200ms' },
    services: {
      tickets: {
        type: 'jira',
        site: jira.url,
        email: 'secret:JIRA_EMAIL',
        token: 'secret:JIRA_TOKEN',
        project: 'OPS',
        issueType: 'Incident',
        changes: { environments: ['production'], issueType: 'Change' },
      },
      gh: {
        type: 'github',
        token: 'secret:GITHUB_TOKEN',
        repository: 'acme/harbor',
        api: gh.url,
        environmentUrls: { production: 'https://quote.example.com' },
      },
    },
    subscriptions: [
      { on: ['on-incident-opened', 'on-incident-acknowledged', 'on-incident-resolved'], to: ['tickets'] },
      { on: ['on-deployment-started', 'on-deployment-succeeded', 'on-deployment-failed'], to: ['tickets', 'gh'] },
    ],
  });
  await seed?.();
  for (const [name, value] of Object.entries({
    JIRA_EMAIL: jiraAccount.email,
    JIRA_TOKEN: jiraAccount.token,
    GITHUB_TOKEN: ghToken,
  }))
    await vault.set({ project: 'harbor', environment: 'production' }, name, value);
  notifier = await startNotifications({
    db,
    events,
    secrets: vault,
    logger,
    linkBase: 'http://127.0.0.1:7420',
    pollMs: 50,
  });
}

const incident = (kind: string, extra: Record<string, unknown> = {}) =>
  events.emit({
    project: 'harbor',
    environment: 'production',
    service: 'api',
    kind,
    message: kind,
    data: { incident: 'inc_3', severity: 'sev2', title: 'quotes time out', ...extra },
  });

describe('jira and github notifications', () => {
  it('an incident becomes one Jira issue that follows it to Done', async () => {
    await setup();
    await incident('incident.opened');
    await incident('incident.acknowledged', { by: 'dana' });
    await incident('incident.resolved', { by: 'dana' });
    const issue = await until('the issue resolved', () => {
      const i = jira.issues.get('OPS-1');
      return i?.status === 'Done' ? i : undefined;
    });
    // Retries may reorder acknowledge and resolve; either way the issue ends Done and is never reopened.
    expect(issue.history.at(-1)).toBe('Done');
    expect(issue.fields.summary).toBe('incident opened: quotes time out in production');
    expect(jira.issues.size).toBe(1);
    expect(jira.rejected).toEqual([]);
    const sent = await until('three notification.sent events', async () => {
      const e = (await listEvents(db, { limit: 100 })).filter((x) => x.kind === 'notification.sent');
      return e.length === 3 ? e : undefined;
    });
    expect(sent.map((e) => e.message).join('\n')).toMatch(/created OPS-1/);
    expect(jira.issues.get('OPS-1')!.status).toBe('Done');
    expect(issue.comments).toHaveLength(2);
    expect(JSON.stringify(sent)).not.toContain(jiraAccount.token);
  });

  it('a pushed release in production gets a GitHub deployment with statuses and a Jira change issue', async () => {
    await setup(async () => {
      await seedFailedDeployment(db, 'dep_7');
      await recordReleaseCommit(db, {
        project: 'harbor',
        service: 'api',
        version: '1.5.0',
        sha,
        committedAt: new Date(),
      });
    });
    const deployment = { project: 'harbor', deploymentId: 'dep_7', environment: 'production', service: 'api' };
    await events.emit({ ...deployment, kind: 'deployment.started', message: 'started', data: {} });
    await events.emit({ ...deployment, kind: 'deployment.rolling_back', message: 'rolling back', data: {} });
    const d = await until('the GitHub failure status', () =>
      gh.deployments[0]?.statuses.some((s) => s.state === 'failure') ? gh.deployments[0] : undefined,
    );
    expect(d).toMatchObject({ ref: sha, environment: 'production' });
    expect(d.statuses[0]).toMatchObject({
      state: 'in_progress',
      log_url: 'http://127.0.0.1:7420/deployments/dep_7',
    });
    expect(d.statuses.at(-1)!.description).toMatch(/^api 1\.4\.2 → 1\.5\.0: failed \(error-rate\.absolute/);
    const change = await until('the change issue commented', () => {
      const i = jira.issues.get('OPS-1');
      return i && i.comments.length > 0 ? i : undefined;
    });
    expect(change.fields.issuetype).toEqual({ name: 'Change' });
    expect(change.status).toBe('To Do'); // no `failed` transition configured: a comment only
    await until('every delivery settled', async () => {
      const all = await listNotifyDeliveries(db, { project: 'harbor' });
      return all.length > 0 && all.every((x) => x.state === 'sent') ? all : undefined;
    });
    expect(gh.rejected).toEqual([]);
    expect(jira.rejected).toEqual([]);
  });
});
