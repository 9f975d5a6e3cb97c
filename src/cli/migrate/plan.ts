import { runnerTimeouts } from '../../migrations/database.js';
import { planAgainst, type AgainstReport } from '../../migrations/planner/against.js';
import { preflight, type Preflight } from '../../migrations/preflight.js';
import type { GlobalOptions } from '../context.js';
import { bold, dim, green, printJson, red } from '../output.js';
import { appliedThrough } from './applied.js';
import { lockTimeoutNote } from './lint.js';
import { migrationSource, type SourceOptions } from './source.js';

export interface PlanOptions extends SourceOptions {
  env?: string;
  from?: number;
  against?: string;
  json?: boolean;
}

/** `slipway migrate plan`: exit 1 when a migration would be refused (lint, dry run, against). */
export async function runPlan(global: GlobalOptions, opts: PlanOptions): Promise<number> {
  const source = await migrationSource(global, opts);
  const applied = await appliedThrough(source.config, opts.env, source.migrations, opts.from);
  const pre = await preflight(source.migrations, applied.version, { lockTimeoutSet: Boolean(source.config?.database) });
  const database = source.config?.database;
  const against =
    opts.against && pre.pending.length > 0
      ? await planAgainst(opts.against, pre.pending, runnerTimeouts(database))
      : null;
  const againstFailed = against?.statements.some((s) => s.error) ?? false;
  const notes = [lockTimeoutNote(source.config)];
  if (opts.json) {
    printJson({
      appliedThrough: applied,
      pending: pre.pending.map((m) => m.id),
      deferred: pre.deferred.map((m) => m.id),
      notes,
      lint: pre.lint,
      problems: pre.problems,
      dryRun: pre.dryRun,
      against,
    });
  } else {
    process.stdout.write(render(pre, applied.version, applied.source, against, notes));
  }
  return pre.problems.length > 0 || againstFailed ? 1 : 0;
}

function render(
  pre: Preflight,
  through: number,
  source: string,
  against: AgainstReport | null,
  notes: string[],
): string {
  const out: string[] = [
    `${bold(`${pre.pending.length} pending migration${pre.pending.length === 1 ? '' : 's'}`)} ` +
      `${dim(`(applied through ${through}, from ${source})`)}`,
  ];
  pre.pending.forEach((m, i) => {
    const waits = pre.deferred.includes(m) ? dim(' — waits until no live release needs the old schema') : '';
    out.push(`\n${bold(m.id)}${m.phase ? ` [${m.phase}${m.after ? ` after ${m.after}` : ''}]` : ''}${waits}`);
    const report = pre.lint[i]!;
    if (report.parseError)
      out.push(
        `  ${red('parse error')} ${report.parseError.file}:${report.parseError.line}:${report.parseError.col}: ` +
          `${report.parseError.message}`,
      );
    for (const s of report.statements) {
      const rules = s.findings
        .map((f) => (f.allowedBecause !== null ? `${f.rule} (allowed: ${f.allowedBecause})` : f.rule))
        .join(', ');
      out.push(
        `  ${String(s.line).padStart(4)}:${String(s.col).padEnd(3)} ${s.class.padEnd(19)} ` +
          `${(s.lock ?? '-').padEnd(22)} ${s.kind}${rules ? `  ${rules}` : ''}`,
      );
    }
  });
  if (pre.pending.length > 0) for (const note of notes) out.push(`\n${dim(`note: ${note}`)}`);
  if (pre.dryRun) {
    const failed = pre.dryRun.steps.filter((s) => !s.ok);
    const verdict =
      failed.length === 0 ? green('every down restored the schema exactly') : red(`${failed.length} step(s) failed`);
    out.push(
      `\n${bold('shadow dry run')} (PGlite, up → down → up, ${pre.dryRun.steps.length} steps, ` +
        `${Math.round(pre.dryRun.totalMs)} ms): ${verdict}`,
    );
    for (const note of pre.dryRun.notes) out.push(`  ${dim(note)}`);
  }
  if (against) {
    out.push(`\n${bold(`against ${against.database}`)} (one transaction, rolled back):`);
    for (const s of against.statements) {
      const locks = s.locks.map((l) => `${l.relation} ${l.mode}`).join(', ');
      const ran = s.error ? red(`error: ${s.error}`) : locks || 'no new table locks (already held or none)';
      out.push(`  ${s.migration}:${s.line} ${s.ran ? ran : dim(`not run: ${s.skippedBecause}`)}`);
    }
    for (const t of against.tables)
      out.push(`  table ${t.name}: ${(t.totalBytes / 1024).toFixed(0)} KiB, ~${t.rows} rows`);
  }
  if (pre.problems.length > 0)
    out.push(`\n${red(`${pre.problems.length} problem(s):`)}\n  ${pre.problems.join('\n  ')}`);
  return `${out.join('\n')}\n`;
}
