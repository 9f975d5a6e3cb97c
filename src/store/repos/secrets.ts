import type { SealedSecret, SecretIdentity, WrappedKey } from '../../model/sealed-secret.js';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

/** One stored version of a secret: identity, ciphertext and who wrote it. */
export interface SecretRow extends SecretIdentity, SealedSecret {
  createdAt: Date;
  createdBy?: string;
  deletedAt?: Date;
}

const columns =
  'project, environment, name, version, ciphertext, iv, tag, wrapped_key, key_iv, key_tag, master_key_id, ' +
  'created_at, created_by, deleted_at';

function toRow(r: Record<string, unknown>): SecretRow {
  return {
    project: String(r.project),
    environment: String(r.environment),
    name: String(r.name),
    version: Number(r.version),
    ciphertext: r.ciphertext as Buffer,
    iv: r.iv as Buffer,
    tag: r.tag as Buffer,
    wrappedKey: r.wrapped_key as Buffer,
    keyIv: r.key_iv as Buffer,
    keyTag: r.key_tag as Buffer,
    masterKeyId: String(r.master_key_id),
    createdAt: r.created_at as Date,
    createdBy: optionalText(r.created_by),
    deletedAt: optionalDate(r.deleted_at),
  };
}

/** The version a new value of this secret gets (versions keep counting across unsets). */
export async function nextSecretVersion(
  db: Queryable,
  where: { project: string; environment: string; name: string },
): Promise<number> {
  const { rows } = await db.query<{ v: number }>(
    `select coalesce(max(version), 0)::int + 1 as v from secrets where project = $1 and environment = $2 and name = $3`,
    [where.project, where.environment, where.name],
  );
  return Number(rows[0]!.v);
}

/** Store one version; a concurrent writer of the same version gets a unique violation (the caller retries). */
export async function insertSecret(
  db: Queryable,
  row: SecretIdentity & SealedSecret & { createdBy?: string },
): Promise<void> {
  await db.query(
    `insert into secrets (project, environment, name, version, ciphertext, iv, tag, wrapped_key, key_iv, key_tag,
      master_key_id, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      row.project,
      row.environment,
      row.name,
      row.version,
      row.ciphertext,
      row.iv,
      row.tag,
      row.wrappedKey,
      row.keyIv,
      row.keyTag,
      row.masterKeyId,
      row.createdBy ?? null,
    ],
  );
}

/** The current version of every secret of an environment (latest not deleted), by name. */
export async function currentSecrets(db: Queryable, project: string, environment: string): Promise<SecretRow[]> {
  const { rows } = await db.query(
    `select distinct on (name) ${columns} from secrets
      where project = $1 and environment = $2 and deleted_at is null
      order by name, version desc`,
    [project, environment],
  );
  return rows.map(toRow);
}

/** The current version of one secret, or undefined when it was never set or is unset. */
export async function currentSecret(
  db: Queryable,
  where: { project: string; environment: string; name: string },
): Promise<SecretRow | undefined> {
  const { rows } = await db.query(
    `select ${columns} from secrets where project = $1 and environment = $2 and name = $3 and deleted_at is null ` +
      `order by version desc limit 1`,
    [where.project, where.environment, where.name],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Mark every live version deleted (kept, never read again); returns how many were live. */
export async function unsetSecret(
  db: Queryable,
  where: { project: string; environment: string; name: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `update secrets set deleted_at = now() where project = $1 and environment = $2 and name = $3 and deleted_at is ` +
      `null`,
    [where.project, where.environment, where.name],
  );
  return rowCount;
}

/** Up to `limit` rows (any version, deleted too) whose data key is not wrapped under `masterKeyId`. */
export async function secretsNotUnder(db: Queryable, masterKeyId: string, limit: number): Promise<SecretRow[]> {
  const { rows } = await db.query(
    `select ${columns} from secrets where master_key_id <> $1 order by project, environment, name, version limit $2`,
    [masterKeyId, limit],
  );
  return rows.map(toRow);
}

/**
 * Replace one row's wrapped data key, only if it is still wrapped under `fromKeyId` (a concurrent
 * rotation may have done it already). One statement per row: a crash leaves each row either
 * wholly old or wholly new, and both keys are loaded.
 */
export async function rewrapSecretRow(
  db: Queryable,
  id: SecretIdentity,
  fromKeyId: string,
  to: WrappedKey,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update secrets set wrapped_key = $5, key_iv = $6, key_tag = $7, master_key_id = $8
      where project = $1 and environment = $2 and name = $3 and version = $4 and master_key_id = $9`,
    [id.project, id.environment, id.name, id.version, to.wrappedKey, to.keyIv, to.keyTag, to.masterKeyId, fromKeyId],
  );
  return rowCount === 1;
}

/** How many rows are wrapped under each master key (a start-up check, and the rotation's report). */
export async function countSecretsByMasterKey(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ id: string; n: number }>(
    `select master_key_id as id, count(*)::int as n from secrets group by master_key_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.id, Number(r.n)]));
}
