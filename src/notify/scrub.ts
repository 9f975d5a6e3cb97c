/** Errors and answers recorded about a delivery never carry a URL or a secret value. */

/**
 * A path segment that may be a token on its own (Slack's T…/B…/… ids and key, a Teams workflow's id): eight or more
 * characters and not a plain lowercase word, so `services` or `workflows` are not blanked out of every message.
 */
const tokenLike = (segment: string) => segment.length >= 8 && !/^[a-z-]+$/.test(segment);

/**
 * The parts of a URL secret that are secret on their own: credentials, the path and its token-like segments, the
 * query's values — each as written (percent-encoded) and decoded, since a receiver may echo either.
 */
function urlParts(value: string): { host?: string; parts: string[] } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { parts: [] };
  }
  const decoded = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const both = (s: string) => [s, decoded(s)];
  const rawQuery = url.search
    .slice(1)
    .split('&')
    .flatMap((pair) => [pair, pair.slice(pair.indexOf('=') + 1)]);
  return {
    host: url.host,
    parts: [
      ...both(url.username),
      ...both(url.password),
      // A token in the path (Slack's /services/T…/B…/…, a Teams workflow's signature) or the query.
      ...(url.pathname.length > 1 ? both(url.pathname) : []),
      ...url.pathname.split('/').filter(tokenLike).flatMap(both),
      ...rawQuery,
      ...url.searchParams.values(),
    ],
  };
}

/** What to replace for a set of secrets, the longest first, so a part of a secret does not break up a longer one. */
function replacementsFor(secrets: string[]): [string, string][] {
  const replace: [string, string][] = [];
  for (const value of secrets) {
    const { host, parts } = urlParts(value);
    replace.push([value, '[secret]'], ...parts.map((p): [string, string] => [p, '[secret]']));
    // A URL secret also appears as its host in network errors.
    if (host) replace.push([host, '[host]']);
  }
  return replace.sort(([a], [b]) => b.length - a.length);
}

/**
 * The replacements of the secrets sets seen lately: a burst's failing endpoint scrubs one error per attempt with the
 * same secret, and parsing its URL each time was 6 % of the coordinator thread's long turns in bench:notify. Kept in
 * this process's memory only, where the secrets' values already are; forgotten all at once past `remembered` sets.
 */
const remembered = 256;
const replacements = new Map<string, [string, string][]>();

export function scrub(text: string, secrets: string[]): string {
  const key = JSON.stringify(secrets);
  let replace = replacements.get(key);
  if (!replace) {
    if (replacements.size >= remembered) replacements.clear();
    replace = replacementsFor(secrets);
    replacements.set(key, replace);
  }
  let out = text;
  for (const [value, label] of replace) if (value.length >= 4) out = out.split(value).join(label);
  // Punctuation that ends the sentence around a URL (a closing bracket, a full stop) stays: it is not the URL's.
  return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => `[url]${/[).,;:]+$/.exec(url)?.[0] ?? ''}`);
}
