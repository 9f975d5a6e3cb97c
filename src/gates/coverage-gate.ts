import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GateResult } from '../model/gate-result.js';

/** Line coverage as a report states it. */
export interface LineCoverage {
  pct: number;
  covered?: number;
  total?: number;
}

/**
 * Line coverage from an istanbul `coverage-summary.json` (`total.lines.pct`) or an lcov file
 * (the sums of every record's `LH` / `LF`). Throws an Error naming the file when it holds neither.
 */
export function parseCoverage(file: string, text: string): LineCoverage {
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file} is not JSON: ${(e as Error).message}`);
    }
    const lines = (json as { total?: { lines?: { pct?: unknown; covered?: unknown; total?: unknown } } })?.total?.lines;
    if (!lines)
      throw new Error(`${file} has no total.lines; expected istanbul's json-summary report (coverage-summary.json)`);
    // istanbul writes "Unknown" for a report with no lines; that is no coverage, not 100 %.
    const pct = typeof lines.pct === 'number' ? lines.pct : 0;
    return {
      pct,
      ...(typeof lines.covered === 'number' ? { covered: lines.covered } : {}),
      ...(typeof lines.total === 'number' ? { total: lines.total } : {}),
    };
  }
  let found = 0;
  let hit = 0;
  let records = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('LF:')) {
      found += Number(line.slice(3)) || 0;
      records++;
    } else if (line.startsWith('LH:')) hit += Number(line.slice(3)) || 0;
  }
  if (records === 0) throw new Error(`${file} has no LF:/LH: lines; expected an lcov report (lcov.info)`);
  return { pct: found === 0 ? 0 : Math.round((hit / found) * 10_000) / 100, covered: hit, total: found };
}

/**
 * The coverage gate: reads the report (written by a before-command, or left by CI) and passes
 * when line coverage is at least `minimumPct`. A missing or unreadable report is an `error`.
 */
export async function runCoverageGate(spec: {
  file: string;
  minimumPct: number;
  baseDir?: string;
}): Promise<GateResult> {
  const started = Date.now();
  const shown = spec.baseDir ? path.relative(spec.baseDir, spec.file) || spec.file : spec.file;
  const base = {
    name: 'coverage',
    kind: 'coverage' as const,
    detail: { file: spec.file, minimumPct: spec.minimumPct },
  };
  let coverage: LineCoverage;
  try {
    coverage = parseCoverage(shown, await readFile(spec.file, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing
      ? `coverage report ${shown} not found; a before-gate should write it (e.g. vitest --coverage with the ` +
        `json-summary reporter)`
      : (e as Error).message;
    return { ...base, outcome: 'error', message: `coverage gate: ${message}`, durationMs: Date.now() - started };
  }
  const detail = { ...base.detail, ...coverage };
  const counts = coverage.total === undefined ? '' : ` (${coverage.covered}/${coverage.total} lines)`;
  if (coverage.pct >= spec.minimumPct) {
    return {
      ...base,
      outcome: 'pass',
      message: `line coverage ${coverage.pct}%${counts} meets the minimum ${spec.minimumPct}%`,
      durationMs: Date.now() - started,
      detail,
    };
  }
  return {
    ...base,
    outcome: 'fail',
    message: `line coverage ${coverage.pct}%${counts} in ${shown} is below the minimum ${spec.minimumPct}%`,
    durationMs: Date.now() - started,
    detail,
  };
}
