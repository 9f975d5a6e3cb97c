import { loadParser } from '../../migrations/linter/parse.js';
import { downLosesData } from '../../migrations/down-scripts.js';
import { applySettings, runnerTimeouts } from '../../migrations/database.js';
import { MigrationError } from '../../migrations/errors.js';
import { preflight } from '../../migrations/preflight.js';
import { applyMigrations } from '../../migrations/runner/apply.js';
import { rollbackMigrations } from '../../migrations/runner/rollback.js';
import type { RunnerEvent } from '../../migrations/runner/events.js';
import type { GlobalOptions } from '../context.js';
import { dim, green, printJson, red, yellow } from '../output.js';
import { appliedThrough } from './applied.js';
import { checkContracts, contractLimit } from './contracts.js';
import { databaseUrlOf, migrationSource, type SourceOptions } from './source.js';

interface RunOptions extends SourceOptions {
  env?: string;
  to?: number;
  json?: boolean;
}

function printer(json: boolean | undefined) {
  return (e: RunnerEvent) => {
    if (!json) process.stdout.write(`${dim(e.type.padEnd(22))} ${e.message}\n`);
  };
}

/** `slipway migrate apply`: lint + shadow dry run first; contract migrations only when no live release needs the old
 * schema. */
export async function runApply(
  global: GlobalOptions,
  opts: RunOptions & { waitForLock?: number; ignoreLiveReleases?: boolean },
): Promise<number> {
  const source = await migrationSource(global, opts);
  const url = databaseUrlOf(source.config, opts.env);
  const applied = await appliedThrough(source.config, opts.env, source.migrations, undefined, { refuseDrift: true });
  const pending = source.migrations.filter(
    (m) => m.version > applied.version && (opts.to === undefined || m.version <= opts.to),
  );
  const checks = await checkContracts(global, source.config, opts.env, pending, opts.version);
  const { limit, reason } = contractLimit(checks, Boolean(opts.ignoreLiveReleases));
  const target = Math.min(opts.to ?? Infinity, limit ?? Infinity);
  const runnable = pending.filter((m) => m.version <= target);
  if (runnable.length === 0) {
    if (opts.json) printJson({ applied: [], waiting: reason ?? null });
    else
      process.stdout.write(
        reason
          ? `${yellow('nothing applied:')} ${reason}\n`
          : `${green('✔')} nothing to apply: the database is at ${applied.version}\n`,
      );
    return reason ? 5 : 0;
  }
  const pre = await preflight(
    source.migrations.filter((m) => m.version <= runnable.at(-1)!.version),
    applied.version,
    // A contract that may run now is meant to break what no live release uses any more.
    { lockTimeoutSet: Boolean(source.config?.database) },
  );
  if (pre.problems.length > 0) {
    throw new MigrationError(
      'failed',
      `nothing applied; ${pre.problems.length} problem(s):\n  ${pre.problems.join('\n  ')}`,
      { problems: pre.problems },
    );
  }
  const database = source.config?.database;
  const result = await applyMigrations({
    url,
    migrations: source.migrations,
    target: runnable.at(-1)!.version,
    ...applySettings(database),
    release: opts.version ?? null,
    ...(opts.waitForLock === undefined ? {} : { waitForLockMs: opts.waitForLock }),
    onEvent: printer(opts.json),
  });
  if (opts.json) printJson({ ...result, waiting: reason ?? null });
  else {
    process.stdout.write(`${green('✔')} applied ${result.applied.length} migration(s) in ${result.durationMs} ms\n`);
    if (reason) process.stdout.write(`${yellow('waiting:')} ${reason}\n`);
  }
  return 0;
}

/** `slipway migrate rollback`: down scripts newest first; data-losing downs only with --allow-data-loss. */
export async function runRollback(
  global: GlobalOptions,
  opts: RunOptions & { steps?: number; allowDataLoss?: boolean },
): Promise<number> {
  const source = await migrationSource(global, opts);
  const url = databaseUrlOf(source.config, opts.env);
  const applied = await appliedThrough(source.config, opts.env, source.migrations, undefined, { refuseDrift: true });
  const appliedMigrations = source.migrations.filter((m) => m.version <= applied.version);
  const chosen =
    opts.to !== undefined
      ? appliedMigrations.filter((m) => m.version > opts.to!)
      : appliedMigrations.slice(-(opts.steps ?? 1));
  await loadParser();
  if (!opts.allowDataLoss) {
    const losing = chosen.filter(downLosesData);
    if (losing.length > 0) {
      throw new MigrationError(
        'conflict',
        `nothing rolled back: the down script of ${losing.map((m) => m.downPath).join(', ')} loses data; pass ` +
          `--allow-data-loss if that is intended`,
      );
    }
  }
  const database = source.config?.database;
  const to = chosen.length > 0 ? Math.min(...chosen.map((m) => m.version)) - 1 : applied.version;
  await rollbackMigrations({
    url,
    migrations: source.migrations,
    to,
    ...runnerTimeouts(database),
    onEvent: printer(opts.json),
  });
  if (opts.json) printJson({ rolledBack: chosen.map((m) => m.id), at: to });
  else
    process.stdout.write(
      chosen.length === 0
        ? `${red('nothing to roll back')}\n`
        : `${green('✔')} rolled back ${chosen.map((m) => m.id).join(', ')}; the database is at ${to}\n`,
    );
  return 0;
}
