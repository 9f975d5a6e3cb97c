/** What to do about a receiver's refusal that retrying cannot fix: words for the delivery's recorded error. */
import type { NotificationsConfig } from '../config/model.js';
import { plainFields } from './secret-names.js';

/** The secrets a notification service reads, as `NAME (notifications.services.<target>.<field>)`; never values. */
function secretsOf(n: NotificationsConfig | undefined, target: string, only?: (field: string) => boolean): string[] {
  const service = n?.services[target] ?? {};
  return Object.entries(service)
    .filter(([field, value]) => !plainFields.has(field) && typeof value === 'string' && (only?.(field) ?? true))
    .map(([field, value]) => `${String(value)} (notifications.services.${target}.${field})`);
}

const named = (list: string[], target: string) =>
  list.length === 0
    ? `the secrets of notifications.services.${target}`
    : `${list.length === 1 ? 'secret' : 'secrets'} ${list.join(', ')}`;

/**
 * Advice for an answer that fails for good and that the project can fix: a redirect (3xx), refused credentials
 * (401/403), a URL no longer there (404/410). It names the service's config key and the secrets it reads, by name.
 */
export function adviceFor(
  status: number | undefined,
  n: NotificationsConfig | undefined,
  target: string,
): string | undefined {
  if (status === undefined) return undefined;
  if (status >= 300 && status < 400) {
    const urls = secretsOf(n, target, (field) => /url$/i.test(field));
    const which = urls.length > 0 ? urls : secretsOf(n, target);
    return `redirects are not followed: set ${named(which, target)} to the final URL`;
  }
  if (status === 401 || status === 403)
    return `the receiver refused the credentials: check the URL or token in ${named(secretsOf(n, target), target)}`;
  if (status === 404 || status === 410)
    return `the URL is no longer there: check ${named(secretsOf(n, target), target)}`;
  return undefined;
}
