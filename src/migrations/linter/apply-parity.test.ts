import { beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../errors.js';
import { prepareScript } from '../runner/script.js';
import { blockingClasses } from '../types.js';
import { corpus } from './corpus.js';
import { squawkSequences } from './corpus/squawk/index.js';
import { lintSql } from './lint.js';
import { loadParser } from './parse.js';

/**
 * `migrate apply` refuses some files before running anything (runner/script.ts: transaction
 * control, an unnamed CREATE INDEX CONCURRENTLY). Whatever it refuses, lint must stop too: a
 * blocking finding on the refused statement's line (before any allow directive), or a parse error.
 */
const scripts = [
  ...corpus.map((c) => ({ name: c.name, sql: c.sql })),
  ...squawkSequences.flatMap((c) => c.files.map((f, i) => ({ name: `${c.name} (file ${i + 2})`, sql: f.sql }))),
];

beforeAll(() => loadParser());

describe('lint refuses what migrate apply refuses', () => {
  it('the corpus holds scripts apply refuses, of each kind', () => {
    const refusals = scripts.map((s) => refusalOf(s.sql)).filter((r) => r !== null);
    expect(refusals.some((r) => /transaction/.test(r!.message))).toBe(true);
    expect(refusals.some((r) => /name the index/.test(r!.message))).toBe(true);
  });

  it.each(scripts.map((s) => [s.name, s.sql] as const))('%s', (_name, sql) => {
    const refusal = refusalOf(sql);
    if (!refusal) return;
    const report = lintSql(sql, 'x.sql', { lockTimeoutSet: true });
    if (report.parseError) return;
    const statement = report.statements.find((s) => s.line === refusal.line);
    const blocking = statement?.findings.filter((f) => f.level === 'error' && blockingClasses.has(f.class));
    expect(blocking?.length, `apply refuses line ${refusal.line}: ${refusal.message}`).toBeGreaterThan(0);
  });
});

function refusalOf(sql: string): { line: number; message: string } | null {
  try {
    prepareScript(sql, 'x.sql');
    return null;
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    return { line: Number((error.details as { line?: number } | undefined)?.line), message: error.message };
  }
}
