/** Unparseable SQL: the parser's message at its line:col, never a crash. */
import type { CorpusCase } from './case.js';

export const parseErrorCases: CorpusCase[] = [
  {
    name: 'missing column definition',
    sql: 'ALTER TABLE vessels ADD COLUMN;',
    expect: [],
    parseError: { message: 'syntax error at or near ";"', line: 1, col: 31 },
  },
  {
    name: 'error on line 3 after a comment and UTF-8 identifiers',
    sql: '-- Größe der Häfen\nCREATE TABLE größe (id int);\nSELEC 1;',
    expect: [],
    parseError: { message: 'syntax error at or near "SELEC"', line: 3, col: 1 },
  },
  {
    name: 'unterminated string',
    sql: "INSERT INTO ports (name) VALUES ('Rotterdam);",
    expect: [],
    parseError: { message: 'unterminated quoted string at or near "\'Rotterdam);"', line: 1, col: 34 },
  },
  {
    name: 'error after an emoji on the same line',
    sql: "SELECT '🚢'; SELEC 2;",
    expect: [],
    parseError: { message: 'syntax error at or near "SELEC"', line: 1, col: 14 },
  },
  {
    name: 'trailing comma in a multi-line CREATE TABLE',
    sql: 'CREATE TABLE tugs (\n  id bigint PRIMARY KEY,\n  name text,\n);',
    expect: [],
    parseError: { message: 'syntax error at or near ")"', line: 4, col: 1 },
  },
  {
    name: 'unterminated block comment',
    sql: 'SELECT 1;\n/* unfinished',
    expect: [],
    parseError: { message: 'unterminated /* comment at or near "/* unfinished"', line: 2, col: 1 },
  },
  {
    name: 'a file with comments only',
    sql: '-- nothing to migrate yet\n/* reserved for 0042 */\n',
    expect: [],
  },
];
