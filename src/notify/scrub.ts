/** Errors and answers recorded about a delivery never carry a URL or a secret value. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const value of secrets) {
    if (value.length >= 4) out = out.split(value).join('[secret]');
    // A URL secret also appears as its host and path in network errors.
    try {
      const url = new URL(value);
      if (url.host) out = out.split(url.host).join('[host]');
    } catch {
      // not a URL
    }
  }
  return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '[url]');
}
