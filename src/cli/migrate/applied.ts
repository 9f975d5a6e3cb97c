import type { ProjectConfig } from '../../config/model.js';
import { messageOf } from '../../shared/errors.js';
import { MigrationError } from '../../migrations/errors.js';
import { lastApplied, migrationStatus } from '../../migrations/runner/status.js';
import type { Migration } from '../../migrations/types.js';
import { databaseUrlOf } from './source.js';

/** How far a database is migrated, and how we know. */
export interface AppliedThrough {
  version: number;
  /** "database host:port/db", "--from", or why the database could not say. */
  source: string;
}

/** The last applied version: from --from, else from the environment's database, else 0 (said so). */
export async function appliedThrough(
  config: ProjectConfig | undefined,
  environment: string | undefined,
  migrations: Migration[],
  from?: number,
  options: { refuseDrift?: boolean } = {},
): Promise<AppliedThrough> {
  if (from !== undefined) return { version: from, source: `--from ${from}` };
  let url: string;
  try {
    url = databaseUrlOf(config, environment);
  } catch (e) {
    return { version: 0, source: `no database to ask (${messageOf(e)}); planning every migration as pending` };
  }
  const rows = await migrationStatus({ url, migrations });
  const wrong = rows.filter((r) => r.state === 'drift' || r.state === 'missing-file');
  if (options.refuseDrift && wrong.length > 0) {
    // Before anything runs: an applied migration whose file changed or vanished means the files are not what the
    // database ran.
    const what = wrong.map((r) =>
      r.state === 'drift'
        ? `${r.file ?? r.id} was edited after it was applied (checksum differs)`
        : `${r.id} is applied but has no file`,
    );
    throw new MigrationError('conflict', `nothing done: ${what.join('; ')}`);
  }
  return { version: lastApplied(rows), source: 'the database' };
}
