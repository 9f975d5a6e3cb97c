import { allowContractFindings } from '../../migrations/contract-allowance.js';
import { runnerTimeouts } from '../../migrations/database.js';
import { readDirectives } from '../../migrations/directives.js';
import { exitStatusOf, formatReports, reportsJson } from '../../migrations/linter/format.js';
import { lintMigrations } from '../../migrations/linter/lint.js';
import { loadParser } from '../../migrations/linter/parse.js';
import type { ProjectConfig } from '../../config/model.js';
import type { FileReport } from '../../migrations/types.js';
import type { GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { displayName, lintNamedFiles, readSql } from './lint-history.js';
import { migrationSource, optionalConfig, type SourceOptions } from './source.js';

/** `slipway migrate lint [files…]`: exit 1 when a blocking statement is not explicitly allowed. */
export async function runLint(
  global: GlobalOptions,
  files: string[],
  opts: SourceOptions & { json?: boolean },
): Promise<number> {
  await loadParser();
  // Files named on the command line may be linted without a project (a broken slipway.yaml then
  // only means lock_timeout is not assumed); otherwise the project says where the migrations are.
  // Either way a migration is judged after the earlier ones, as `migrate plan` judges it.
  let config: ProjectConfig | undefined;
  let reports: FileReport[];
  let sqlOf: (report: FileReport, index: number) => string;
  if (files.length > 0) {
    config = await optionalConfig(global).catch(() => undefined);
    reports = lintNamedFiles(files, { lockTimeoutSet: Boolean(config?.database) });
    sqlOf = (_report, index) => readSql(files[index]!);
  } else {
    const source = await migrationSource(global, opts);
    config = source.config;
    const sorted = [...source.migrations].sort((a, b) => a.version - b.version);
    reports = await lintMigrations(sorted, {
      lockTimeoutSet: Boolean(config?.database),
      fileName: (m) => displayName(m.upPath),
    });
    sqlOf = (_report, index) => sorted[index]!.up;
  }
  reports = reports.map((report, index) => allowContractFindings(report, readDirectives(sqlOf(report, index)).phase));
  const notes = [lockTimeoutNote(config)];
  if (opts.json) printJson(reportsJson(reports, notes));
  else process.stdout.write(formatReports(reports, notes));
  return exitStatusOf(reports);
}

/**
 * Whether ddl-without-lock-timeout was checked, and why: with a database section Slipway's runner
 * sets lock_timeout itself, so the files need not; a team running them with another tool must.
 */
export function lockTimeoutNote(config: ProjectConfig | undefined): string {
  if (config?.database) {
    const ms = runnerTimeouts(config.database).lockTimeoutMs;
    return (
      `ddl-without-lock-timeout not checked: slipway.yaml has a database section, so \`slipway migrate apply\` ` +
      `sets lock_timeout = ${ms}ms for every migration; run these files with another tool and they need ` +
      `SET lock_timeout themselves`
    );
  }
  return (
    'ddl-without-lock-timeout checked: no slipway.yaml with a database section here, so nothing sets ' +
    'lock_timeout for these files but the files themselves (with one, `slipway migrate apply` sets it)'
  );
}
