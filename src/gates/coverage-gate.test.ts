import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCoverage, runCoverageGate } from './coverage-gate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-coverage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const summary = (pct: number | string, covered = 870, total = 1000) =>
  JSON.stringify({
    total: { lines: { total, covered, skipped: 0, pct }, statements: { pct: 10 } },
    '/app/a.js': { lines: { pct: 1 } },
  });

const lcov = [
  'TN:',
  'SF:/app/a.js',
  'DA:1,1',
  'LF:10',
  'LH:9',
  'end_of_record',
  'SF:/app/b.js',
  'LF:30',
  'LH:15',
  'end_of_record',
  '',
].join('\n');

describe('parseCoverage', () => {
  it('reads total.lines from an istanbul coverage-summary.json', () => {
    expect(parseCoverage('coverage-summary.json', summary(87))).toEqual({ pct: 87, covered: 870, total: 1000 });
  });

  it('sums LH / LF over every lcov record', () => {
    expect(parseCoverage('lcov.info', lcov)).toEqual({ pct: 60, covered: 24, total: 40 });
  });

  it('"Unknown" (no lines at all) counts as 0 %', () => {
    expect(parseCoverage('coverage-summary.json', summary('Unknown', 0, 0)).pct).toBe(0);
  });

  it('says which format it expected', () => {
    expect(() => parseCoverage('coverage-summary.json', '{"files": []}')).toThrow(
      'coverage-summary.json has no total.lines; expected istanbul',
    );
    expect(() => parseCoverage('coverage-summary.json', 'nope')).toThrow(/^coverage-summary\.json is not JSON/);
    expect(() => parseCoverage('lcov.info', 'TN:\nSF:x\n')).toThrow(
      'lcov.info has no LF:/LH: lines; expected an lcov report (lcov.info)',
    );
  });
});

describe('runCoverageGate', () => {
  it('passes at or above the minimum', async () => {
    const file = path.join(dir, 'coverage-summary.json');
    writeFileSync(file, summary(85, 850));
    const r = await runCoverageGate({ file, minimumPct: 85, baseDir: dir });
    expect(r).toMatchObject({
      name: 'coverage',
      kind: 'coverage',
      outcome: 'pass',
      message: 'line coverage 85% (850/1000 lines) meets the minimum 85%',
    });
    expect(r.detail).toMatchObject({ pct: 85, minimumPct: 85 });
  });

  it('fails below the minimum, naming the figures and the file', async () => {
    const file = path.join(dir, 'cov', 'lcov.info');
    mkdirSync(path.dirname(file));
    writeFileSync(file, lcov);
    const r = await runCoverageGate({ file, minimumPct: 85, baseDir: dir });
    expect(r.outcome).toBe('fail');
    expect(r.message).toBe('line coverage 60% (24/40 lines) in cov/lcov.info is below the minimum 85%');
  });

  it('a missing report is an error that says what should write it', async () => {
    const r = await runCoverageGate({
      file: path.join(dir, 'missing', 'coverage-summary.json'),
      minimumPct: 85,
      baseDir: dir,
    });
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(
      /^coverage gate: coverage report missing\/coverage-summary\.json not found; a before-gate should write it/,
    );
  });
});
