import { StoreError } from './errors.js';

/** Where a DATABASE_URL points, in a form safe to print: no user, no password. */
export interface PostgresAddress {
  host: string;
  port: number;
  database: string;
  /** "host:port/database", for messages and logs. */
  display: string;
}

/** Parse a postgres:// URL for messages; refuses anything else without echoing it (it may hold a password). */
export function parsePostgresUrl(url: string): PostgresAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(
      'invalid_input',
      'DATABASE_URL is not a valid URL; expected postgres://user:password@host:5432/database',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreError(
      'invalid_input',
      `DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`,
    );
  }
  // libpq also accepts the host (e.g. a socket directory) and port as query parameters.
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = Number(parsed.port || parsed.searchParams.get('port') || 5432);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  return { host, port, database, display: `${host}:${port}/${database}` };
}

/** Remove the URL and its password from a message that may have come from the driver. */
export function scrubCredentials(message: string, url: string): string {
  let out = message.split(url).join('[DATABASE_URL]');
  try {
    const { password } = new URL(url);
    if (password) {
      for (const secret of new Set([password, decodeURIComponent(password)]))
        out = out.split(secret).join('[redacted]');
    }
  } catch {
    // Not a URL: nothing more to scrub; parsePostgresUrl reports it.
  }
  return out;
}
