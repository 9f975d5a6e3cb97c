/**
 * npm run bench:migrations -- --json [--statements N] [--history N] [--rounds N]
 *
 * - Lint throughput: a corpus of N (default 5,000) realistic migration statements, linted on the
 *   real PostgreSQL 15 parser (libpg-query, WebAssembly) in files of 10 statements, in sequence with
 *   one catalog across the files (as `migrate lint` and `migrate plan` do). Target ≥ 5,000/s.
 * - Plan + shadow dry run of a 100-migration history: load the files, lint every up script,
 *   then up → down → up on an in-process PGlite with a catalog diff after every step. Target ≤ 10 s.
 * Each figure is the median of --rounds runs (default 5 for lint, 3 for the dry run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMigrations } from '../src/migrations/files.js';
import { benchStatements } from '../src/migrations/linter/bench-corpus.js';
import { lintInOrder } from '../src/migrations/linter/lint.js';
import { loadParser } from '../src/migrations/linter/parse.js';
import { syntheticHistory } from '../src/migrations/planner/bench-history.js';
import { preflight } from '../src/migrations/preflight.js';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const statementCount = arg('statements', 5000);
const historySize = arg('history', 100);
const rounds = arg('rounds', 0);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function lintThroughput(): Promise<{
  statements: number;
  files: number;
  statementsPerSecond: number;
  runsMs: number[];
}> {
  await loadParser();
  const statements = benchStatements(statementCount);
  const files: string[] = [];
  for (let i = 0; i < statements.length; i += 10) files.push(`${statements.slice(i, i + 10).join(';\n')};\n`);
  const runsMs: number[] = [];
  let findings = 0;
  for (let round = 0; round < (rounds || 5); round++) {
    const started = performance.now();
    const reports = lintInOrder(
      files.map((sql, i) => ({ file: `bench/${i}.sql`, sql })),
      { lockTimeoutSet: true },
    );
    for (const report of reports) findings += report.statements.length;
    runsMs.push(performance.now() - started);
  }
  if (findings !== statements.length * runsMs.length)
    throw new Error(`linted ${findings / runsMs.length} statements per round, expected ${statements.length}`);
  return {
    statements: statements.length,
    files: files.length,
    statementsPerSecond: Math.round(statements.length / (median(runsMs) / 1000)),
    runsMs: runsMs.map(Math.round),
  };
}

async function dryRunHistory(): Promise<{
  migrations: number;
  dryRun100Ms: number;
  runsMs: number[];
  steps: number;
  ok: boolean;
}> {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-migrations-'));
  try {
    syntheticHistory(historySize, dir);
    const runsMs: number[] = [];
    let steps = 0;
    let ok = true;
    for (let round = 0; round < (rounds || 3); round++) {
      const started = performance.now();
      const migrations = loadMigrations(dir);
      const pre = await preflight(migrations, 0, { lockTimeoutSet: true });
      runsMs.push(performance.now() - started);
      steps = pre.dryRun?.steps.length ?? 0;
      ok &&= pre.problems.length === 0;
      if (!ok) progress(`dry run reported problems: ${pre.problems.slice(0, 3).join(' | ')}`);
    }
    return {
      migrations: historySize,
      dryRun100Ms: Math.round(median(runsMs)),
      runsMs: runsMs.map(Math.round),
      steps,
      ok,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

progress(`linting ${statementCount} statements…`);
const lint = await lintThroughput();
progress(`planning and dry-running a ${historySize}-migration history…`);
const dryRun = await dryRunHistory();
await printResult({
  machine: machine(),
  lint: { ...lint, target: 5000, met: lint.statementsPerSecond >= 5000 },
  dryRun: { ...dryRun, targetMs: 10_000, met: dryRun.ok && dryRun.dryRun100Ms <= 10_000 },
});
