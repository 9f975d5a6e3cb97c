import type { Queryable } from '../db.js';
import { leaseSessionName } from '../lease-session.js';

/** Who leads: the lease row of schema 018. */
export interface LeaderLease {
  holder: string;
  /** Fencing token: grows by one on every acquisition, never reused. */
  token: number;
  /** The leader's API, where followers forward writes. */
  url: string;
  host: string;
  pid: number;
  acquiredAt: Date;
  expiresAt: Date;
  /** Whether it was still valid when read (the database's clock decides, not ours). */
  valid: boolean;
}

export interface Candidate {
  holder: string;
  url: string;
  host: string;
  pid: number;
}

interface Row {
  holder: string;
  token: number;
  url: string;
  host: string;
  pid: number;
  acquired_at: Date;
  expires_at: Date;
  valid: boolean;
}

const columns = 'holder, token, url, host, pid, acquired_at, expires_at, expires_at > clock_timestamp() as valid';

function toLease(r: Row): LeaderLease {
  return {
    holder: r.holder,
    token: Number(r.token),
    url: r.url,
    host: r.host,
    pid: Number(r.pid),
    acquiredAt: r.acquired_at,
    expiresAt: r.expires_at,
    valid: r.valid,
  };
}

/** A leader seen holding the lease with its store connections open (see acquireLease). */
export interface SeenLeader {
  holder: string;
  token: number;
}

/**
 * Take the lease if it is free or expired (or already ours), with a new fencing token; undefined while another
 * holder's lease runs. One statement, so two candidates cannot both win.
 * With `gone`, a leader this candidate saw alive earlier: its lease is also taken before it runs out when that term
 * still holds it and none of its store connections is left (PostgreSQL ends a backend as soon as its client's socket
 * closes, so a SIGKILLed coordinator's sessions vanish at once). A leader that is merely paused or slow keeps its
 * connections, and its lease; one that lost them all while alive is deposed like an expired one (its renewal and
 * writes are refused by the fence, and it steps down).
 */
export async function acquireLease(
  db: Queryable,
  c: Candidate,
  ttlMs: number,
  gone?: SeenLeader,
): Promise<LeaderLease | undefined> {
  const { rows } = await db.query<Row>(
    `insert into leader_lease as l (id, holder, token, url, host, pid, acquired_at, expires_at)
     values (1, $1, 1, $2, $3, $4, clock_timestamp(), clock_timestamp() + $5 * interval '1 millisecond')
     on conflict (id) do update
       set holder = excluded.holder, token = l.token + 1, url = excluded.url, host = excluded.host,
           pid = excluded.pid, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       where l.expires_at <= clock_timestamp() or l.holder = excluded.holder
         or (l.holder = $6 and l.token = $7
             and not exists (select 1 from pg_stat_activity where application_name = $8))
     returning ${columns}`,
    [
      c.holder,
      c.url,
      c.host,
      c.pid,
      ttlMs,
      gone?.holder ?? null,
      gone?.token ?? null,
      gone ? leaseSessionName(gone.holder) : null,
    ],
  );
  return rows[0] ? toLease(rows[0]) : undefined;
}

/** Whether any store connection of the holder is open (leaseSessionName). */
export async function holderConnected(db: Queryable, holder: string): Promise<boolean> {
  const { rows } = await db.query<{ open: boolean }>(
    'select exists (select 1 from pg_stat_activity where application_name = $1) as open',
    [leaseSessionName(holder)],
  );
  return rows[0]?.open === true;
}

/** Extend our lease; false when it is no longer ours (expired and taken, or a newer token). */
export async function renewLease(db: Queryable, holder: string, token: number, ttlMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update leader_lease set expires_at = clock_timestamp() + $3 * interval '1 millisecond'
     where id = 1 and holder = $1 and token = $2`,
    [holder, token, ttlMs],
  );
  return rowCount === 1;
}

/** Give the lease up at once (a clean stop), so a follower need not wait for it to expire. */
export async function releaseLease(db: Queryable, holder: string, token: number): Promise<void> {
  await db.query('update leader_lease set expires_at = clock_timestamp() where id = 1 and holder = $1 and token = $2', [
    holder,
    token,
  ]);
}

/** The lease as the database has it now, or undefined when no coordinator ever led. */
export async function readLease(db: Queryable): Promise<LeaderLease | undefined> {
  const { rows } = await db.query<Row>(`select ${columns} from leader_lease where id = 1`);
  return rows[0] ? toLease(rows[0]) : undefined;
}

/** The store's fence refused a write: this coordinator does not hold the leader lease (schema 018). */
export function isFenceRefusal(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return code === '55P03' && typeof message === 'string' && message.includes('does not hold the leader lease');
}
