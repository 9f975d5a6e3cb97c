import { beforeAll, describe, expect, it } from 'vitest';
import { exitStatusOf, formatReports, reportsJson } from './format.js';
import { lintSql } from './lint.js';
import { loadParser } from './parse.js';

beforeAll(async () => {
  await loadParser();
});

const lint = (sql: string, file = 'db/0002_rename.up.sql') => lintSql(sql, file, { lockTimeoutSet: true });

describe('formatReports', () => {
  it('prints file:line:col rule class message, the safe alternative indented, and a summary', () => {
    const text = formatReports([lint('SELECT 1;\nALTER TABLE vessels RENAME COLUMN tonnage TO gross_tonnage;')]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^db\/0002_rename\.up\.sql:2:1 rename-column breaking column vessels\.tonnage is renamed to gross_tonnage: /,
    );
    expect(lines[1]).toMatch(/^ {4}→ Expand\/contract instead of renaming in place: 1\. expand/);
    expect(lines[2]).toBe('1 file, 2 statements (1 breaking): 1 blocking finding, 0 allowed, 0 warnings — lint failed');
    expect(lines).toHaveLength(3);
  });

  it('marks allowed findings with their reason and leaves out their alternative', () => {
    const text = formatReports([lint('-- slipway: allow drop-table because archived in 2.3\nDROP TABLE legacy;')]);
    expect(text).toBe(
      'db/0002_rename.up.sql:2:1 drop-table data-loss (allowed: archived in 2.3) table legacy is dropped: its data ' +
        'is gone, and releases that still use it fail\n' +
        '1 file, 1 statement (1 data-loss): 0 blocking findings, 1 allowed, 0 warnings — ok\n',
    );
  });

  it('prints parse errors with their position', () => {
    const text = formatReports([lint('SELECT 1;\nALTER TABLE;', 'bad.sql')]);
    expect(text.split('\n')[0]).toBe('bad.sql:2:12 parse-error syntax error at or near ";"');
    expect(text).toContain('1 parse error — lint failed');
  });
});

describe('exitStatusOf', () => {
  it('is 1 for an unallowed blocking finding or a parse error, else 0', () => {
    expect(exitStatusOf([lint('CREATE TABLE t (id bigint PRIMARY KEY);')])).toBe(0);
    expect(exitStatusOf([lint('CREATE TABLE t (id int PRIMARY KEY, doc json);')])).toBe(0);
    expect(exitStatusOf([lint('CREATE TABLE t (id bigint);'), lint('DROP TABLE legacy;')])).toBe(1);
    expect(exitStatusOf([lint('-- slipway: allow drop-table because archived\nDROP TABLE legacy;')])).toBe(0);
    expect(exitStatusOf([lint('SELEC 1;')])).toBe(1);
    expect(exitStatusOf([])).toBe(0);
  });
});

describe('reportsJson', () => {
  it('carries ok, a summary and the reports, and survives JSON round-trips', () => {
    const doc = reportsJson([
      lint('ALTER TABLE vessels ADD COLUMN meta json;\nDROP TABLE legacy;'),
      lint('SELEC;', 'bad.sql'),
    ]);
    expect(doc.ok).toBe(false);
    expect(doc.summary).toEqual({
      files: 2,
      statements: 2,
      classes: { safe: 0, 'backward-compatible': 1, locking: 0, breaking: 0, 'data-loss': 1 },
      blocking: 1,
      allowed: 0,
      warnings: 1,
      parseErrors: 1,
    });
    const parsed = JSON.parse(JSON.stringify(doc));
    expect(parsed.files[0].statements[1].findings[0]).toMatchObject({
      rule: 'drop-table',
      class: 'data-loss',
      lock: 'ACCESS EXCLUSIVE',
      safeAlternative: expect.any(String),
    });
    expect(parsed.files[1].parseError).toMatchObject({
      file: 'bad.sql',
      line: 1,
      col: 1,
      message: 'syntax error at or near "SELEC"',
    });
  });
});
