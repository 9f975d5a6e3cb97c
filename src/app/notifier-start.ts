/**
 * Starts a Notifier with the concrete senders, on whichever thread calls it: the coordinator's (notifications.ts,
 * when the store cannot be shared) or the notifier's own (notify-thread-main.ts).
 */
import { emailSender } from '../notify/email/index.js';
import { githubSender } from '../notify/github/index.js';
import { jiraSender } from '../notify/jira/index.js';
import { Notifier, type NotifierOptions } from '../notify/notifier.js';
import { pagerDutySender } from '../notify/pagerduty/index.js';
import type { NotificationSender } from '../notify/sender.js';
import { SendThread } from '../notify/send-thread.js';
import { slackSender } from '../notify/slack/index.js';
import { teamsSender } from '../notify/teams/index.js';
import { webhookSender } from '../notify/webhook/index.js';
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

/**
 * Start a notifier; `sendThread` (default true) sends from a thread of its own (send-thread.ts). close() stops it
 * (in-flight sends stay pending) and its send thread.
 */
export async function startNotifierHere(
  options: Omit<NotifierOptions, 'senders' | 'sendThread'> & { sendThread?: boolean },
): Promise<Notifier> {
  const { sendThread: send, ...rest } = options;
  const sendThread = send === false ? undefined : SendThread.create();
  const notifier = new Notifier({ ...rest, senders: notificationSenders, ...(sendThread ? { sendThread } : {}) });
  try {
    await notifier.start();
    // Started ahead when a stored project notifies anyone, so its first message does not wait for the thread (~0.3 s);
    // a coordinator whose projects notify nobody never starts it (~0.2 s of CPU less per start).
    const projects = sendThread ? await listProjects(options.db) : [];
    if (projects.some((p) => (p.config.notifications?.subscriptions?.length ?? 0) > 0)) sendThread?.warm();
  } catch (e) {
    await notifier.close().catch(() => undefined);
    await sendThread?.close();
    throw e;
  }
  return notifier;
}
