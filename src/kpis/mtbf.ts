import { formatDuration } from '../shared/duration.js';
import type { TargetCheck } from './model.js';
import { targets } from './model.js';

const day = 86_400_000;
const targetDays = `${targets.mtbfMs / day}d`;
const target = `≥ ${targetDays}`;
/** Days rounded down, as `slipway kpis` shows them: 29.99 days of history never reads as the 30 it lacks. */
const span = (ms: number) => (ms >= day ? `${(Math.floor(ms / (day / 10)) / 10).toFixed(1)}d` : formatDuration(ms));

/**
 * MTBF and its check from the time up and the failures in it. With failures it is up time / failures, judged against
 * the target like any figure. Without one there is no mean, but the mean is at least the time up: that meets the
 * target once it is as long as the target, and says nothing before — a minute-old environment has not failed to
 * meet a 30-day target, it has not been watched long enough to judge (unknown, the check's note says so).
 */
export function judgeMtbf(upMs: number, failures: number): { valueMs: number | null; check: TargetCheck } {
  if (failures > 0) {
    const valueMs = upMs / failures;
    return { valueMs, check: { target, status: valueMs >= targets.mtbfMs ? 'pass' : 'fail' } };
  }
  if (upMs >= targets.mtbfMs)
    return { valueMs: null, check: { target, status: 'pass', note: `no failure in ${span(upMs)} of history` } };
  const history = upMs > 0 ? `no failure in ${span(upMs)} of history` : 'no history yet';
  return { valueMs: null, check: { target, status: 'unknown', note: `${history}; needs ${targetDays} to judge` } };
}
