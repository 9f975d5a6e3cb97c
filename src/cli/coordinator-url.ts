import { CliError } from './errors.js';

/**
 * SLIPWAY_URL, checked: an http(s) URL, or a usage error naming the variable (exit 2) rather than
 * node's `TypeError: Invalid URL` at the first request. Undefined when it is not set (or set empty).
 */
export function slipwayUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.SLIPWAY_URL?.trim();
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // The value itself is not echoed: it may hold a password, and what cannot be parsed cannot be redacted.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new CliError(
      'invalid_input',
      'SLIPWAY_URL is not an http(s) URL: set it to the coordinator address, e.g. http://127.0.0.1:7420',
    );
  return raw;
}

/** A coordinator address fit to print: user:password and the query (a ?token=…) replaced by ***. */
export function redactUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return '(an address that is not a URL)';
  }
  const credentials = url.username || url.password;
  const query = url.search;
  // Nothing to hide: as written (no slash added), as the user will recognise it.
  if (!credentials && !query) return address;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  const text = url.toString();
  const shown = credentials ? text.replace('//', '//***@') : text;
  return query ? `${shown}?***` : shown;
}
