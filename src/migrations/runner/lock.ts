/**
 * One runner per database at a time: a session-level advisory lock, held on the runner's own
 * connection for the whole run. Session-level (not transaction-level) because the run spans
 * many transactions and non-transactional statements; and because PostgreSQL drops it with the
 * session, a killed runner never leaves a stale lock behind (no lock row to clean up).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { scrubCredentials } from '../../store/postgres-address.js';
import { MigrationError } from '../errors.js';
import type { RunnerConnection } from './connection.js';

/**
 * The lock key: the first 8 bytes of sha256("slipway-migrations") read as a signed big-endian
 * 64-bit integer. It must never change — an older and a newer Slipway would otherwise migrate
 * the same database at once. In pg_locks it shows as locktype 'advisory', classid 1674738133,
 * objid 3265944549, objsubid 1 (the two halves of a bigint key).
 */
export const migrationLockKey = 7192945513865042917n;

const lockTag = {
  classid: BigInt.asUintN(32, migrationLockKey >> 32n).toString(),
  objid: BigInt.asUintN(32, migrationLockKey).toString(),
};

const pollMs = 200;

/**
 * Takes the lock or, after waiting up to `waitForLockMs` (0: not at all), throws
 * MigrationError('conflict') naming the session that holds it.
 */
export async function acquireMigrationLock(conn: RunnerConnection, waitForLockMs = 0): Promise<void> {
  const deadline = Date.now() + waitForLockMs;
  for (;;) {
    const { rows } = await conn.client.query<{ granted: boolean }>(
      'select pg_try_advisory_lock($1::bigint) as granted',
      [migrationLockKey.toString()],
    );
    if (rows[0]?.granted) return;
    const left = deadline - Date.now();
    if (left <= 0) throw await lockHeld(conn, waitForLockMs);
    await delay(Math.min(pollMs, left));
  }
}

/** Gives the lock back; a dead session has already lost it, so failures are ignored. */
export async function releaseMigrationLock(conn: RunnerConnection): Promise<void> {
  await conn.client
    .query('select pg_advisory_unlock($1::bigint)', [migrationLockKey.toString()])
    .catch(() => undefined);
}

interface Holder {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  client_port: number | null;
  backend_start: Date | null;
  state: string | null;
  query: string | null;
}

async function lockHeld(conn: RunnerConnection, waitedMs: number): Promise<MigrationError> {
  const { rows } = await conn.client.query<Holder>(
    `select l.pid, a.application_name, host(a.client_addr) as client_addr, a.client_port, a.backend_start, a.state,
      left(a.query, 300) as query
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.classid = $1::oid and l.objid = $2::oid
        and l.database = (select oid from pg_database where datname = current_database())
        and l.pid <> pg_backend_pid()
      limit 1`,
    [lockTag.classid, lockTag.objid],
  );
  const where = conn.address.display;
  const waited = waitedMs > 0 ? `still held after waiting ${waitedMs} ms` : 'held';
  const holder = rows[0];
  if (!holder) {
    return new MigrationError(
      'conflict',
      `migration lock on ${where} was held by another session, which has just released it; run again`,
      { database: where },
    );
  }
  const text =
    `migration lock on ${where} is ${waited} by pid ${holder.pid} (${describeHolder(holder)}); wait for ` +
    `it to finish, or stop it with select pg_terminate_backend(${holder.pid})`;
  return new MigrationError('conflict', scrubCredentials(text, conn.url), {
    database: where,
    holderPid: holder.pid,
    applicationName: holder.application_name,
  });
}

function describeHolder(holder: Holder): string {
  const client = holder.client_addr
    ? `client ${holder.client_addr}${holder.client_port ? `:${holder.client_port}` : ''}`
    : 'local socket';
  const since = holder.backend_start ? `running since ${holder.backend_start.toISOString()}` : 'start time unknown';
  const query = holder.query
    ? `${holder.state ?? 'state unknown'}, query: ${summariseQuery(holder.query)}`
    : (holder.state ?? 'state unknown');
  return [holder.application_name || 'no application_name', client, since, query].join(', ');
}

/** One line, short, and without a literal password should the holder be running CREATE ROLE … PASSWORD. */
export function summariseQuery(query: string): string {
  const line = query
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(password\s+)'(?:[^']|'')*'/gi, "$1'[redacted]'");
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
