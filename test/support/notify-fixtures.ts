/** A project with notifications, a deployment with releases and a failing verdict, for notification tests. */
import { validateConfigObject } from '../../src/config/validate.js';
import type { EventLog } from '../../src/engine/event-log.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import type { Db } from '../../src/store/db.js';
import { insertDeployment } from '../../src/store/repos/deployments.js';
import { upsertProject } from '../../src/store/repos/projects.js';
import { insertReleaseIfAbsent } from '../../src/store/repos/releases.js';
import { insertVerdict } from '../../src/store/repos/verdicts.js';
import { rawConfig } from './config.js';

/** A config with `notifications` set to this block. */
export function notifyConfig(notifications: unknown) {
  const raw = rawConfig();
  raw.project = 'harbor';
  raw.notifications = notifications;
  return validateConfigObject(raw, { baseDir: '/srv/app' });
}

/** Store the project's config. */
export async function storeProject(db: Db, notifications: unknown): Promise<void> {
  const config = notifyConfig(notifications);
  await upsertProject(db, config.project, config, `digest-${Math.random()}`);
}

/** harbor's `service` started deploying in staging: a delivery to each service subscribed to on-deployment-started. */
export function emitDeploymentStarted(events: EventLog, message = 'started', service = 'api') {
  return events.emit({
    project: 'harbor',
    service,
    environment: 'staging',
    kind: 'deployment.started',
    message,
    data: {},
  });
}

/** A running canary deployment of api 1.4.2 → 1.5.0 in production by dana (its releases stored already). */
export async function insertRunningDeployment(db: Db, id: string): Promise<void> {
  await insertDeployment(db, {
    id,
    project: 'harbor',
    service: 'api',
    environment: 'production',
    kind: 'deploy',
    fromRelease: 'rel_1.4.2',
    toRelease: 'rel_1.5.0',
    strategy: 'canary',
    plan: { steps: [] } as never,
    requestedBy: 'dana',
    settings: {} as never,
    state: 'running',
  });
}

/** A canary deployment of api 1.4.2 → 1.5.0 in production by dana, with a failed verdict. */
export async function seedFailedDeployment(db: Db, id = 'dep_1'): Promise<void> {
  const spec = { command: 'node', args: [], cwd: '/srv/app', env: {} };
  for (const version of ['1.4.2', '1.5.0']) {
    await insertReleaseIfAbsent(db, {
      id: `rel_${version}`,
      project: 'harbor',
      service: 'api',
      version,
      spec: spec as never,
      digest: `d${version}`,
    });
  }
  await insertRunningDeployment(db, id);
  await insertVerdict(
    db,
    id,
    0,
    {
      at: Date.now(),
      outcome: 'fail',
      score: 12,
      reason: 'error-rate.absolute: candidate 19.6 % of 51 requests > 1 %',
      metrics: [
        {
          metric: 'error-rate',
          source: 'proxy',
          rule: 'error-rate.absolute',
          classification: 'high',
          candidate: 19.6,
          stable: 0.2,
          unit: '%',
          threshold: '> 1 %',
          conclusive: true,
          weight: 1,
          message: 'too many errors',
        },
      ],
    },
    true,
  );
}

/**
 * Dispatch until something is written, or give up after 10 s; returns how many deliveries were written. On the shared
 * test server a transaction of another test's database can hold the bound back for a moment (it is in the snapshot
 * but gone from pg_stat_activity when that is read, or an autovacuum of this database holds an xid): that pass reads
 * nothing and says `heldBack`, as the coordinator's would, and reads again soon.
 */
export async function dispatchUntilWritten(dispatcher: Dispatcher, written?: () => void): Promise<number> {
  const end = Date.now() + 10_000;
  let total = 0;
  while (total === 0 && Date.now() < end) {
    total += await dispatcher.dispatchAll(written);
    if (total === 0) await new Promise((r) => setTimeout(r, 50));
  }
  return total;
}

/** harbor's notifications in worker tests: deployments starting go to one Slack service, chat (secret SLACK_URL). */
export const slackChat = {
  retry: { attempts: 3, backoff: '100ms' },
  services: { chat: { type: 'slack', url: 'secret:SLACK_URL' } },
  subscriptions: [{ on: ['on-deployment-started'], to: ['chat'] }],
};

/** slackChat stored, api started deploying in staging, and its delivery dispatched; returns how many were written. */
export async function writeSlackChatDelivery(db: Db, events: EventLog): Promise<number> {
  await storeProject(db, slackChat);
  await emitDeploymentStarted(events);
  return dispatchUntilWritten(new Dispatcher({ db, linkBase: 'http://127.0.0.1:7420' }));
}
