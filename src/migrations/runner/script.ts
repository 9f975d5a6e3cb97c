/**
 * A migration script split into the statements the runner sends one at a time, each knowing
 * where it starts in its file (so a server error maps to file:line) and whether it can run
 * inside a transaction block. Call `loadParser()` (linter/parse.ts) once before using this.
 */
import { parseSql, positionAt } from '../linter/parse.js';
import { MigrationError } from '../errors.js';
import type { ParsedStatement } from '../types.js';
import { isConcurrent } from '../linter/concurrency.js';

/** The index a `CREATE INDEX CONCURRENTLY` builds: what a re-run looks for when a build failed. */
export interface ConcurrentIndex {
  name: string;
  schema: string | null;
  table: string;
}

export interface ScriptStatement {
  /** 0-based position in the script. */
  index: number;
  kind: string;
  text: string;
  line: number;
  col: number;
  /** Character offset of the statement's first token in the file. */
  offset: number;
  /** PostgreSQL refuses it inside a transaction block (CONCURRENTLY forms, VACUUM). */
  outsideTransaction: boolean;
  concurrentIndex: ConcurrentIndex | null;
}

export interface Script {
  file: string;
  sql: string;
  statements: ScriptStatement[];
  /** False when any statement must run outside a transaction: then the whole script runs statement by statement. */
  transactional: boolean;
}

/** Transaction control the runner cannot allow: it owns the transaction. Savepoints are fine. */
const allowedTransactionKinds = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

/** Splits and checks a script; bad SQL, BEGIN/COMMIT or an unnamed CREATE INDEX CONCURRENTLY are refused naming
 * file:line. */
export function prepareScript(sql: string, file: string): Script {
  const parsed = parseSql(sql);
  if (!parsed.ok)
    throw new MigrationError(
      'invalid_input',
      `${file}:${parsed.error.line}:${parsed.error.col}: ${parsed.error.message}`,
      { file, line: parsed.error.line },
    );
  const lineStarts = lineOffsets(sql);
  const statements = parsed.statements.map((statement): ScriptStatement => {
    refuseTransactionControl(statement, file);
    const concurrentIndex = concurrentIndexOf(statement, file);
    return {
      index: statement.index,
      kind: statement.kind,
      text: statement.text,
      line: statement.line,
      col: statement.col,
      offset: (lineStarts[statement.line - 1] ?? 0) + statement.col - 1,
      outsideTransaction: needsNoTransaction(statement),
      concurrentIndex,
    };
  });
  return { file, sql, statements, transactional: statements.every((s) => !s.outsideTransaction) };
}

/** Whether PostgreSQL refuses the statement inside a transaction block. */
export function needsNoTransaction(statement: Pick<ParsedStatement, 'kind' | 'node'>): boolean {
  // VACUUM in any form refuses a transaction block; the rest only when concurrent (read by value, as lint does).
  if (statement.kind === 'VacuumStmt') return true;
  return isConcurrent(statement.kind, statement.node as Record<string, unknown>);
}

/** Line and column in the file of a server error's `position` (1-based, within the statement sent). */
export function errorPosition(
  script: Script,
  statement: ScriptStatement,
  position: string | undefined,
): { line: number; col: number } {
  const within = Number(position);
  if (!Number.isInteger(within) || within < 1 || within > statement.text.length + 1)
    return { line: statement.line, col: statement.col };
  return positionAt(script.sql, statement.offset + within - 1);
}

function refuseTransactionControl(statement: ParsedStatement, file: string): void {
  if (statement.kind !== 'TransactionStmt' || allowedTransactionKinds.has(String(statement.node.kind))) return;
  throw new MigrationError(
    'invalid_input',
    `${file}:${statement.line}: "${statement.text}" — remove transaction control from the migration; the runner ` +
      `runs each migration in its own transaction (statement by statement when it holds CONCURRENTLY)`,
    { file, line: statement.line },
  );
}

function concurrentIndexOf(statement: ParsedStatement, file: string): ConcurrentIndex | null {
  if (statement.kind !== 'IndexStmt' || statement.node.concurrent !== true) return null;
  const relation = statement.node.relation as { schemaname?: string; relname?: string } | undefined;
  const name = statement.node.idxname as string | undefined;
  if (!name) {
    throw new MigrationError(
      'invalid_input',
      `${file}:${statement.line}: name the index (CREATE INDEX CONCURRENTLY name ON …) so that a failed build can ` +
        `be found and cleaned up when the migration is re-run`,
      { file, line: statement.line },
    );
  }
  return { name, schema: relation?.schemaname ?? null, table: relation?.relname ?? '' };
}

function lineOffsets(sql: string): number[] {
  const starts = [0];
  for (let i = 0; i < sql.length; i++) if (sql.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}
