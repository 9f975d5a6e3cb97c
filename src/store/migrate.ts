import type { Logger } from '../shared/logging.js';
import type { Db, Queryable } from './db.js';
import { StoreError } from './errors.js';
import { loadMigrations, type Migration } from './schema-files.js';

/** What `migrate` did: the schema version now, and the migrations it applied (empty when up to date). */
export interface MigrateResult {
  version: number;
  applied: { version: number; name: string }[];
}

export interface MigrateOptions {
  logger?: Logger;
  /** Folder of NNN_name.sql files; defaults to the schema shipped with this build. */
  schemaDir?: URL | string;
}

// pg_advisory_xact_lock key: the bytes of "slip". Any constant works as long as it is always the same.
const migrationLockKey = 0x736c6970;

const createTrackingTable = `
create table if not exists slipway_schema_migrations (
  version    integer primary key,
  name       text not null,
  checksum   text not null,
  applied_at timestamptz not null default now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Bring the database to this build's schema, all pending migrations in one transaction.
 * Refuses a database whose applied migrations were edited since, or that a newer Slipway
 * migrated further. Concurrent coordinators on one PostgreSQL queue on an advisory lock.
 */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await loadMigrations(options.schemaDir);
  const known = migrations.length;
  const result = await db.transaction(async (tx) => {
    // Taken before the tracking table exists: two first starts would otherwise both create it.
    await tx.query('select pg_advisory_xact_lock($1)', [migrationLockKey]);
    // A migration may rewrite the engine's tables whoever leads: the leader fence (schema 018) is off for it.
    await tx.query(`select set_config('slipway.holder', '', true)`);
    await tx.exec(createTrackingTable);
    const applied = (
      await tx.query<AppliedRow>('select version, name, checksum from slipway_schema_migrations order by version')
    ).rows;
    const current = applied.at(-1)?.version ?? 0;
    if (current > known) {
      throw new StoreError(
        'conflict',
        `database schema is at version ${current}, this slipway knows up to ${known}; upgrade slipway`,
        { current, known },
      );
    }
    for (const row of applied) verifyUnchanged(row, migrations[row.version - 1]);
    const done = new Set(applied.map((row) => row.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const migration of pending) await apply(tx, migration);
    return {
      version: Math.max(current, pending.at(-1)?.version ?? 0),
      applied: pending.map(({ version, name }) => ({ version, name })),
    };
  });
  for (const m of result.applied)
    options.logger?.info({ version: m.version, name: m.name }, 'applied schema migration');
  return result;
}

function verifyUnchanged(row: AppliedRow, migration: Migration | undefined): void {
  if (!migration) {
    throw new StoreError(
      'conflict',
      `the database records schema migration ${row.version} (${row.name}), which this slipway does not have`,
    );
  }
  if (migration.checksum !== row.checksum || migration.name !== row.name) {
    throw new StoreError(
      'conflict',
      `schema migration ${migration.file} was changed after it was applied to this database (checksum ` +
        `${migration.checksum.slice(0, 12)}, recorded ${row.checksum.slice(0, 12)}); restore the original file and ` +
        `put changes in a new migration`,
      { version: row.version, file: migration.file },
    );
  }
}

async function apply(tx: Queryable, migration: Migration): Promise<void> {
  try {
    await tx.exec(migration.sql);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new StoreError(
      'internal',
      `schema migration ${migration.file} failed: ${message}`,
      { version: migration.version, file: migration.file },
      { cause: e },
    );
  }
  await tx.query('insert into slipway_schema_migrations (version, name, checksum) values ($1, $2, $3)', [
    migration.version,
    migration.name,
    migration.checksum,
  ]);
}
