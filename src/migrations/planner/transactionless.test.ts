import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../linter/parse.js';
import type { ParsedStatement } from '../types.js';
import { isConcurrent, outsideTransactionReason } from './transactionless.js';

const one = (sql: string): ParsedStatement => {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.statements[0]!;
};

describe('statements that cannot run in a transaction block', () => {
  beforeAll(() => loadParser());

  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY IF EXISTS i', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX INDEX CONCURRENTLY i', 'REINDEX CONCURRENTLY'],
    ['REINDEX (CONCURRENTLY) TABLE t', 'REINDEX CONCURRENTLY'],
    ['REINDEX DATABASE app', 'REINDEX DATABASE/SYSTEM'],
    ['ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY', 'DETACH PARTITION CONCURRENTLY'],
    ['VACUUM t', 'VACUUM'],
    ['CREATE DATABASE other', 'CREATE/DROP DATABASE'],
    ["ALTER SYSTEM SET work_mem = '64MB'", 'ALTER SYSTEM'],
    ['COMMIT', 'transaction control'],
  ])('%s', (sql, reason) => {
    expect(outsideTransactionReason(one(sql))).toContain(reason);
  });

  it.each([
    'CREATE INDEX i ON t (a)',
    'DROP INDEX i',
    'REINDEX INDEX i',
    'REINDEX (CONCURRENTLY false) INDEX i',
    'ALTER TABLE p DETACH PARTITION p1',
    'ANALYZE t',
    "ALTER TYPE e ADD VALUE 'x'",
    'ALTER TABLE t ADD COLUMN "concurrently" text',
  ])('%s runs in a transaction', (sql) => {
    expect(outsideTransactionReason(one(sql))).toBeNull();
    expect(isConcurrent(one(sql))).toBe(false);
  });

  it('tells the CONCURRENTLY forms from the other transactionless statements', () => {
    expect(isConcurrent(one('DROP INDEX CONCURRENTLY i'))).toBe(true);
    expect(isConcurrent(one('ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY'))).toBe(true);
    expect(isConcurrent(one('VACUUM t'))).toBe(false);
  });
});
