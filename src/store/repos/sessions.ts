import type { SessionIdentity } from '../../model/session-identity.js';
import type { Queryable } from '../db.js';
import { optionalDate } from './rows.js';

export interface SessionRecord {
  /** sha256 hex of the cookie value. */
  id: string;
  identity: SessionIdentity;
  csrfSecret: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  revokedAt?: Date;
}

function toRecord(row: Record<string, unknown>): SessionRecord {
  return {
    id: String(row.id),
    identity: (typeof row.identity === 'string' ? JSON.parse(row.identity) : row.identity) as SessionIdentity,
    csrfSecret: String(row.csrf_secret),
    createdAt: row.created_at as Date,
    expiresAt: row.expires_at as Date,
    lastSeenAt: row.last_seen_at as Date,
    revokedAt: optionalDate(row.revoked_at),
  };
}

export async function insertSession(db: Queryable, s: Omit<SessionRecord, 'revokedAt'>): Promise<void> {
  await db.query(
    `insert into sessions (id, subject, identity, csrf_secret, created_at, expires_at, last_seen_at) values ($1, ` +
      `$2, $3::jsonb, $4, $5, $6, $7)`,
    [s.id, s.identity.subject, JSON.stringify(s.identity), s.csrfSecret, s.createdAt, s.expiresAt, s.lastSeenAt],
  );
}

export async function findSession(db: Queryable, id: string): Promise<SessionRecord | undefined> {
  const { rows } = await db.query(`select * from sessions where id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function touchSession(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query(`update sessions set last_seen_at = greatest(last_seen_at, $2) where id = $1`, [id, at]);
}

export async function revokeSession(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query(`update sessions set revoked_at = coalesce(revoked_at, $2) where id = $1`, [id, at]);
}

/** End every session of a subject (password changed, user disabled); returns how many. */
export async function revokeSessionsOf(db: Queryable, subject: string, at: Date): Promise<number> {
  const { rows } = await db.query(
    `update sessions set revoked_at = $2 where subject = $1 and revoked_at is null returning id`,
    [subject, at],
  );
  return rows.length;
}
