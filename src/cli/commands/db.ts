import type { Command } from 'commander';
import { formatBytes } from '../../shared/bytes.js';
import { CliError } from '../errors.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { ago, printJson, table } from '../output.js';

/** A backup as the API lists it. */
interface BackupView {
  id: string;
  release: string;
  createdAt: string;
  durationMs: number;
  bytes: number;
  scope: 'database' | 'touched';
  tables: string[];
  database: string;
  migrationsThrough: number;
  migratedAt: string | null;
}

interface EnvOptions extends GlobalOptions {
  env: string;
  json?: boolean;
}

const path = (project: string, env: string, rest = '') =>
  `/api/v1/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/backups${rest}`;

/** `slipway db …`: the backups taken before each release's migrations, and restoring one. */
export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description("The database's backups (one before each release's migrations) and restores")
    .addHelpText(
      'after',
      '\nBackups are configured by database.backups in slipway.yaml (default: the whole database, the newest 10 ' +
        'kept under the data directory).\n',
    );

  db.command('backups')
    .description("An environment's backups, newest first")
    .requiredOption('--env <environment>', 'environment')
    .option('--json', 'print JSON')
    .action(async (opts: EnvOptions, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<EnvOptions>());
      const { backups } = await ctx.client.call<{ backups: BackupView[] }>('GET', path(ctx.project, opts.env));
      if (opts.json) return printJson({ backups });
      if (backups.length === 0) return void process.stdout.write(`no backups of the ${opts.env} database yet\n`);
      process.stdout.write(
        `${table(
          ['BACKUP', 'BEFORE', 'TAKEN', 'SIZE', 'TOOK', 'SCOPE', 'MIGRATED'],
          backups.map((b) => [
            b.id,
            b.release,
            ago(b.createdAt),
            formatBytes(b.bytes),
            `${b.durationMs} ms`,
            b.scope === 'database' ? 'database' : b.tables.join(', '),
            b.migratedAt ? ago(b.migratedAt) : 'no',
          ]),
        )}\n`,
      );
    });

  db.command('restore')
    .description(
      'Restore the database to the state before a release, in one transaction (a failed restore changes nothing)',
    )
    .requiredOption('--env <environment>', 'environment')
    .option('--release <version>', 'the release whose migrations to undo: the newest backup taken before them')
    .option('--backup <id>', 'or this backup (slipway db backups lists them)')
    .option('--force', 'restore even if rows written since would be discarded, or the release is the live one')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nRefused while the database service is being deployed. Without --force it is also refused while the release ' +
        'is live (roll back first) and when rows written after its migrations would be lost; the message counts ' +
        'them per table.\n\nExample:\n  slipway db restore --release 1.5.0 --env staging\n',
    )
    .action(async (opts: EnvOptions & { release?: string; backup?: string; force?: boolean }, cmd: Command) => {
      if ((opts.release === undefined) === (opts.backup === undefined)) {
        throw new CliError('invalid_input', 'give --release VERSION or --backup ID (one of them)');
      }
      const ctx = await commandContext(cmd.optsWithGlobals<EnvOptions>());
      const restored = await ctx.client.call<{ backup: BackupView; durationMs: number; discardedRows: number }>(
        'POST',
        path(ctx.project, opts.env, '/restore'),
        {
          ...(opts.release ? { release: opts.release } : {}),
          ...(opts.backup ? { backup: opts.backup } : {}),
          force: opts.force === true,
        },
      );
      if (opts.json) return printJson(restored);
      const b = restored.backup;
      process.stdout.write(
        `restored ${b.database} in ${opts.env} to the state before ${b.release} (backup ${b.id}, taken ` +
          `${ago(b.createdAt)}) in ${restored.durationMs} ms` +
          `${restored.discardedRows > 0 ? `; ${restored.discardedRows} rows written since were discarded` : ''}\n`,
      );
    });
}
