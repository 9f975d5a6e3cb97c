import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql } from './parse.js';

beforeAll(async () => {
  await loadParser();
});

function positions(sql: string) {
  const result = parseSql(sql);
  if (!result.ok) throw new Error(`unexpected parse error: ${result.error.message}`);
  return result.statements.map((s) => ({ kind: s.kind, line: s.line, col: s.col, text: s.text }));
}

function failure(sql: string) {
  const result = parseSql(sql);
  if (result.ok) throw new Error('expected a parse error');
  return result.error;
}

describe('parseSql positions', () => {
  it('points at the first token of each statement across lines', () => {
    const sql =
      'CREATE TABLE vessels (\n  id bigint PRIMARY KEY,\n  name text\n);\n\n  ALTER TABLE vessels\n    ADD COLUMN ' +
      'flag text;';
    expect(positions(sql)).toEqual([
      { kind: 'CreateStmt', line: 1, col: 1, text: 'CREATE TABLE vessels (\n  id bigint PRIMARY KEY,\n  name text\n)' },
      { kind: 'AlterTableStmt', line: 6, col: 3, text: 'ALTER TABLE vessels\n    ADD COLUMN flag text' },
    ]);
  });

  it('skips line comments, block comments and nested block comments before a statement', () => {
    const sql = 'SELECT 1;\n-- why: the next one\n/* outer /* inner */ still outer */  SELECT 2;';
    expect(positions(sql).map(({ line, col, text }) => ({ line, col, text }))).toEqual([
      { line: 1, col: 1, text: 'SELECT 1' },
      { line: 3, col: 38, text: 'SELECT 2' },
    ]);
  });

  it('counts columns in characters, not UTF-8 bytes, after non-ASCII identifiers', () => {
    const lines = ['CREATE TABLE "größe" (id int); SELECT 1;', 'ALTER TABLE "größe" RENAME TO "häfen"; SELECT 2;'];
    expect(positions(lines.join('\n')).map(({ line, col }) => [line, col])).toEqual([
      [1, 1],
      [1, lines[0]!.indexOf('SELECT 1') + 1],
      [2, 1],
      [2, lines[1]!.indexOf('SELECT 2') + 1],
    ]);
    // In UTF-8 bytes the second statement of each line would start 2 and 3 columns later.
    expect(lines[1]!.indexOf('SELECT 2') + 1).toBe(40);
  });

  it('counts a character outside the BMP as two columns (UTF-16, like editors)', () => {
    const sql = "SELECT '🚢'; SELECT 2;";
    const [, second] = positions(sql);
    expect(second).toMatchObject({ line: 1, col: 14 });
    expect(sql.slice(second!.col - 1)).toBe('SELECT 2;');
  });

  it('handles CRLF line endings and a last statement without semicolon', () => {
    expect(positions('SELECT 1;\r\n\r\nSELECT 2').map(({ line, col, text }) => [line, col, text])).toEqual([
      [1, 1, 'SELECT 1'],
      [3, 1, 'SELECT 2'],
    ]);
  });

  it('returns no statements for empty, blank and comment-only files', () => {
    expect(positions('')).toEqual([]);
    expect(positions('  \n\t ')).toEqual([]);
    expect(positions('-- nothing yet\n/* later */\n')).toEqual([]);
  });

  it('keeps positions right deep into a long file', () => {
    const sql = Array.from(
      { length: 2000 },
      (_, i) => `-- step ${i}\nALTER TABLE t${i} ADD COLUMN "café_${i}" text;`,
    ).join('\n');
    const statements = positions(sql);
    expect(statements).toHaveLength(2000);
    expect(statements[1999]).toMatchObject({
      line: 4000,
      col: 1,
      text: 'ALTER TABLE t1999 ADD COLUMN "café_1999" text',
    });
  });

  it('keeps the dollar-quoted body of a function inside its statement', () => {
    const sql = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nSELECT f();';
    expect(positions(sql).map(({ kind, line }) => [kind, line])).toEqual([
      ['CreateFunctionStmt', 1],
      ['SelectStmt', 2],
    ]);
  });
});

describe('parseSql failures', () => {
  it('reports the parser message at the line and column of the bad token', () => {
    expect(failure('SELECT 1;\nALTER TABLE vessels\n  ADD COLUMN;')).toEqual({
      message: 'syntax error at or near ";"',
      line: 3,
      col: 13,
    });
  });

  it('maps the character cursor past multi-byte and astral characters', () => {
    // PostgreSQL counts '🚢' as one character; the column counts it as two UTF-16 units.
    expect(failure("SELECT 'ä';\nSELECT '🚢' FROM;")).toEqual({
      message: 'syntax error at or near ";"',
      line: 2,
      col: 17,
    });
  });

  it('reports an unterminated string where it starts', () => {
    expect(failure("SELECT 1;\nINSERT INTO t VALUES ('open);")).toEqual({
      message: 'unterminated quoted string at or near "\'open);"',
      line: 2,
      col: 23,
    });
  });

  it('reports a syntax error at the end of input', () => {
    expect(failure('SELECT 1 FROM')).toEqual({ message: 'syntax error at end of input', line: 1, col: 14 });
  });
});
