/**
 * Where `slipway migrate …` finds its files and its database: slipway.yaml's database section
 * (migrations directory, `{version}` filled from --version; URL per --env), or --dir alone for
 * linting without a project.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultConfigFile, loadConfig } from '../../config/load.js';
import type { ProjectConfig } from '../../config/model.js';
import { databaseConfigOf, databaseReferenceFor, databaseUrlFor, migrationsDirFor } from '../../migrations/database.js';
import { MigrationError } from '../../migrations/errors.js';
import { loadMigrations } from '../../migrations/files.js';
import type { Migration } from '../../migrations/types.js';
import type { GlobalOptions } from '../context.js';

export interface SourceOptions {
  dir?: string;
  version?: string;
}

export interface MigrateSource {
  config?: ProjectConfig;
  dir: string;
  migrations: Migration[];
}

/** The project config when there is one (a missing default file is fine for --dir use). */
export async function optionalConfig(global: GlobalOptions): Promise<ProjectConfig | undefined> {
  if (!global.config && !existsSync(defaultConfigFile)) return undefined;
  return loadConfig(global.config ?? defaultConfigFile);
}

/** The migrations directory and its files, checked (gaps, duplicates, missing downs). */
export async function migrationSource(global: GlobalOptions, opts: SourceOptions): Promise<MigrateSource> {
  const config = await optionalConfig(global);
  let dir: string;
  if (opts.dir) dir = path.resolve(opts.dir);
  else if (config) {
    const database = databaseConfigOf(config);
    if (database.migrations.includes('{version}') && !opts.version) {
      throw new MigrationError(
        'invalid_input',
        `database.migrations (${database.migrations}) contains {version}: pass --version VERSION`,
      );
    }
    dir = migrationsDirFor(database, opts.version ?? '');
  } else {
    throw new MigrationError(
      'invalid_input',
      `no slipway.yaml here (${path.resolve(defaultConfigFile)}); pass --config PATH or --dir MIGRATIONS_DIR`,
    );
  }
  return { ...(config ? { config } : {}), dir, migrations: loadMigrations(dir) };
}

/** The database URL of an environment (never printed); --env is required when environments differ. */
export function databaseUrlOf(config: ProjectConfig | undefined, environment: string | undefined): string {
  if (!config) {
    const url = process.env.DATABASE_URL;
    if (!url)
      throw new MigrationError(
        'invalid_input',
        'no slipway.yaml and no DATABASE_URL: nothing says which database to use',
      );
    return url;
  }
  databaseConfigOf(config);
  if (environment) return databaseUrlFor(config, environment);
  const references = new Set(config.environments.map((e) => databaseReferenceFor(config, e.name).reference));
  if (references.size > 1) {
    throw new MigrationError(
      'invalid_input',
      `environments use different databases: pass --env (one of ${config.environments.map((e) => e.name).join(', ')})`,
    );
  }
  return databaseUrlFor(config, config.environments[0]!.name);
}
