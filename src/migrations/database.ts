/**
 * Which database an environment's migrations run against, and where a release's migration
 * files are. URLs are references (`env:NAME`) resolved at the moment of use so the secret is
 * never in slipway.yaml, the store, events or API responses.
 */
import type { DatabaseConfig, ProjectConfig } from '../config/model.js';
import { parsePostgresUrl } from '../store/postgres-address.js';
import { MigrationError } from './errors.js';

/** The project's database section, or a clear refusal when slipway.yaml has none. */
export function databaseConfigOf(config: ProjectConfig): DatabaseConfig {
  if (!config.database) {
    throw new MigrationError(
      'invalid_input',
      'slipway.yaml has no database section; add database: { url: env:DATABASE_URL, migrations: migrations }',
    );
  }
  return config.database;
}

/** The URL reference for an environment and the key path it came from (for messages). */
export function databaseReferenceFor(
  config: ProjectConfig,
  environment: string,
): { reference: string; keyPath: string } {
  const database = databaseConfigOf(config);
  const env = config.environments.find((e) => e.name === environment);
  if (!env)
    throw new MigrationError(
      'not_found',
      `unknown environment "${environment}" (declared: ${config.environments.map((e) => e.name).join(', ')})`,
    );
  return env.databaseUrl
    ? { reference: env.databaseUrl, keyPath: `environments.${environment}.database.url` }
    : { reference: database.url, keyPath: 'database.url' };
}

/** Resolve `env:NAME` against the process environment; a literal URL is returned as is. */
export function resolveDatabaseUrl(reference: string, keyPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!reference.startsWith('env:')) return reference;
  const name = reference.slice(4);
  const value = env[name];
  if (!value) throw new MigrationError('invalid_input', `${keyPath}: environment variable ${name} is not set`);
  return value;
}

/** The resolved URL of an environment's database. */
export function databaseUrlFor(
  config: ProjectConfig,
  environment: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const { reference, keyPath } = databaseReferenceFor(config, environment);
  return resolveDatabaseUrl(reference, keyPath, env);
}

/**
 * Environments whose database is the same one as `environment`'s: their live releases count
 * when a contract migration asks "does any live release still need the old schema?".
 * Compared by host:port/database once resolved; unresolvable references by their text.
 */
export function environmentsSharingDatabase(
  config: ProjectConfig,
  environment: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const identity = (name: string): string => {
    const { reference, keyPath } = databaseReferenceFor(config, name);
    try {
      return parsePostgresUrl(resolveDatabaseUrl(reference, keyPath, env)).display;
    } catch {
      return reference;
    }
  };
  const mine = identity(environment);
  return config.environments.map((e) => e.name).filter((name) => identity(name) === mine);
}

/** The migrations directory of a release (`{version}` replaced). */
export function migrationsDirFor(database: DatabaseConfig, version: string): string {
  return database.migrations.split('{version}').join(version);
}

/** The runner's timeouts from slipway.yaml's database section (its defaults when there is none). */
export function runnerTimeouts(database?: DatabaseConfig): { lockTimeoutMs: number; statementTimeoutMs: number } {
  return { lockTimeoutMs: database?.lockTimeoutMs ?? 2000, statementTimeoutMs: database?.statementTimeoutMs ?? 60_000 };
}

/** The timeouts, and lock timeouts retried with exponential backoff: how migrations are applied. */
export function applySettings(
  database?: DatabaseConfig,
): ReturnType<typeof runnerTimeouts> & { retries: { attempts: number; baseDelayMs: number } } {
  return { ...runnerTimeouts(database), retries: { attempts: database?.lockRetries ?? 5, baseDelayMs: 250 } };
}
