/**
 * The database's safety around a release's migrations: a backup before they run (pg_dump; if it
 * fails they do not run), then row counts of the tables they touch and the project's integrity
 * checks after. A failed check fails the deployment — traffic never reaches the release, and a
 * release of the whole project rolls back — while the backup stays for a person to restore.
 */
import type { DatabaseBackups, DatabaseConfig } from '../../config/model.js';
import type { MigrationStepInput } from '../../engine/migration-gate.js';
import { formatBytes } from '../../shared/bytes.js';
import { takeBackup } from '../backups/backup.js';
import { nextXid, rowCounts, withClient } from '../backups/client.js';
import { runIntegrityChecks } from '../backups/integrity.js';
import { backupDir, writeManifest, type BackupManifest } from '../backups/manifest.js';
import { touchedTables } from '../backups/touched-tables.js';
import { MigrationError } from '../errors.js';
import type { Migration } from '../types.js';

export interface Before {
  backup?: BackupManifest;
  tables: string[];
  rows: Record<string, number>;
}

interface Where {
  project: string;
  environment: string;
  version: string;
  url: string;
  database: DatabaseConfig;
  /** database.backups, or its defaults for configs stored before it existed. */
  backups: DatabaseBackups | false;
  emit: MigrationStepInput['emit'];
}

/** Back up (unless turned off) and count the touched tables' rows; throws, so the migrations never run, on failure. */
export async function beforeMigrations(w: Where, runnable: Migration[], appliedThrough: number): Promise<Before> {
  const tables = await touchedTables(runnable);
  const settings = w.backups;
  let backup: BackupManifest | undefined;
  if (settings !== false) {
    backup = await takeBackup({
      url: w.url,
      root: settings.dir,
      keep: settings.keep,
      scope: settings.scope,
      project: w.project,
      environment: w.environment,
      release: w.version,
      touched: tables,
      migrationsThrough: appliedThrough,
    });
    await w.emit(
      'migration.backup',
      `backed up ${backup.database} before the migrations of ${w.version}: ${formatBytes(backup.bytes)} in ` +
        `${backup.durationMs} ms ` +
        `(${backup.scope === 'touched' ? `tables ${backup.tables.join(', ')}` : 'whole database'}; ` +
        `backup ${backup.id})`,
      {
        backup: backup.id,
        bytes: backup.bytes,
        durationMs: backup.durationMs,
        scope: backup.scope,
        sha256: backup.sha256,
      },
    );
  }
  const rows = await withClient(w.url, (c) => rowCounts(c, tables));
  return { ...(backup ? { backup } : {}), tables, rows };
}

/** Count again, record the moment in the backup, run the integrity checks; throws naming the first failures. */
export async function afterMigrations(w: Where, before: Before, statementTimeoutMs: number): Promise<void> {
  const checks = w.database.integrityChecks ?? [];
  const { rows, xid, failures } = await withClient(w.url, async (c) => ({
    rows: await rowCounts(c, before.tables),
    xid: await nextXid(c),
    failures: await runIntegrityChecks(c, w.url, checks, statementTimeoutMs),
  }));
  if (before.backup && w.backups) {
    const dir = backupDir(w.backups.dir, w.project, w.environment);
    writeManifest(dir, { ...before.backup, afterMigrations: { xid, at: new Date().toISOString(), rows } });
  }
  const counts = Object.keys({ ...before.rows, ...rows }).map(
    (t) => `${t} ${before.rows[t] ?? '(new)'} → ${rows[t] ?? '(dropped)'}`,
  );
  const passed = checks.length - failures.length;
  await w.emit(
    failures.length > 0 ? 'migration.integrity.failed' : 'migration.verified',
    `after the migrations of ${w.version}: rows ${counts.join(', ') || '(no tables)'}; ` +
      `${passed} of ${checks.length} integrity check${checks.length === 1 ? '' : 's'} passed`,
    { before: before.rows, after: rows, failures },
  );
  if (failures.length === 0) return;
  const restore = before.backup
    ? `; the migrations stay applied — to go back to the state before ${w.version}: slipway db restore --release ` +
      `${w.version} --env ${w.environment}`
    : '';
  throw new MigrationError(
    'failed',
    `integrity check${failures.length === 1 ? '' : 's'} failed after the migrations of ${w.version}: ` +
      `${failures.map((f) => `#${f.index} (${f.sql}) ${f.problem}`).join('; ')}; ` +
      `no instance of it gets traffic${restore}`,
    { failures },
  );
}
