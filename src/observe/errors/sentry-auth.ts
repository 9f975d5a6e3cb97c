/**
 * The DSN key an SDK presents: `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7` (server
 * SDKs) or `?sentry_key=…` (browser and Node SDKs put it in the query). The header wins.
 */
export function presentedKey(header: string | string[] | undefined, query: unknown): string | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text) {
    const match = /(?:^|[\s,])sentry_key\s*=\s*([^,\s]+)/i.exec(text.replace(/^\s*sentry\s+/i, ' '));
    if (match) return match[1];
  }
  const fromQuery = (query as { sentry_key?: unknown } | undefined)?.sentry_key;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}
