import type { Command } from 'commander';
import type { GlobalOptions } from '../context.js';

// Each subcommand loads its code when it runs (the linter, the runner, the planner): `slipway --help` registers every
// command and needs none of it.
const lint = () => import('../migrate/lint.js');
const plan = () => import('../migrate/plan.js');
const apply = () => import('../migrate/apply.js');
const status = () => import('../migrate/status.js');

/** `slipway migrate …`: database migrations, linted, dry-run and sequenced with live releases. */
export function registerMigrate(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('Database migrations: lint, plan (shadow dry run), apply, rollback, status')
    .addHelpText(
      'after',
      `\nFiles: NNNN_name.up.sql + NNNN_name.down.sql in database.migrations (slipway.yaml) or --dir.\nDirectives ` +
        `(SQL comments): -- slipway: phase=expand | phase=contract [after=VERSION] | irreversible | allow RULE ` +
        `because REASON\n`,
    );
  const global = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();
  /** Where the files and the database come from: every subcommand but lint takes these. */
  const source = (cmd: Command, what: string) =>
    cmd
      .option('--env <environment>', `environment whose database ${what}`)
      .option('--dir <path>', 'migrations directory (default: database.migrations)')
      .option(
        '--version <version>',
        'the release whose migrations to use, when database.migrations contains {version}',
      );

  migrate
    .command('lint [files...]')
    .description(
      'Classify every statement (safe, backward-compatible, breaking, locking, data-loss); exit 1 on any not allowed',
    )
    .option('--dir <path>', 'migrations directory (default: database.migrations)')
    .option('--version <version>', 'release whose migrations to lint, when database.migrations contains {version}')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: { dir?: string; version?: string; json?: boolean }, cmd: Command) => {
      process.exitCode = await (await lint()).runLint(global(cmd), files, opts);
    });

  source(migrate.command('plan'), 'says what is applied')
    .description(
      'Show what would run, each statement with its class, lock and rule, and the shadow dry run (up, down, up)',
    )
    .option('--from <version>', 'treat migrations up to this number as applied instead of asking the database', (v) =>
      Number(v),
    )
    .option(
      '--against <url>',
      'also run the plan on this PostgreSQL inside a transaction that is rolled back, reporting locks and table sizes',
    )
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      process.exitCode = await (await plan()).runPlan(global(cmd), opts);
    });

  source(migrate.command('apply'), 'to migrate')
    .description(
      'Apply pending migrations (advisory lock, lock_timeout with retries); contract migrations wait for old ' +
        'releases (--version is also their default "after")',
    )
    .option('--to <version>', 'stop after this migration number', (v) => Number(v))
    .option('--wait-for-lock <ms>', 'wait this long for another runner to finish instead of failing', (v) => Number(v))
    .option(
      '--ignore-live-releases',
      'apply contract migrations without asking the coordinator which releases are live',
    )
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      process.exitCode = await (await apply()).runApply(global(cmd), opts);
    });

  source(migrate.command('rollback'), 'to roll back')
    .description('Run down scripts, newest first (default: the last migration)')
    .option('--steps <n>', 'how many migrations to roll back', (v) => Number(v))
    .option('--to <version>', 'roll back every migration above this number', (v) => Number(v))
    .option('--allow-data-loss', 'run down scripts that drop data (they are refused otherwise)')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      process.exitCode = await (await apply()).runRollback(global(cmd), opts);
    });

  source(migrate.command('status'), 'to read')
    .description('Applied, pending, partial and drifted migrations; which live releases block each contract migration')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      process.exitCode = await (await status()).runStatus(global(cmd), opts);
    });
}
