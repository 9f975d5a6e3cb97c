/**
 * What must hold before pending migrations touch a database, shared by `slipway migrate plan`
 * and the deployment's expand step: every pending script parses and lints clean (or carries an
 * explicit allow), and the shadow dry run (up, down, up on PGlite) restores the schema exactly.
 */
import { lintMigrations } from './linter/lint.js';
import { loadParser } from './linter/parse.js';
import { describeStep } from './planner/dry-run-report.js';
import { shadowDryRun, type DryRunReport } from './planner/shadow.js';
import { allowContractFindings } from './contract-allowance.js';
import { isBlocking } from './linter/format.js';
import type { FileReport, LintFinding, Migration } from './types.js';

export interface Preflight {
  pending: Migration[];
  /** Pending migrations that may run now: everything before the first pending contract. */
  runnable: Migration[];
  /** Pending contract migrations (and whatever comes after the first of them). */
  deferred: Migration[];
  lint: FileReport[];
  /** Findings that stop the migrations: parse errors are reported through `problems` too. */
  blocking: LintFinding[];
  problems: string[];
  dryRun: DryRunReport | null;
}

export interface PreflightOptions {
  /** Slipway's runner sets lock_timeout itself (database.lockTimeout). */
  lockTimeoutSet: boolean;
  /** Skip the shadow dry run (lint only). */
  dryRun?: boolean;
}

/** Lint and dry-run the migrations above `appliedThrough`. Never throws on bad SQL: it is in `problems`. */
export async function preflight(
  migrations: Migration[],
  appliedThrough: number,
  options: PreflightOptions,
): Promise<Preflight> {
  await loadParser();
  const pending = migrations.filter((m) => m.version > appliedThrough);
  const firstContract = pending.findIndex((m) => m.phase === 'contract');
  const runnable = firstContract === -1 ? pending : pending.slice(0, firstContract);
  const deferred = firstContract === -1 ? [] : pending.slice(firstContract);
  // Lint the whole history in order so column types declared by applied migrations are known
  // (a type change is judged against the real old type), then keep the pending ones.
  const all = await lintMigrations(migrations, { lockTimeoutSet: options.lockTimeoutSet });
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const lint = pending.map((m) => allowContractFindings(all[sorted.indexOf(m)]!, m.phase));
  const problems: string[] = [];
  const blocking: LintFinding[] = [];
  for (const report of lint) {
    if (report.parseError) {
      const e = report.parseError;
      problems.push(`${e.file}:${e.line}:${e.col}: ${e.message}`);
      continue;
    }
    for (const statement of report.statements) blocking.push(...statement.findings.filter(isBlocking));
  }
  for (const finding of blocking) problems.push(describeBlocking(finding));
  let dryRun: DryRunReport | null = null;
  // The dry run goes ahead even when lint objects: a plan should show every problem at once.
  if (options.dryRun !== false && pending.length > 0) {
    dryRun = await shadowDryRun({ migrations, appliedThrough });
    for (const step of dryRun.steps) {
      if (!step.ok) problems.push(`shadow dry run: ${describeStep(step).join('\n  ')}`);
    }
  }
  return { pending, runnable, deferred, lint, blocking, problems, dryRun };
}

/** One blocking finding as the error a deployment or `migrate plan` shows, recipe included. */
export function describeBlocking(f: LintFinding): string {
  return (
    `${f.file}:${f.line}:${f.col} ${f.rule} (${f.class}): ${f.message}\n    → ` +
    `${f.safeAlternative.split('\n').join('\n      ')}\n    (or, if you accept it: -- slipway: allow ${f.rule} ` +
    `because …)`
  );
}
