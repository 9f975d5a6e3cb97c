/** Wires notifications into a coordinator: the concrete senders, the vault's secrets, the event log, the metrics. */
import type { Registry } from 'prom-client';
import type { SecretVault } from '../access/secrets/vault.js';
import type { EventLog } from '../engine/event-log.js';
import { emailSender } from '../notify/email/index.js';
import { githubSender } from '../notify/github/index.js';
import { jiraSender } from '../notify/jira/index.js';
import { registerNotifyMetrics } from '../notify/metrics.js';
import { Notifier } from '../notify/notifier.js';
import { pagerDutySender } from '../notify/pagerduty/index.js';
import type { NotificationSender } from '../notify/sender.js';
import { SendThread } from '../notify/send-thread.js';
import { slackSender } from '../notify/slack/index.js';
import { teamsSender } from '../notify/teams/index.js';
import { webhookSender } from '../notify/webhook/index.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listProjects } from '../store/repos/projects.js';

/** Every notification service type and its sender. */
export const notificationSenders: Record<string, NotificationSender> = {
  slack: slackSender,
  teams: teamsSender,
  email: emailSender,
  webhook: webhookSender,
  pagerduty: pagerDutySender,
  jira: jiraSender,
  github: githubSender,
};

/** Start the dispatcher and worker of a coordinator; close() stops them (in-flight sends stay pending). */
export async function startNotifications(deps: {
  db: Db;
  events: EventLog;
  secrets: SecretVault;
  logger: Logger;
  linkBase: string;
  registry?: Registry;
  pollMs?: number;
  /**
   * Send from a thread of their own (default): a burst of deliveries then leaves the coordinator's thread, and a
   * deployment's steps, to themselves (bench:notify). false: on the calling thread.
   */
  sendThread?: boolean;
}): Promise<Notifier> {
  const counted = deps.registry ? registerNotifyMetrics(deps.registry, deps.db) : undefined;
  const sendThread = deps.sendThread === false ? undefined : SendThread.create();
  const notifier = new Notifier({
    db: deps.db,
    senders: notificationSenders,
    secretsFor: (project, environment) => deps.secrets.environmentFor({ project, environment }),
    emit: (e) => deps.events.emit(e),
    subscribe: (listener) => deps.events.subscribe(listener),
    following: () => deps.events.following(),
    logger: deps.logger,
    linkBase: deps.linkBase,
    ...(counted ? { onOutcome: counted.onOutcome } : {}),
    ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
    ...(sendThread ? { sendThread } : {}),
  });
  try {
    await notifier.start();
    // Started ahead when a stored project notifies anyone, so its first message does not wait for the thread (~0.3 s);
    // a coordinator whose projects notify nobody never starts it (~0.2 s of CPU less per start).
    const projects = sendThread ? await listProjects(deps.db) : [];
    if (projects.some((p) => (p.config.notifications?.subscriptions?.length ?? 0) > 0)) sendThread?.warm();
  } catch (e) {
    await notifier.close().catch(() => undefined);
    await sendThread?.close();
    throw e;
  }
  return notifier;
}
