import type { Queryable } from '../db.js';
import { optionalDate } from './rows.js';

/** A DSN key: what an SDK presents (`sentry_key`) to report to one project and environment. */
export interface DsnKeyRecord {
  /** The numeric Sentry project id in the DSN path. */
  id: number;
  project: string;
  environment: string;
  publicKey: string;
  createdAt: Date;
  revokedAt?: Date;
}

function toKey(r: Record<string, unknown>): DsnKeyRecord {
  return {
    id: Number(r.id),
    project: String(r.project),
    environment: String(r.environment),
    publicKey: String(r.public_key),
    createdAt: r.created_at as Date,
    revokedAt: optionalDate(r.revoked_at),
  };
}

const columns = 'id, project, environment, public_key, created_at, revoked_at';

/** The key with this id, revoked or not. */
export async function getDsnKey(db: Queryable, id: number): Promise<DsnKeyRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from dsn_keys where id = $1`, [id]);
  return rows[0] ? toKey(rows[0]) : undefined;
}

/** The active key of a project and environment. */
export async function activeDsnKey(
  db: Queryable,
  project: string,
  environment: string,
): Promise<DsnKeyRecord | undefined> {
  const { rows } = await db.query(
    `select ${columns} from dsn_keys where project = $1 and environment = $2 and revoked_at is null`,
    [project, environment],
  );
  return rows[0] ? toKey(rows[0]) : undefined;
}

/** Insert a key unless the environment already has an active one (racing callers get the same one). */
export async function insertDsnKeyIfMissing(
  db: Queryable,
  k: { project: string; environment: string; publicKey: string },
): Promise<void> {
  await db.query(
    `insert into dsn_keys (project, environment, public_key) values ($1, $2, $3)
     on conflict (project, environment) where revoked_at is null do nothing`,
    [k.project, k.environment, k.publicKey],
  );
}

/** Revoke the environment's active key; returns it, or undefined when there was none. */
export async function revokeDsnKey(
  db: Queryable,
  project: string,
  environment: string,
): Promise<DsnKeyRecord | undefined> {
  const { rows } = await db.query(
    `update dsn_keys set revoked_at = now() where project = $1 and environment = $2 and revoked_at is null
     returning ${columns}`,
    [project, environment],
  );
  return rows[0] ? toKey(rows[0]) : undefined;
}
