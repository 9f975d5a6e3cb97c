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
  }[];
}

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
    String(n.attempts),
    n.title.length > 50 ? `${n.title.slice(0, 49)}…` : n.title,
  ]);
  const notes = view.notifications.flatMap((n) => [
    ...(n.lastError && n.state !== 'sent'
      ? [`#${n.id} ${n.state === 'pending' ? `retrying at ${n.nextAt ?? '?'}` : 'failed'}: ${printable(n.lastError)}`]
      : []),
    ...(n.renderError ? [`#${n.id} ${printable(n.renderError)}`] : []),
  ]);
  const headers = ['ID', 'AGE', 'TRIGGER', 'TO', 'SERVICE/ENV', 'STATE', 'TRIES', 'MESSAGE'];
  // Ends with a newline either way, so the shell's next line starts on its own.
  return `${table(headers, rows)}\n${notes.length > 0 ? `${notes.join('\n')}\n` : ''}`;
}
