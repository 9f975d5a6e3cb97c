/**
 * What `slipway migrate lint` prints: one line per finding (`file:line:col rule class message`)
 * with its safe alternative indented below, a summary line, the `--json` shape, and the exit
 * status (1 when any blocking finding is not allowed, or a file does not parse).
 */
import { blockingClasses, type FileReport, type LintFinding, type StatementClass } from '../types.js';

/** Counts over a set of reports. */
export interface LintSummary {
  files: number;
  statements: number;
  /** Statements per class. */
  classes: Record<StatementClass, number>;
  /** Findings that stop the lint: blocking class, level error, not allowed. */
  blocking: number;
  allowed: number;
  warnings: number;
  parseErrors: number;
}

/** The `--json` document. */
export interface LintJson {
  ok: boolean;
  summary: LintSummary;
  /** What the lint assumed (e.g. whether lock_timeout is set by Slipway's runner). */
  notes: string[];
  files: FileReport[];
}

/** True for a finding that must fail the lint. */
export function isBlocking(finding: LintFinding): boolean {
  return finding.allowedBecause === null && finding.level === 'error' && blockingClasses.has(finding.class);
}

/** Counts findings, classes and parse errors. */
export function summarize(reports: FileReport[]): LintSummary {
  const summary: LintSummary = {
    files: reports.length,
    statements: 0,
    classes: { safe: 0, 'backward-compatible': 0, locking: 0, breaking: 0, 'data-loss': 0 },
    blocking: 0,
    allowed: 0,
    warnings: 0,
    parseErrors: 0,
  };
  for (const report of reports) {
    if (report.parseError) summary.parseErrors++;
    for (const statement of report.statements) {
      summary.statements++;
      summary.classes[statement.class]++;
      for (const finding of statement.findings) {
        if (finding.allowedBecause !== null) summary.allowed++;
        else if (isBlocking(finding)) summary.blocking++;
        else summary.warnings++;
      }
    }
  }
  return summary;
}

/** 0 when every blocking finding is allowed and every file parses, else 1. */
export function exitStatusOf(reports: FileReport[]): 0 | 1 {
  for (const report of reports) {
    if (report.parseError) return 1;
    for (const statement of report.statements) if (statement.findings.some(isBlocking)) return 1;
  }
  return 0;
}

/** One finding as text: the location line, then the safe alternative indented with an arrow. */
export function formatFinding(finding: LintFinding): string {
  const allowed = finding.allowedBecause !== null ? ` (allowed: ${finding.allowedBecause})` : '';
  const head =
    `${finding.file}:${finding.line}:${finding.col} ${finding.rule} ${finding.class}${allowed} ` + `${finding.message}`;
  return finding.allowedBecause !== null ? head : `${head}\n    → ${finding.safeAlternative}`;
}

/** The human output for `migrate lint`: findings in file order, the notes, then a summary line. */
export function formatReports(reports: FileReport[], notes: string[] = []): string {
  const lines: string[] = [];
  for (const report of reports) {
    if (report.parseError) {
      const e = report.parseError;
      lines.push(`${e.file}:${e.line}:${e.col} parse-error ${e.message}`);
      continue;
    }
    const findings = report.statements.flatMap((statement) => statement.findings);
    findings.sort((a, b) => a.line - b.line || a.col - b.col);
    for (const finding of findings) lines.push(formatFinding(finding));
  }
  for (const note of notes) lines.push(`note: ${note}`);
  lines.push(summaryLine(summarize(reports)));
  return `${lines.join('\n')}\n`;
}

/** `2 files, 14 statements: 1 blocking (1 breaking), 1 allowed, 2 warnings — lint failed`. */
export function summaryLine(summary: LintSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const risky = (['breaking', 'locking', 'data-loss'] as const)
    .filter((c) => summary.classes[c] > 0)
    .map((c) => `${summary.classes[c]} ${c}`);
  const parts = [
    `${plural(summary.blocking, 'blocking finding')}`,
    `${summary.allowed} allowed`,
    plural(summary.warnings, 'warning'),
  ];
  if (summary.parseErrors > 0) parts.push(plural(summary.parseErrors, 'parse error'));
  const verdict = summary.blocking > 0 || summary.parseErrors > 0 ? 'lint failed' : 'ok';
  return (
    `${plural(summary.files, 'file')}, ` +
    `${plural(summary.statements, 'statement')}${risky.length ? ` (${risky.join(', ')})` : ''}: ${parts.join(', ')} ` +
    `— ${verdict}`
  );
}

/** The `--json` document for `migrate lint --json`. */
export function reportsJson(reports: FileReport[], notes: string[] = []): LintJson {
  return { ok: exitStatusOf(reports) === 0, summary: summarize(reports), notes, files: reports };
}
