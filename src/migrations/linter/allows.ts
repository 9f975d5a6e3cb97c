/**
 * `-- slipway: allow RULE because REASON` covers the findings of RULE on the next statement that
 * starts after the directive's line. An allow that covers nothing, or names no rule, becomes an
 * `unused-allow` warning; a directive that cannot be read becomes `invalid-directive`.
 */
import type { Directives } from '../directives.js';
import type { AllowDirective, StatementReport } from '../types.js';
import type { Rule } from './rule.js';
import { invalidDirective, unusedAllow } from './rules/directives.js';
import { rulesById } from './rules/index.js';

/** Marks allowed findings and adds directive warnings to `statements` (in file order). */
export function applyDirectives(directives: Directives, statements: StatementReport[], file: string): void {
  if (statements.length === 0) return;
  for (const allow of directives.allows) {
    const target = nextStatement(statements, allow.line);
    let used = false;
    for (const finding of target?.findings ?? []) {
      if (finding.rule === allow.rule && finding.allowedBecause === null) {
        finding.allowedBecause = allow.reason;
        used = true;
      }
    }
    if (!used)
      warn(
        statements,
        file,
        allow.line,
        unusedAllow,
        unusedMessage(allow, target),
        'Remove the directive, or move it to just above the statement it is meant for.',
      );
  }
  for (const problem of directives.problems) {
    warn(
      statements,
      file,
      problem.line,
      invalidDirective,
      `-- slipway: directive at line ${problem.line}: ${problem.message}`,
      'Fix or remove the directive.',
    );
  }
}

function unusedMessage(allow: AllowDirective, target: StatementReport | undefined): string {
  const prefix = `-- slipway: allow ${allow.rule} at line ${allow.line}`;
  if (!rulesById.has(allow.rule)) return `${prefix} names no rule the linter knows`;
  if (!target) return `${prefix} has no statement after it`;
  return `${prefix} covers nothing: the next statement (line ${target.line}) has no ${allow.rule} finding`;
}

/** The first statement that starts after `line` (statements are in file order). */
function nextStatement(statements: StatementReport[], line: number): StatementReport | undefined {
  let low = 0;
  let high = statements.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (statements[middle]!.line > line) high = middle;
    else low = middle + 1;
  }
  return statements[low];
}

/** Attaches a directive warning to the statement after the directive, or the last one. */
function warn(
  statements: StatementReport[],
  file: string,
  line: number,
  rule: Rule,
  message: string,
  safeAlternative: string,
): void {
  const statement = nextStatement(statements, line) ?? statements[statements.length - 1]!;
  statement.findings.push({
    file,
    line,
    col: 1,
    rule: rule.id,
    class: rule.class,
    lock: null,
    message,
    safeAlternative,
    level: rule.level,
    statementIndex: statement.index,
    allowedBecause: null,
  });
}
