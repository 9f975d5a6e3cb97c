import type { Grant } from '../../model/grant.js';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

/** A sealed TOTP secret as stored (base64 fields of the envelope's SealedSecret). */
export interface StoredSealed {
  ciphertext: string;
  iv: string;
  tag: string;
  wrappedKey: string;
  keyIv: string;
  keyTag: string;
  masterKeyId: string;
}

/** A local user as listed: never the hash nor the TOTP secret. */
export interface UserSummary {
  name: string;
  grants: Grant[];
  totpEnabled: boolean;
  createdAt: Date;
  createdBy?: string;
  disabledAt?: Date;
}

export interface UserRecord extends UserSummary {
  passwordHash: string;
  totpSecret?: StoredSealed;
}

const summaryColumns = 'name, grants, totp_enabled, created_at, created_by, disabled_at';
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

function toSummary(row: Record<string, unknown>): UserSummary {
  return {
    name: String(row.name),
    grants: json<Grant[]>(row.grants),
    totpEnabled: Boolean(row.totp_enabled),
    createdAt: row.created_at as Date,
    createdBy: optionalText(row.created_by),
    disabledAt: optionalDate(row.disabled_at),
  };
}

/** Insert a user; false when the name is taken. */
export async function insertUser(
  db: Queryable,
  u: { name: string; passwordHash: string; grants: Grant[]; createdBy?: string },
): Promise<boolean> {
  const { rows } = await db.query(
    `insert into users (name, password_hash, grants, created_by) values ($1, $2, $3::jsonb, $4) on conflict (name) ` +
      `do nothing returning name`,
    [u.name, u.passwordHash, JSON.stringify(u.grants), u.createdBy ?? null],
  );
  return rows.length === 1;
}

/** The user with its hash and sealed TOTP secret. */
export async function findUser(db: Queryable, name: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query(
    `select ${summaryColumns}, password_hash, totp_secret_enc from users where name = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    ...toSummary(row),
    passwordHash: String(row.password_hash),
    ...(row.totp_secret_enc ? { totpSecret: json<StoredSealed>(row.totp_secret_enc) } : {}),
  };
}

/** Every user, by name. */
export async function listUsers(db: Queryable): Promise<UserSummary[]> {
  const { rows } = await db.query(`select ${summaryColumns} from users order by name`);
  return rows.map(toSummary);
}

/** Replace the password hash; undefined when there is no such user. */
export async function updatePasswordHash(
  db: Queryable,
  name: string,
  passwordHash: string,
): Promise<UserSummary | undefined> {
  const { rows } = await db.query(`update users set password_hash = $2 where name = $1 returning ${summaryColumns}`, [
    name,
    passwordHash,
  ]);
  return rows[0] ? toSummary(rows[0]) : undefined;
}

/** Disable a user (disabling again keeps the first time); undefined when there is no such user. */
export async function disableUser(db: Queryable, name: string): Promise<UserSummary | undefined> {
  const { rows } = await db.query(
    `update users set disabled_at = coalesce(disabled_at, now()) where name = $1 returning ${summaryColumns}`,
    [name],
  );
  return rows[0] ? toSummary(rows[0]) : undefined;
}

/** Store a pending TOTP secret (not enabled until confirmed). */
export async function setPendingTotp(db: Queryable, name: string, sealed: StoredSealed): Promise<void> {
  await db.query(`update users set totp_secret_enc = $2::jsonb, totp_enabled = false where name = $1`, [
    name,
    JSON.stringify(sealed),
  ]);
}

/** Turn TOTP on once the user proved they hold the secret. */
export async function enableTotp(db: Queryable, name: string): Promise<void> {
  await db.query(`update users set totp_enabled = true where name = $1 and totp_secret_enc is not null`, [name]);
}

/** Users whose sealed TOTP secret is wrapped under another master key than `keyId` (rotation). */
export async function usersWithTotpNotUnder(
  db: Queryable,
  keyId: string,
): Promise<{ name: string; sealed: StoredSealed }[]> {
  const { rows } = await db.query(
    `select name, totp_secret_enc from users where totp_secret_enc is not null and totp_secret_enc->>'masterKeyId' ` +
      `<> $1 order by name`,
    [keyId],
  );
  return rows.map((row) => ({ name: String(row.name), sealed: json<StoredSealed>(row.totp_secret_enc) }));
}

/** Replace a sealed TOTP secret only if it is still wrapped under `fromKeyId` (a concurrent change wins). */
export async function replaceTotpSealed(
  db: Queryable,
  name: string,
  fromKeyId: string,
  sealed: StoredSealed,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update users set totp_secret_enc = $3::jsonb where name = $1 and totp_secret_enc->>'masterKeyId' = $2`,
    [name, fromKeyId, JSON.stringify(sealed)],
  );
  return rowCount > 0;
}

/**
 * Record that a TOTP time step was used; false when it (or a later one) was used already: a
 * replayed code. One statement, so two logins racing with the same code cannot both win.
 */
export async function claimTotpStep(db: Queryable, name: string, step: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update users set totp_last_step = $2 where name = $1 and (totp_last_step is null or totp_last_step < $2)`,
    [name, step],
  );
  return rowCount > 0;
}
