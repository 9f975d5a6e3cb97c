import { StoreError } from './errors.js';
import { scrubCredentials, type PostgresAddress } from './postgres-address.js';

/** Socket error codes in words, for messages about an unreachable server (also used by the migration runner). */
export const networkCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

/**
 * Turn a failure to reach or use the server into a StoreError naming host:port (never the
 * credentials). SQL errors (constraint violations, syntax...) come back unchanged so callers
 * can read their SQLSTATE.
 */
export function translatePostgresError(e: unknown, address: PostgresAddress, url: string): unknown {
  const err = e as { code?: unknown; message?: unknown; errors?: unknown[] };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : '';
  const where = `PostgreSQL at ${address.host}:${address.port}`;
  let reason: string | undefined;
  if (code && networkCodes[code]) reason = networkCodes[code];
  else if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) reason = message;
  // connection, auth, missing database, resources, shutdown
  else if (code && /^(08|28|3D|53|57P)/.test(code)) reason = message;
  if (reason === undefined) return e;
  const text =
    code?.startsWith('3D') || code?.startsWith('28')
      ? `${where} refused the connection: ${reason}`
      : `${where} is not reachable (database ${address.database}): ${reason}`;
  return new StoreError(
    'unavailable',
    scrubCredentials(text, url),
    { host: address.host, port: address.port, database: address.database, code },
    { cause: e },
  );
}
