/**
 * The environment pg_dump, pg_restore and psql connect with. The URL's parts go into libpq's
 * PG* variables, never onto the command line, where `ps` would show a password to every user of
 * the machine. Only what the tools need is passed on.
 */
import { MigrationError } from '../errors.js';

export function libpqEnvironment(url: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MigrationError('invalid_input', 'the database URL is not a valid postgres:// URL');
  }
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ']) if (base[key] !== undefined) env[key] = base[key];
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const set = (key: string, value: string | undefined) => {
    if (value) env[key] = value;
  };
  set('PGHOST', decodeURIComponent(parsed.hostname) || param('host'));
  set('PGPORT', parsed.port || param('port'));
  set('PGUSER', decodeURIComponent(parsed.username) || param('user'));
  set('PGPASSWORD', decodeURIComponent(parsed.password) || param('password'));
  set('PGDATABASE', decodeURIComponent(parsed.pathname.slice(1)) || undefined);
  set('PGSSLMODE', param('sslmode'));
  set('PGAPPNAME', 'slipway-backup');
  return env;
}
