/** Errors and answers recorded about a delivery never carry a URL or a secret value. */

/** The parts of a URL secret that are secret on their own: credentials (as written and decoded), path, query. */
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
  return {
    host: url.host,
    parts: [
      url.password,
      decoded(url.password),
      // A token in the path (Slack's /services/T…/B…/…, a Teams workflow's signature) or the query.
      url.pathname.length > 1 ? url.pathname : '',
      ...[...url.searchParams.values()],
    ],
  };
}

export function scrub(text: string, secrets: string[]): string {
  const replace: [string, string][] = [];
  for (const value of secrets) {
    const { host, parts } = urlParts(value);
    replace.push([value, '[secret]'], ...parts.map((p): [string, string] => [p, '[secret]']));
    // A URL secret also appears as its host in network errors.
    if (host) replace.push([host, '[host]']);
  }
  // The longest first, so a part of a secret does not break up a longer one before that is replaced.
  replace.sort(([a], [b]) => b.length - a.length);
  let out = text;
  for (const [value, label] of replace) if (value.length >= 4) out = out.split(value).join(label);
  return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '[url]');
}
