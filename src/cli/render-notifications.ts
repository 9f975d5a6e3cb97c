import { ago, painted, printable, table } from './output.js';
import { stateWord } from './state-word.js';

/** GET /api/v1/projects/:project/notifications as the CLI receives it. */
export interface NotificationsView {
  notifications: {
    id: number;
    trigger: string;
    target: string;
    type: string;
    environment?: string;
    service?: string;
    title: string;
    state: string;
    attempts: number;
    lastStatus?: number;
    lastError?: string;
    renderError?: string;
    createdAt: string;
    nextAt?: string;
    /** When the last attempt ended. */
    lastAttemptAt?: string;
    /** notifications.retry.attempts in the project's config. */
    maxAttempts?: number;
  }[];
}

/** "failed 2m ago after 4 tries": when the last attempt ended, and how many were made. */
function failedWhen(n: NotificationsView['notifications'][number]): string {
  const when = n.lastAttemptAt ? ` ${ago(n.lastAttemptAt)}` : '';
  return `failed${when} after ${n.attempts} ${n.attempts === 1 ? 'try' : 'tries'}`;
}

/** Why it is not sent: when it is tried again, or when and after how many tries it failed. */
const standing = (n: NotificationsView['notifications'][number]) =>
  n.state === 'pending' ? `retrying at ${n.nextAt ?? '?'}` : failedWhen(n);

/** Deliveries as a table; under it, why each failed or is waiting, and each template that fell back. */
export function renderNotifications(
  view: NotificationsView,
  filter: { failedOnly?: boolean; environment?: string } = {},
): string {
  if (view.notifications.length === 0) {
    const where = filter.environment ? ` in ${filter.environment}` : '';
    if (filter.failedOnly) return `no failed notifications${where}\n`;
    // Filtered, there may be notifications elsewhere: the advice about subscriptions is for none at all.
    if (where) return `no notifications${where}\n`;
    return 'no notifications yet: subscriptions in slipway.yaml (notifications.subscriptions) decide what is sent\n';
  }
  const rows = view.notifications.map((n) => [
    String(n.id),
    ago(n.createdAt),
    // As configured (on-deployment-started): the name people type in slipway.yaml and search for.
    n.trigger,
    `${n.target} (${n.type})`,
    [n.service, n.environment].filter(Boolean).join('/') || '-',
    painted(stateWord(n.state)),
    n.maxAttempts ? `${n.attempts}/${n.maxAttempts}` : String(n.attempts),
    n.title.length > 50 ? `${n.title.slice(0, 49)}…` : n.title,
  ]);
  const notes = view.notifications.flatMap((n) => [
    ...(n.lastError && n.state !== 'sent' ? [`#${n.id} ${standing(n)}: ${printable(n.lastError)}`] : []),
    ...(n.renderError ? [`#${n.id} ${printable(n.renderError)}`] : []),
  ]);
  const headers = ['ID', 'AGE', 'TRIGGER', 'TO', 'SERVICE/ENV', 'STATE', 'TRIES', 'MESSAGE'];
  // Ends with a newline either way, so the shell's next line starts on its own.
  return `${table(headers, rows)}\n${notes.length > 0 ? `${notes.join('\n')}\n` : ''}`;
}
