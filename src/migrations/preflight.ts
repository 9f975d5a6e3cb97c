/**
 * What must hold before pending migrations touch a database, shared by `slipway migrate plan`
 * and the deployment's expand step: every pending script parses and lints clean (or carries an
 * explicit allow), and the shadow dry run (up, down, up on PGlite) restores the schema exactly.
 */
import { lintSql } from './linter/lint.js';
import { loadParser } from './linter/parse.js';
import { shadowDryRun, type DryRunReport } from './planner/shadow.js';
import { blockingClasses, type FileReport, type LintFinding, type Migration } from './types.js';

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
export async function preflight(migrations: Migration[], appliedThrough: number, options: PreflightOptions): Promise<Preflight> {
  await loadParser();
  const pending = migrations.filter((m) => m.version > appliedThrough);
  const firstContract = pending.findIndex((m) => m.phase === 'contract');
  const runnable = firstContract === -1 ? pending : pending.slice(0, firstContract);
  const deferred = firstContract === -1 ? [] : pending.slice(firstContract);
  const lint = pending.map((m) => lintSql(m.up, m.upPath, { lockTimeoutSet: options.lockTimeoutSet }));
  const problems: string[] = [];
  const blocking: LintFinding[] = [];
  lint.forEach((report, i) => {
    const migration = pending[i]!;
    if (report.parseError) {
      const e = report.parseError;
      problems.push(`${e.file}:${e.line}:${e.col}: ${e.message}`);
      return;
    }
    for (const statement of report.statements) {
      for (const finding of statement.findings) {
        if (finding.allowedBecause !== null || finding.level !== 'error' || !blockingClasses.has(finding.class)) continue;
        // A contract migration exists to make breaking and data-losing changes; what guards it
        // is that no live release needs the old schema. Locking statements still need an allow.
        if (migration.phase === 'contract' && finding.class !== 'locking') continue;
        blocking.push(finding);
      }
    }
  });
  for (const finding of blocking) problems.push(describeBlocking(finding));
  let dryRun: DryRunReport | null = null;
  if (options.dryRun !== false && problems.length === 0 && pending.length > 0) {
    dryRun = await shadowDryRun({ migrations, appliedThrough });
    for (const step of dryRun.steps) {
      if (step.ok) continue;
      if (step.error) problems.push(`shadow dry run, ${step.direction} ${step.migration}: ${step.error.file}:${step.error.line}:${step.error.col}: ${step.error.message}`);
      if (step.differences?.length) {
        const what = step.differences.map((d) => `${d.object} ${d.change}`).join('; ');
        problems.push(`shadow dry run, ${step.direction} ${step.migration}: the schema differs from before its up script ran: ${what}`);
      }
    }
  }
  return { pending, runnable, deferred, lint, blocking, problems, dryRun };
}

/** One blocking finding as the error a deployment or `migrate plan` shows, recipe included. */
export function describeBlocking(f: LintFinding): string {
  return `${f.file}:${f.line}:${f.col} ${f.rule} (${f.class}): ${f.message}\n    → ${f.safeAlternative.split('\n').join('\n      ')}\n    (or, if you accept it: -- slipway: allow ${f.rule} because …)`;
}
