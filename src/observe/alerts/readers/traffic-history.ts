/** One finished request as the alert rules need it. */
export interface Hit {
  at: number;
  latencyMs: number;
  status: number;
  /** The proxy answered 502/503/504 itself. */
  proxyError: boolean;
}

/** Counts and p95 of the requests in a window. */
export interface TrafficSummary {
  total: number;
  errors: number;
  authFailures: number;
  p95Ms: number;
}

/**
 * The requests of one release over the last `keepMs` (at most `maxHits`, oldest dropped first),
 * in finish order, so windows are binary searches.
 */
export class ReleaseHistory {
  private hits: Hit[] = [];

  constructor(
    private readonly keepMs: number,
    private readonly maxHits: number,
  ) {}

  add(hit: Hit): void {
    const last = this.hits[this.hits.length - 1];
    if (last && hit.at < last.at) {
      // Workers report a little out of order: insert in place to keep the array sorted.
      const i = this.firstAtOrAfter(hit.at);
      this.hits.splice(i, 0, hit);
    } else this.hits.push(hit);
  }

  /** Drop what is older than keepMs before `now`, and beyond maxHits. */
  trim(now: number): void {
    const from = Math.max(this.firstAtOrAfter(now - this.keepMs), this.hits.length - this.maxHits);
    if (from > 0) this.hits = this.hits.slice(from);
  }

  /** The requests that finished in [from, to). */
  summary(from: number, to: number): TrafficSummary {
    const window = this.hits.slice(this.firstAtOrAfter(from), this.firstAtOrAfter(to));
    let errors = 0;
    let authFailures = 0;
    for (const h of window) {
      if (h.status >= 500 || h.proxyError) errors++;
      if (h.status === 401 || h.status === 403) authFailures++;
    }
    return {
      total: window.length,
      errors,
      authFailures,
      p95Ms: percentile(
        window.map((h) => h.latencyMs),
        0.95,
      ),
    };
  }

  /** When the oldest kept request finished. */
  oldest(): number | undefined {
    return this.hits[0]?.at;
  }

  private firstAtOrAfter(at: number): number {
    let lo = 0;
    let hi = this.hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.hits[mid]!.at < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Nearest-rank percentile; 0 for no values. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
