import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadMigrations } from '../../migrations/files.js';
import type { CorpusExpectation } from '../../migrations/linter/corpus/case.js';
import { baseMigration, type SequenceCase, squawkSequences } from '../../migrations/linter/corpus/squawk/index.js';
import type { LintJson } from '../../migrations/linter/format.js';
import { loadParser } from '../../migrations/linter/parse.js';
import { rulesById } from '../../migrations/linter/rules/index.js';
import { preflight } from '../../migrations/preflight.js';
import type { FileReport, StatementReport } from '../../migrations/types.js';
import { runLint } from './lint.js';

/**
 * Every Squawk-style case (src/migrations/linter/corpus/squawk/) as a migrations directory:
 * 0001 the shared base, then the case's files. `migrate lint` (the command, in process, on the
 * directory and on the case's files named alone) must give each statement its expected class and
 * rules, and `migrate plan`'s preflight (base applied, the rest pending) must agree with lint on
 * every statement: class, lock and rules.
 */
let root: string;
let config: string;

beforeAll(async () => {
  await loadParser();
  root = mkdtempSync(path.join(tmpdir(), 'slipway-squawk-corpus-'));
  config = path.join(root, 'slipway.yaml');
  writeFileSync(
    config,
    `project: recipes
coordinator: { listen: 127.0.0.1:1 }
environments:
  staging: { listen: 127.0.0.1:18081 }
services:
  api: { command: node, args: [server.js] }
database: { url: env:RECIPES_DATABASE_URL, migrations: migrations, lockTimeout: 1s }
`,
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes the case as NNNN_*.up.sql (+ empty downs) and returns the directory and the up paths. */
function writeCase(c: SequenceCase, index: number): { dir: string; files: string[] } {
  const dir = path.join(root, `case-${index}`, 'migrations');
  mkdirSync(dir, { recursive: true });
  const files = [baseMigration, ...c.files].map((f, i) => {
    const stem = `${String(i + 1).padStart(4, '0')}_${i === 0 ? 'base' : 'step'}`;
    writeFileSync(path.join(dir, `${stem}.down.sql`), '');
    writeFileSync(path.join(dir, `${stem}.up.sql`), `${f.sql}\n`);
    return path.join(dir, `${stem}.up.sql`);
  });
  return { dir, files };
}

async function lintJson(c: SequenceCase, files: string[], opts: { dir?: string }): Promise<LintJson> {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await runLint(c.runnerSetsLockTimeout === false ? {} : { config }, files, { ...opts, json: true });
  } finally {
    vi.restoreAllMocks();
  }
  return JSON.parse(chunks.join('')) as LintJson;
}

const rulesOf = (s: StatementReport) => s.findings.map((f) => f.rule).sort();
const shape = (report: FileReport) =>
  report.statements.map((s) => ({ line: s.line, class: s.class, lock: s.lock, rules: rulesOf(s) }));

function expectFile(report: FileReport, expected: CorpusExpectation[], where: string): void {
  expect(report.parseError, where).toBeNull();
  expect(report.statements.length, where).toBe(expected.length);
  report.statements.forEach((statement, i) => {
    const e = expected[i]!;
    const at = `${where} statement ${i} (${statement.text.slice(0, 70)})`;
    expect(statement.class, at).toBe(e.class);
    expect(rulesOf(statement), at).toEqual([...(e.rules ?? (e.rule ? [e.rule] : []))].sort());
    for (const finding of statement.findings) {
      expect(finding.class, `${at}: ${finding.rule}`).toBe(rulesById.get(finding.rule)!.class);
      expect(finding.allowedBecause, `${at}: ${finding.rule}`).toBe(e.allows?.[finding.rule] ?? null);
    }
  });
}

describe('Squawk-style corpus', () => {
  it('has cases for at least 30 Squawk rules, with unique names and several multi-file cases', () => {
    expect(new Set(squawkSequences.map((c) => c.name)).size).toBe(squawkSequences.length);
    expect(new Set(squawkSequences.map((c) => c.squawk)).size).toBeGreaterThanOrEqual(30);
    expect(squawkSequences.filter((c) => c.files.length > 1).length).toBeGreaterThanOrEqual(15);
  });

  it.each(squawkSequences.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, index) => {
    const { dir, files } = writeCase(c, index);
    const byDir = await lintJson(c, [], { dir });
    expectFile(byDir.files[0]!, baseMigration.expect, '0001 (base)');
    for (const [i, f] of c.files.entries()) expectFile(byDir.files[i + 1]!, f.expect, `file ${i + 2}`);

    // The case's files named alone: the base is read as history, the verdicts do not change.
    const named = await lintJson(c, files.slice(1), {});
    expect(named.files.map(shape)).toEqual(byDir.files.slice(1).map(shape));

    // migrate plan with the base applied: the same class, lock and rules for every pending statement.
    const plan = await preflight(loadMigrations(dir), 1, {
      lockTimeoutSet: c.runnerSetsLockTimeout !== false,
      dryRun: false,
    });
    expect(plan.lint.map((r) => path.basename(r.file))).toEqual(files.slice(1).map((f) => path.basename(f)));
    expect(plan.lint.map(shape)).toEqual(byDir.files.slice(1).map(shape));
    const blocking = byDir.files
      .slice(1)
      .some((f) => f.statements.some((s) => s.findings.some((x) => x.level === 'error')));
    expect(plan.problems.length > 0).toBe(blocking);
  });
});
