import type { Queryable } from '../db.js';
import { optionalDate } from './rows.js';

export interface TokenRecord {
  id: string;
  name: string;
  /** sha256 hex of the token. */
  hash: string;
  role: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

function toToken(row: Record<string, unknown>): TokenRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    hash: String(row.hash),
    role: String(row.role),
    createdAt: row.created_at as Date,
    expiresAt: optionalDate(row.expires_at),
    revokedAt: optionalDate(row.revoked_at),
  };
}

/** Store a token's hash. */
export async function insertToken(db: Queryable, t: Pick<TokenRecord, 'id' | 'name' | 'hash' | 'role'> & { expiresAt?: Date }): Promise<void> {
  await db.query(`insert into tokens (id, name, hash, role, expires_at) values ($1, $2, $3, $4, $5) on conflict (hash) do nothing`, [
    t.id,
    t.name,
    t.hash,
    t.role,
    t.expiresAt ?? null,
  ]);
}

/** The token with this hash (the caller compares in constant time). */
export async function findTokenByHash(db: Queryable, hash: string): Promise<TokenRecord | undefined> {
  const { rows } = await db.query(`select * from tokens where hash = $1`, [hash]);
  return rows[0] ? toToken(rows[0]) : undefined;
}

/** How many usable admin tokens exist (first start creates one when there is none). */
export async function countActiveTokens(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from tokens where revoked_at is null and (expires_at is null or expires_at > now())`);
  return Number(rows[0]?.n ?? 0);
}
