/**
 * `slipway db restore`: bring a database back to a backup, in one transaction. psql runs
 * `BEGIN`, the drops of what the backup does not have, pg_restore's SQL, and `COMMIT` only once
 * pg_restore finished cleanly — a restore that fails anywhere leaves the database as it was.
 * Refused when it would discard rows written since the release migrated, unless forced.
 */
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parsePostgresUrl } from '../../store/postgres-address.js';
import { MigrationError } from '../errors.js';
import { migrationLockKey } from '../runner/lock.js';
import { fileSha256 } from './backup.js';
import { withClient } from './client.js';
import { describeLaterWrites, laterWrites, type LaterWrites } from './later-writes.js';
import { libpqEnvironment } from './libpq-env.js';
import type { BackupManifest } from './manifest.js';
import { runTool, toolMessage } from './tools.js';

export interface RestoreResult {
  durationMs: number;
  /** What was thrown away (forced), or nothing. */
  discarded: LaterWrites;
}

/**
 * Everything in the application's schemas that a whole-database dump recreates: other schemas
 * go whole, public keeps itself but loses its tables, views, sequences, routines and types.
 * Objects that belong to extensions stay (the extension owns them).
 */
const dropEverything = `do $slipway$
declare r record;
begin
  for r in select n.nspname from pg_namespace n where n.nspname not in ('public', 'information_schema')
      and n.nspname not like 'pg\\_%'
      and not exists (select 1 from pg_depend d where d.objid = n.oid and d.deptype = 'e') loop
    execute format('drop schema %I cascade', r.nspname);
  end loop;
  for r in select c.relname, c.relkind from pg_class c where c.relnamespace = 'public'::regnamespace
      and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      -- 'i'/'a': identity and serial sequences go with their table (dropping one alone is refused)
      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('e', 'i', 'a')) loop
    execute format('drop %s if exists public.%I cascade', case r.relkind when 'v' then 'view'
      when 'm' then 'materialized view' when 'S' then 'sequence' when 'f' then 'foreign table' else 'table' end,
      r.relname);
  end loop;
  for r in select p.oid::regprocedure::text as sig, p.prokind from pg_proc p
      where p.pronamespace = 'public'::regnamespace
      and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e') loop
    execute format('drop %s if exists %s cascade', case r.prokind when 'p' then 'procedure' when 'a' then 'aggregate'
      else 'function' end, r.sig);
  end loop;
  for r in select t.typname, t.typtype from pg_type t where t.typnamespace = 'public'::regnamespace
      and t.typtype in ('e', 'd', 'r', 'c') and (t.typtype <> 'c' or (select c.relkind from pg_class c
      where c.oid = t.typrelid) = 'c')
      and not exists (select 1 from pg_depend d where d.objid = t.oid and d.deptype = 'e') loop
    execute format('drop %s if exists public.%I cascade', case r.typtype when 'd' then 'domain' else 'type' end,
      r.typname);
  end loop;
end $slipway$;
`;

/** The statements that go before pg_restore's own. */
function preamble(manifest: BackupManifest): string {
  const lines = [
    '\\set ON_ERROR_STOP on',
    'begin;',
    // The migration runner's lock, for this transaction: a restore never interleaves with a migration.
    `do $slipway$ begin if not pg_try_advisory_xact_lock(${migrationLockKey}) then raise exception ` +
      `'a migration is running on this database; restore once it has finished'; end if; end $slipway$;`,
  ];
  if (manifest.scope === 'database') lines.push(dropEverything);
  // Tables the release's migrations created did not exist before it: they go (with what depends on them).
  else for (const table of manifest.absent) lines.push(`drop table if exists ${table} cascade;`);
  return `${lines.join('\n')}\n`;
}

export async function restoreBackup(
  url: string,
  dir: string,
  manifest: BackupManifest,
  options: { force: boolean },
): Promise<RestoreResult> {
  const started = Date.now();
  const file = path.join(dir, manifest.file);
  let sha256: string;
  try {
    sha256 = await fileSha256(file);
  } catch {
    throw new MigrationError('not_found', `backup ${manifest.id}: its dump file ${file} is missing`);
  }
  if (sha256 !== manifest.sha256)
    throw new MigrationError(
      'failed',
      `backup ${manifest.id} does not match its sha256: the file changed after it was written; not restoring it`,
    );
  const discarded = await withClient(url, (client) => laterWrites(client, manifest));
  if (discarded.total > 0 && !options.force)
    throw new MigrationError(
      'conflict',
      `restoring the state before ${manifest.release} would discard ${describeLaterWrites(discarded)} written since ` +
        `its migrations ran; pass --force to restore anyway`,
      { laterWrites: discarded },
    );

  const env = libpqEnvironment(url);
  const sql = new PassThrough();
  const restoreArgs = ['--no-owner', '--no-privileges', '--file=-'];
  if (manifest.scope === 'touched') restoreArgs.push('--clean', '--if-exists');
  const restoring = runTool('pg_restore', [...restoreArgs, file], env, { stdout: sql });
  let restoreFailed: string | undefined;
  const script = Readable.from(
    (async function* () {
      yield preamble(manifest);
      for await (const chunk of sql) yield chunk as Buffer;
      const run = await restoring;
      if (run.code !== 0) {
        restoreFailed = toolMessage('pg_restore', run);
        return; // no COMMIT: psql ends the session and the transaction rolls back
      }
      yield '\ncommit;\n';
    })(),
  );
  const psql = await runTool('psql', ['--no-psqlrc', '--quiet', '--no-password', '--file=-'], env, { stdin: script });
  if (restoreFailed)
    throw new MigrationError(
      'failed',
      `restore of ${manifest.id} failed, nothing changed: pg_restore: ${restoreFailed}`,
    );
  if (psql.code !== 0)
    throw new MigrationError(
      'failed',
      `restore of ${manifest.id} into ${parsePostgresUrl(url).display} failed, nothing changed: ` +
        toolMessage('psql', psql),
    );
  return { durationMs: Date.now() - started, discarded };
}
