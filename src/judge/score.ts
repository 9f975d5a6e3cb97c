import type { MetricResult } from './model.js';

/**
 * Kayenta's score: the weighted share (0–100) of the scored results that pass. `nodata` is
 * not scored (nothing was measured); `error` is scored and does not pass, so a metric that
 * could not be read keeps the canary from a clean pass. `high` and `low` are only ever
 * reported in a metric's bad direction (see classify.ts), so neither passes. Nothing scored:
 * 0 — nothing measured, nothing passed.
 */
export function scoreResults(results: readonly MetricResult[]): number {
  let total = 0;
  let passed = 0;
  for (const r of results) {
    if (r.classification === 'nodata' || !(r.weight > 0)) continue;
    total += r.weight;
    if (r.classification === 'pass') passed += r.weight;
  }
  return total === 0 ? 0 : Math.round((1000 * passed) / total) / 10;
}

/** Whether a result says the candidate is worse (the bad direction, conclusive or not). */
export function isWorse(result: MetricResult): boolean {
  return result.classification === 'high' || result.classification === 'low';
}
