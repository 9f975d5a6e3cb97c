/** Subscriptions name declared notification services, templates, environments and services (raw input). */
import type { RawIssue } from './messages.js';
import { entriesOf, field, isMapping } from './raw.js';
import { hint } from './suggest.js';

function namesOf(value: unknown): string[] | undefined {
  return isMapping(value) ? entriesOf(value).map(([name]) => name) : undefined;
}

export function checkNotifications(raw: unknown): RawIssue[] {
  const notifications = field(raw, 'notifications');
  const issues: RawIssue[] = checkServiceEnvironments(raw);
  const subscriptions = field(notifications, 'subscriptions');
  if (!Array.isArray(subscriptions)) return issues;
  const known = {
    to: [namesOf(field(notifications, 'services')) ?? [], 'a notification service under notifications.services'],
    template: [namesOf(field(notifications, 'templates')) ?? [], 'a template under notifications.templates'],
    environments: [namesOf(field(raw, 'environments')), 'a declared environment'],
    services: [namesOf(field(raw, 'services')), 'a declared service'],
  } as const;
  const words = { to: 'notification service', template: 'template', environments: 'environment', services: 'service' };
  subscriptions.forEach((subscription, i) => {
    for (const key of ['to', 'template', 'environments', 'services'] as const) {
      const [names, noun] = known[key];
      const value = field(subscription, key);
      if (!names || value === undefined) continue;
      const listed = Array.isArray(value) ? value : [value];
      listed.forEach((name, j) => {
        if (typeof name !== 'string' || names.includes(name)) return;
        issues.push({
          path: ['notifications', 'subscriptions', i, key, ...(Array.isArray(value) ? [j] : [])],
          message: `unknown ${words[key]} "${name}"${hint(name, names, noun)}`,
        });
      });
    }
  });
  return issues;
}

/** A jira service's `changes.environments` and a github service's `environmentUrls` name declared environments. */
function checkServiceEnvironments(raw: unknown): RawIssue[] {
  const declared = namesOf(field(raw, 'environments'));
  if (!declared) return [];
  const issues: RawIssue[] = [];
  const check = (name: unknown, path: (string | number)[]) => {
    if (typeof name !== 'string' || declared.includes(name)) return;
    issues.push({ path, message: `unknown environment "${name}"${hint(name, declared, 'a declared environment')}` });
  };
  for (const [name, service] of entriesOf(field(field(raw, 'notifications'), 'services'))) {
    const changes = field(field(service, 'changes'), 'environments');
    if (Array.isArray(changes))
      for (const [i, env] of changes.entries())
        check(env, ['notifications', 'services', name, 'changes', 'environments', i]);
    for (const [env] of entriesOf(field(service, 'environmentUrls')))
      check(env, ['notifications', 'services', name, 'environmentUrls', env]);
  }
  return issues;
}
