import type { DurationSummary, TargetCheck } from './model.js';

/** Mean and median of durations (null when there are none). */
export function summarize(durations: readonly number[]): DurationSummary {
  if (durations.length === 0) return { count: 0, meanMs: null, medianMs: null };
  const sorted = [...durations].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    count: durations.length,
    meanMs: durations.reduce((a, b) => a + b, 0) / durations.length,
    medianMs: median,
  };
}

/** A share, or null when nothing was counted. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Pass when `value` is on the right side of the limit; unknown without a value. */
export function check(value: number | null, limit: { atLeast?: number; atMost?: number }, target: string): TargetCheck {
  if (value === null) return { target, status: 'unknown' };
  const ok = limit.atLeast !== undefined ? value >= limit.atLeast : value <= limit.atMost!;
  return { target, status: ok ? 'pass' : 'fail' };
}
