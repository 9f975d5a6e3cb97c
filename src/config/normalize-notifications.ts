import { parseDuration } from '../shared/duration.js';
import type { NotificationServiceConfig, NotificationsConfig } from './model.js';
import type { ParsedConfig } from './schema.js';

type Parsed = NonNullable<ParsedConfig['notifications']>;

const ms = (d: string | number) => parseDuration(d) ?? 0; // the schema checked every duration

/** `secret:NAME` → NAME: the model carries secret names, the notifier reads their values when sending. */
const secretName = (ref: string) => ref.slice('secret:'.length);

function normalizeService(s: Parsed['services'][string]): NotificationServiceConfig {
  switch (s.type) {
    case 'slack':
    case 'teams':
      return { type: s.type, url: secretName(s.url) };
    case 'email':
      return { type: 'email', url: secretName(s.url), from: s.from, to: s.to };
    case 'webhook':
      return { type: 'webhook', url: secretName(s.url), secret: secretName(s.secret) };
    case 'pagerduty':
      return { type: 'pagerduty', routingKey: secretName(s.routingKey), ...(s.url ? { url: secretName(s.url) } : {}) };
    case 'jira':
      return {
        type: 'jira',
        site: s.site.replace(/\/+$/, ''),
        email: secretName(s.email),
        token: secretName(s.token),
        project: s.project,
        issueType: s.issueType,
        transitions: s.transitions,
        ...(s.changes
          ? { changes: { environments: s.changes.environments, issueType: s.changes.issueType ?? s.issueType } }
          : {}),
      };
    case 'github':
      return {
        type: 'github',
        token: secretName(s.token),
        repository: s.repository,
        api: s.api.replace(/\/+$/, ''),
        environmentUrls: s.environmentUrls,
      };
  }
}

/** The parsed `notifications:` block as the notifier reads it. */
export function normalizeNotifications(n: Parsed): NotificationsConfig {
  return {
    ...(n.link ? { link: n.link.replace(/\/+$/, '') } : {}),
    timeoutMs: ms(n.timeout),
    concurrency: n.concurrency,
    retry: { attempts: n.retry.attempts, backoffMs: ms(n.retry.backoff), maxBackoffMs: ms(n.retry.maxBackoff) },
    freezeNoticeMs: ms(n.freezeNotice),
    services: Object.fromEntries(Object.entries(n.services).map(([name, s]) => [name, normalizeService(s)])),
    templates: n.templates,
    subscriptions: n.subscriptions.map((s) => ({
      on: s.on,
      to: s.to,
      ...(s.environments ? { environments: s.environments } : {}),
      ...(s.services ? { services: s.services } : {}),
      ...(s.template ? { template: s.template } : {}),
    })),
  };
}
