import type { Grant } from '../../model/grant.js';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

export interface TokenRecord {
  id: string;
  name: string;
  /** sha256 hex of the token. */
  hash: string;
  grants: Grant[];
  createdBy?: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

/** A token as listed: everything but the hash. */
export type TokenSummary = Omit<TokenRecord, 'hash'>;

const summaryColumns = 'id, name, grants, created_by, created_at, expires_at, revoked_at';

function toSummary(row: Record<string, unknown>): TokenSummary {
  return {
    id: String(row.id),
    name: String(row.name),
    grants: (typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants) as Grant[],
    createdBy: optionalText(row.created_by),
    createdAt: row.created_at as Date,
    expiresAt: optionalDate(row.expires_at),
    revokedAt: optionalDate(row.revoked_at),
  };
}

/** Store a token's hash with its grants; a hash already stored is left as it is (SLIPWAY_TOKEN on every start). */
export async function insertToken(
  db: Queryable,
  t: Pick<TokenRecord, 'id' | 'name' | 'hash' | 'grants'> & { expiresAt?: Date; createdBy?: string },
): Promise<void> {
  await db.query(
    `insert into tokens (id, name, hash, grants, expires_at, created_by) values ($1, $2, $3, $4::jsonb, $5, $6) on ` +
      `conflict (hash) do nothing`,
    [t.id, t.name, t.hash, JSON.stringify(t.grants), t.expiresAt ?? null, t.createdBy ?? null],
  );
}

/** The token with this hash (the caller compares in constant time). */
export async function findTokenByHash(db: Queryable, hash: string): Promise<TokenRecord | undefined> {
  const { rows } = await db.query(`select ${summaryColumns}, hash from tokens where hash = $1`, [hash]);
  return rows[0] ? { ...toSummary(rows[0]), hash: String(rows[0].hash) } : undefined;
}

/** Every token, oldest first, without hashes. */
export async function listTokens(db: Queryable): Promise<TokenSummary[]> {
  const { rows } = await db.query(`select ${summaryColumns} from tokens order by created_at, id`);
  return rows.map(toSummary);
}

/** Revoke a token; revoking it again keeps the first revocation time. Undefined when there is no such token. */
export async function revokeToken(db: Queryable, id: string): Promise<TokenSummary | undefined> {
  const { rows } = await db.query(
    `update tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${summaryColumns}`,
    [id],
  );
  return rows[0] ? toSummary(rows[0]) : undefined;
}

/** How many usable tokens grant admin on every environment (first start creates one when there is none). */
export async function countActiveAdminTokens(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from tokens
      where revoked_at is null and (expires_at is null or expires_at > now())
        and grants @> '[{"role": "admin", "environments": "*"}]'::jsonb`,
  );
  return Number(rows[0]?.n ?? 0);
}
