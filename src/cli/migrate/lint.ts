import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allowContractFindings } from '../../migrations/contract-allowance.js';
import { readDirectives } from '../../migrations/directives.js';
import { MigrationError } from '../../migrations/errors.js';
import { exitStatusOf, formatReports, reportsJson } from '../../migrations/linter/format.js';
import { lintSql } from '../../migrations/linter/lint.js';
import { loadParser } from '../../migrations/linter/parse.js';
import type { ProjectConfig } from '../../config/model.js';
import type { GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
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
  let config: ProjectConfig | undefined;
  let targets: { file: string; sql: string }[];
  if (files.length > 0) {
    config = await optionalConfig(global).catch(() => undefined);
    targets = files.map((file) => ({ file, sql: readSql(file) }));
  } else {
    const source = await migrationSource(global, opts);
    config = source.config;
    targets = source.migrations.map((m) => ({ file: m.upPath, sql: m.up }));
  }
  // With a database section Slipway's runner sets lock_timeout itself, so files need not.
  const lockTimeoutSet = Boolean(config?.database);
  const reports = targets.map((t) =>
    allowContractFindings(
      lintSql(t.sql, path.relative(process.cwd(), path.resolve(t.file)) || t.file, { lockTimeoutSet }),
      readDirectives(t.sql).phase,
    ),
  );
  if (opts.json) printJson(reportsJson(reports));
  else process.stdout.write(formatReports(reports));
  return exitStatusOf(reports);
}

function readSql(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new MigrationError(
      'invalid_input',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
