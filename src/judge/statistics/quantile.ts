/**
 * Order statistics on a sample sorted ascending: the judge sorts each release's latencies
 * once per look, then every rule reads quantiles and counts from the sorted copy.
 */

/** The q-quantile by linear interpolation between order statistics (NumPy's default, Hyndman–Fan type 7); NaN when
 * empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** How many values are strictly greater than `limit` (binary search). */
export function countAbove(sorted: ArrayLike<number>, limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
