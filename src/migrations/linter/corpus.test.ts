import { beforeAll, describe, expect, it } from 'vitest';
import { corpus } from './corpus.js';
import { lintSql } from './lint.js';
import { loadParser } from './parse.js';
import { rulesById } from './rules/index.js';

beforeAll(async () => {
  await loadParser();
});

describe('linter corpus', () => {
  it('has at least 100 cases with unique names', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('exercises every rule the linter declares', () => {
    const covered = new Set(
      corpus.flatMap((c) => c.expect.flatMap((e) => [...(e.rule ? [e.rule] : []), ...(e.rules ?? [])])),
    );
    expect([...rulesById.keys()].filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const report = lintSql(c.sql, 'case.sql', c.options ?? { lockTimeoutSet: true });
    if (c.parseError) {
      expect(report.statements).toEqual([]);
      expect(report.parseError).toEqual({ file: 'case.sql', ...c.parseError });
      return;
    }
    expect(report.parseError).toBeNull();
    expect(report.statements.map((s) => s.kind)).toHaveLength(c.expect.length);
    report.statements.forEach((statement, i) => {
      const expected = c.expect[i]!;
      const where = `statement ${i} (${statement.text.slice(0, 60)})`;
      expect(statement.class, where).toBe(expected.class);
      const rules = statement.findings.map((f) => f.rule).sort();
      expect(rules, where).toEqual([...(expected.rules ?? (expected.rule ? [expected.rule] : []))].sort());
      for (const finding of statement.findings) {
        expect(finding.class, `${where}: ${finding.rule}`).toBe(rulesById.get(finding.rule)!.class);
        expect(finding.allowedBecause, `${where}: ${finding.rule}`).toBe(expected.allows?.[finding.rule] ?? null);
        expect(finding.message.length, `${where}: ${finding.rule}`).toBeGreaterThan(10);
        expect(finding.safeAlternative.length, `${where}: ${finding.rule}`).toBeGreaterThan(10);
      }
    });
  });
});
