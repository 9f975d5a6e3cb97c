import { describe, expect, it } from 'vitest';
import { metricLine, renderVerdict } from './render-verdict.js';

/** The error-rate trigger that fails a canary, as the judge stores it: its sentence quotes only the candidate. */
const fired = {
  metric: 'error-rate',
  source: 'proxy',
  rule: 'error-rate.absolute',
  classification: 'high' as const,
  candidate: 4.137931034482759,
  stable: 0.2,
  unit: '%',
  candidateCount: 290,
  stableCount: 1000,
  threshold: '> 1 % at 99.9 % confidence',
  conclusive: true,
  weight: 1,
  message:
    'error-rate.absolute: candidate 4.1 % (12 of 290 requests) > 1 % at 99.9 % confidence (exact lower bound 1.6 %, ' +
    'p < 0.001)',
};

describe('the verdict in slipway status', () => {
  it("shows the stable release's figure beside the candidate's for the rule that fired", () => {
    const lines = renderVerdict({
      id: 1,
      step: 2,
      at: '2026-12-07T10:00:00.000Z',
      outcome: 'fail',
      score: 50,
      final: false,
      reason: fired.message,
      metrics: [{ ...fired, rule: 'checks.failed', classification: 'pass', candidate: undefined }, fired],
    });
    const line = lines.find((l) => l.includes('error-rate.absolute'));
    expect(line).toContain(
      'error-rate.absolute: candidate 4.1 % (290) vs stable 0.2 % (1000); threshold > 1 % at 99.9 % confidence',
    );
    // Worst first, as before.
    expect(lines.indexOf(line!)).toBe(1);
  });

  it('says when a rule above its limit is not conclusive yet', () => {
    expect(metricLine({ ...fired, conclusive: false })).toMatch(
      /vs stable 0\.2 % \(1000\); .* \(not conclusive yet\)$/,
    );
  });

  it("keeps the judge's sentence for a rule without both figures, or without data", () => {
    const checks = { ...fired, rule: 'checks.failed', candidate: undefined, stable: undefined, message: 'two failed' };
    expect(metricLine(checks)).toBe('two failed');
    const waiting = { ...fired, classification: 'nodata' as const, message: 'error-rate.absolute: no candidate yet' };
    expect(metricLine(waiting)).toBe('error-rate.absolute: no candidate yet');
  });
});
