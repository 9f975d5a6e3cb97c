/**
 * A failed statement as `file:line:col: message`, pointing at the token PostgreSQL blamed
 * when it says which one, else at the statement's first token.
 */
import { positionAt } from '../linter/parse.js';
import type { ParsedStatement, SourcePosition } from '../types.js';

/** What went wrong where; `code` is the SQLSTATE when PostgreSQL raised it. */
export interface StatementError extends SourcePosition {
  message: string;
  code?: string;
}

interface DriverError {
  message?: unknown;
  code?: unknown;
  position?: unknown;
  detail?: unknown;
  hint?: unknown;
}

/** Turns a PGlite or `pg` error raised by `statement` (sent as `sentText`) into a located error. */
export function statementError(
  error: unknown,
  file: string,
  statement: ParsedStatement,
  sentText = statement.text,
): StatementError {
  const e = (error ?? {}) as DriverError;
  const code = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  let message = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.detail === 'string' && e.detail) message += ` — ${e.detail}`;
  if (typeof e.hint === 'string' && e.hint) message += ` (hint: ${e.hint})`;
  const at = blamedPosition(e.position, statement, sentText);
  return { file, ...at, message, ...(code ? { code } : {}) };
}

/** `file:line:col: message [SQLSTATE]` for people. */
export function formatStatementError(error: StatementError): string {
  return `${error.file}:${error.line}:${error.col}: ${error.message}${error.code ? ` [SQLSTATE ${error.code}]` : ''}`;
}

// PostgreSQL's position is 1-based, in characters of the text sent. When the sent text is a
// rewrite (CONCURRENTLY removed), offsets no longer match the file, so the statement start is used.
function blamedPosition(
  position: unknown,
  statement: ParsedStatement,
  sentText: string,
): { line: number; col: number } {
  const offset = Number(position);
  if (sentText !== statement.text || !Number.isInteger(offset) || offset < 1 || offset > statement.text.length) {
    return { line: statement.line, col: statement.col };
  }
  const inner = positionAt(statement.text, offset - 1);
  return inner.line === 1
    ? { line: statement.line, col: statement.col + inner.col - 1 }
    : { line: statement.line + inner.line - 1, col: inner.col };
}
