/**
 * The runner's own connection: one `pg.Client` (not a pool) because the advisory lock and the
 * session-level settings of a non-transactional migration belong to one session.
 */
import pg from 'pg';
import { parsePostgresUrl, scrubCredentials, type PostgresAddress } from '../../store/postgres-address.js';
import { MigrationError } from '../errors.js';
import { applicationName, runnerIdentity } from './identity.js';
import { networkCodes } from '../../store/postgres-errors.js';

export interface RunnerConnection {
  client: pg.Client;
  address: PostgresAddress;
  /** The URL, kept only to scrub it out of driver messages. */
  url: string;
  /** `user@host pid N`, recorded as applied_by. */
  identity: string;
  /** The server process of this session: what another runner's lock-held message names. */
  backendPid: number;
  /** Ends the session; never throws. */
  close(): Promise<void>;
}

/**
 * Opens the runner's session. Unreachable server, bad login or missing database: a
 * MigrationError('unavailable') naming host:port/db, never the credentials.
 */
export async function openRunnerConnection(
  url: string,
  options: { connectTimeoutMs?: number } = {},
): Promise<RunnerConnection> {
  const address = addressOf(url);
  const identity = runnerIdentity();
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName(identity),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // Without a listener, a session the server drops (e.g. pg_terminate_backend) crashes the process;
  // the query in flight rejects anyway, and that is where the runner reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(error, address, url);
  }
  try {
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await enableDisconnectCheck(client);
    let closed: Promise<void> | undefined;
    return {
      client,
      address,
      url,
      identity,
      backendPid: pid,
      close: () => (closed ??= client.end().catch(() => undefined)),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(error, address, url);
  }
}

function addressOf(url: string): PostgresAddress {
  try {
    return parsePostgresUrl(url);
  } catch (error) {
    throw new MigrationError('invalid_input', (error as Error).message);
  }
}

/**
 * A killed runner's socket closes, but a backend busy in a long statement only notices when the
 * statement ends — holding the lock (and the table locks) until then. PostgreSQL 14+ can poll
 * the socket during a query; older servers or platforms without it just keep the old behaviour.
 */
async function enableDisconnectCheck(client: pg.Client): Promise<void> {
  try {
    await client.query("select set_config('client_connection_check_interval', '1000', false)");
  } catch {
    // Unsupported here: the statement_timeout still bounds how long a dead runner's work lingers.
  }
}

function unreachable(error: unknown, address: PostgresAddress, url: string): MigrationError {
  const err = error as { code?: string; message?: string };
  const reason = (err.code && networkCodes[err.code]) || err.message || err.code || 'unknown error';
  const refused = err.code?.startsWith('28') || err.code === '3D000';
  const text = refused
    ? `PostgreSQL at ${address.display} refused the connection: ${reason}`
    : `cannot reach PostgreSQL at ${address.display}: ${reason}`;
  return new MigrationError(
    'unavailable',
    scrubCredentials(text, url),
    { database: address.display, code: err.code },
    { cause: error },
  );
}
