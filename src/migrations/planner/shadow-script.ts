/**
 * Runs one migration script on the shadow database the way the runner will on the server:
 * all statements in one transaction, unless one of them cannot run in a transaction block;
 * then statement by statement without one. Failures come back as data with file:line:col.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { ParseResult } from '../linter/parse.js';
import type { ParsedStatement, SourcePosition } from '../types.js';
import { pgliteBundles } from './shadow-extensions.js';
import { statementError, type StatementError } from './statement-error.js';
import { isConcurrent, outsideTransactionReason } from './transactionless.js';
import { withoutConcurrently } from './without-concurrently.js';

export type ScriptOutcome =
  | { ok: true; rewritten: SourcePosition[] }
  | { ok: false; error: StatementError; rewritten: SourcePosition[] };

/** Applies `sql` (read from `file`) to `db`; never throws for a bad script. */
export async function runShadowScript(db: PGlite, file: string, parsed: ParseResult): Promise<ScriptOutcome> {
  const rewritten: SourcePosition[] = [];
  if (!parsed.ok) return { ok: false, error: { file, ...parsed.error }, rewritten };
  const wrap = parsed.statements.length > 1 && parsed.statements.every((s) => outsideTransactionReason(s) === null);
  if (wrap) await db.exec('BEGIN');
  for (const statement of parsed.statements) {
    const sent = (isConcurrent(statement) && withoutConcurrently(statement)) || statement.text;
    if (sent !== statement.text) rewritten.push({ file, line: statement.line, col: statement.col });
    try {
      await db.exec(sent);
    } catch (e) {
      if (wrap) await db.exec('ROLLBACK').catch(() => undefined);
      return { ok: false, error: withShadowHint(statementError(e, file, statement, sent), statement), rewritten };
    }
  }
  if (wrap) {
    try {
      await db.exec('COMMIT');
    } catch (e) {
      // Deferred constraints are checked here; blame the last statement, the only one we can name.
      const last = parsed.statements[parsed.statements.length - 1]!;
      return { ok: false, error: statementError(e, file, last), rewritten };
    }
  }
  return { ok: true, rewritten };
}

// Only where the shadow's nature explains the failure: an extension PGlite does not bundle.
function withShadowHint(error: StatementError, statement: ParsedStatement): StatementError {
  const name = statement.kind === 'CreateExtensionStmt' ? statement.node.extname : undefined;
  if (typeof name === 'string' && !pgliteBundles(name)) {
    return {
      ...error,
      message:
        `${error.message} — the shadow database is PGlite (PostgreSQL 17 in WebAssembly), which does not ` +
        `bundle "${name}"; the server may have it, but this plan cannot be dry-run here`,
    };
  }
  return error;
}
