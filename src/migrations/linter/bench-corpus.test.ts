import { beforeAll, describe, expect, it } from 'vitest';
import { benchStatements } from './bench-corpus.js';
import { lintSql } from './lint.js';
import { loadParser, parseSql } from './parse.js';

beforeAll(async () => {
  await loadParser();
});

describe('benchStatements', () => {
  it('returns n single statements that parse, with names varied after the first round', () => {
    const statements = benchStatements(600);
    expect(statements).toHaveLength(600);
    const sql = `${statements.join(';\n')};\n`;
    const parsed = parseSql(sql);
    expect(parsed.ok && parsed.statements.length).toBe(600);
    expect(statements[0]).toBe('ALTER TABLE vessels RENAME COLUMN tonnage TO gross_tonnage');
    expect(statements).toContain('ALTER TABLE vessels_r1 RENAME COLUMN tonnage TO gross_tonnage');
    expect(statements).toContain('ALTER TABLE "häfen_r1" RENAME COLUMN "größe" TO "fläche"');
  });

  it('mixes every statement class', () => {
    const statements = benchStatements(400);
    const classes = new Set<string>();
    for (let i = 0; i < statements.length; i += 10) {
      for (const s of lintSql(statements.slice(i, i + 10).join(';\n'), 'bench.sql', { lockTimeoutSet: true })
        .statements)
        classes.add(s.class);
    }
    expect([...classes].sort()).toEqual(['backward-compatible', 'breaking', 'data-loss', 'locking', 'safe']);
  });
});
