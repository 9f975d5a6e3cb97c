/**
 * The migration linter: parses a file with the real PostgreSQL parser, runs the rules on each
 * statement in order (objects created earlier in the file are new, so rules relax for them),
 * classifies every statement, and applies `-- slipway: allow` directives.
 *
 * @example
 *   await loadParser();
 *   const report = lintSql('ALTER TABLE vessels RENAME COLUMN name TO title;', 'up.sql', { lockTimeoutSet: true });
 *   report.statements[0].class; // 'breaking'
 */
import { readFile } from 'node:fs/promises';
import { readDirectives } from '../directives.js';
import { MigrationError } from '../errors.js';
import {
  classRank,
  type FileReport,
  type LintFinding,
  type LockMode,
  type Migration,
  type ParsedStatement,
  type StatementClass,
  type StatementReport,
} from '../types.js';
import { applyDirectives } from './allows.js';
import { baseClassOf } from './base-class.js';
import { isConcurrent } from './concurrency.js';
import { type KnownSchema, LintContext, emptySchema } from './context.js';
import { lockStrength, locksOf, strongestLock } from './locks.js';
import { loadParser, parseSql } from './parse.js';
import type { Hit } from './rule.js';
import { checkStatement } from './rules/index.js';
import { recordEffects } from './track.js';

export interface LintOptions {
  /**
   * True when Slipway's runner sets lock_timeout itself (config `database.lockTimeout`); that
   * satisfies `ddl-without-lock-timeout`, as does a SET lock_timeout earlier in the file.
   */
  lockTimeoutSet?: boolean;
  /** Column types from earlier migrations; read and extended (see lintMigrations). */
  schema?: KnownSchema;
}

/** Lints one SQL file. The parser must be loaded (`await loadParser()`). Never throws on bad SQL. */
export function lintSql(sql: string, file: string, options: LintOptions = {}): FileReport {
  const parsed = parseSql(sql);
  if (!parsed.ok) return { file, statements: [], parseError: { file, ...parsed.error } };
  const ctx = new LintContext({
    lockTimeoutSet: options.lockTimeoutSet ?? false,
    // The runner wraps a migration in one transaction unless it holds a CONCURRENTLY statement.
    wholeFileTransaction: !parsed.statements.some((statement) => isConcurrent(statement.kind, statement.node)),
    schema: options.schema,
  });
  const statements = parsed.statements.map((statement) => lintStatement(ctx, statement, file));
  if (/slipway:/i.test(sql)) applyDirectives(readDirectives(sql), statements, file);
  return { file, statements, parseError: null };
}

function lintStatement(ctx: LintContext, statement: ParsedStatement, file: string): StatementReport {
  ctx.statement = statement;
  ctx.locks = locksOf(statement.kind, statement.node);
  const hits = checkStatement(ctx);
  // The statement's own relation locks; a hit's lock speaks for the statement only when the parse
  // tree names no relation (ALTER DOMAIN locks the tables that use the domain, unseen here).
  const lock = strongestLock(ctx.locks) ?? strongestHitLock(hits);
  const findings = hits.map(
    (hit): LintFinding => ({
      file,
      line: statement.line,
      col: statement.col,
      rule: hit.rule.id,
      class: hit.rule.class,
      lock: hit.lock ?? lock,
      message: hit.message,
      safeAlternative: hit.safeAlternative,
      level: hit.rule.level,
      statementIndex: statement.index,
      allowedBecause: null,
    }),
  );
  let statementClass: StatementClass = baseClassOf(ctx);
  for (const finding of findings)
    if (classRank[finding.class] > classRank[statementClass]) statementClass = finding.class;
  recordEffects(ctx);
  return {
    file,
    line: statement.line,
    col: statement.col,
    index: statement.index,
    kind: statement.kind,
    text: statement.text,
    class: statementClass,
    lock,
    findings,
  };
}

function strongestHitLock(hits: Hit[]): LockMode | null {
  let strongest: LockMode | null = null;
  for (const hit of hits)
    if (hit.lock && (strongest === null || lockStrength(hit.lock) > lockStrength(strongest))) strongest = hit.lock;
  return strongest;
}

/** Reads and lints one file (loads the parser if needed). */
export async function lintFile(path: string, options: LintOptions = {}): Promise<FileReport> {
  let sql: string;
  try {
    sql = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MigrationError(
      missing ? 'not_found' : 'invalid_input',
      `${path}: ${missing ? 'no such file' : (error as Error).message}`,
      { path },
      { cause: error },
    );
  }
  await loadParser();
  return lintSql(sql, path, options);
}

/** One SQL file to lint: the name findings carry, and its text. */
export interface LintTarget {
  file: string;
  sql: string;
  /** Read to learn what it changes, but left out of the reports (an earlier migration). */
  historyOnly?: boolean;
}

/**
 * Lints files in the order given with one catalog, so each file is judged against what the
 * earlier ones created, declared and validated (as `migrate plan` judges it). Files marked
 * `historyOnly` teach the catalog and are not reported.
 */
export function lintInOrder(targets: LintTarget[], options: Omit<LintOptions, 'schema'> = {}): FileReport[] {
  const schema = emptySchema();
  const reports: FileReport[] = [];
  for (const target of targets) {
    const report = lintSql(target.sql, target.file, { ...options, schema });
    if (!target.historyOnly) reports.push(report);
  }
  return reports;
}

/**
 * Lints the up scripts of migrations in version order, sharing what earlier ones declared (column
 * types, validated NOT NULL checks), so later statements are judged against the whole history.
 */
export async function lintMigrations(
  migrations: Migration[],
  options: Omit<LintOptions, 'schema'> & { fileName?: (migration: Migration) => string } = {},
): Promise<FileReport[]> {
  await loadParser();
  const { fileName, ...lintOptions } = options;
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  return lintInOrder(
    sorted.map((m) => ({ file: fileName ? fileName(m) : m.upPath, sql: m.up })),
    lintOptions,
  );
}
