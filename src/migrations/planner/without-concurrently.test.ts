import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../linter/parse.js';
import type { ParsedStatement } from '../types.js';
import { withoutConcurrently } from './without-concurrently.js';

const one = (sql: string): ParsedStatement => {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.statements[0]!;
};

describe('withoutConcurrently (the shadow runs the plain form)', () => {
  beforeAll(() => loadParser());

  it.each([
    ['CREATE INDEX CONCURRENTLY vessels_flag_idx ON vessels (flag)', 'CREATE INDEX vessels_flag_idx ON vessels (flag)'],
    [
      'create unique index concurrently if not exists i on t (lower(a)) where b',
      'create unique index if not exists i on t (lower(a)) where b',
    ],
    ['DROP INDEX CONCURRENTLY IF EXISTS i', 'DROP INDEX IF EXISTS i'],
    ['REINDEX INDEX CONCURRENTLY i', 'REINDEX INDEX i'],
    ['REINDEX (CONCURRENTLY) TABLE t', 'REINDEX TABLE t'],
    ['REINDEX (VERBOSE, CONCURRENTLY) TABLE t', 'REINDEX (VERBOSE) TABLE t'],
    ['ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY', 'ALTER TABLE p DETACH PARTITION p1'],
  ])('%s', (sql, expected) => {
    expect(withoutConcurrently(one(sql))?.replace(/\s+/g, ' ')).toBe(expected);
  });

  it('leaves a word inside a comment or a quoted name alone, and only rewrites the keyword', () => {
    const rewritten = withoutConcurrently(
      one('CREATE INDEX /* concurrently */ CONCURRENTLY "concurrently_idx" ON t ("concurrently")'),
    );
    expect(rewritten).not.toBeNull();
    const reparsed = one(rewritten!);
    expect(reparsed.node.concurrent).toBeUndefined();
    expect(reparsed.node.idxname).toBe('concurrently_idx');
    expect(JSON.stringify(reparsed.node.indexParams)).toContain('"name":"concurrently"');
  });

  it('returns null for statements without CONCURRENTLY', () => {
    expect(withoutConcurrently(one('CREATE INDEX i ON t (a)'))).toBeNull();
    expect(withoutConcurrently(one('VACUUM t'))).toBeNull();
  });
});
