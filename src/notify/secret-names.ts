import type { NotificationsConfig } from '../config/model.js';
import { plainServiceFields } from './outcome.js';

/** Fields of a notification service that hold plain settings; every other field holds the NAME of a secret. */
export const plainFields: ReadonlySet<string> = new Set(['type', 'from', 'to', ...plainServiceFields]);

/** The secrets the notification services read (their URLs, tokens, signing keys), by name. */
export function notificationSecretNames(n: NotificationsConfig | undefined): string[] {
  const names = new Set<string>();
  for (const service of Object.values(n?.services ?? {}))
    for (const [key, value] of Object.entries(service))
      if (!plainFields.has(key) && typeof value === 'string') names.add(value);
  return [...names];
}
