import type { CheckWindow } from '../signal-source.js';

/**
 * pass / fail: the candidate's answer met the expectation or not. error: no verdict on the
 * candidate (the proxy could not be reached), kept so an all-error window can say why.
 */
export interface CheckResult {
  /** When the answer (or the failure) came, ms since the epoch. */
  at: number;
  outcome: 'pass' | 'fail' | 'error';
  /** For fail and error: what was wrong, for people. */
  detail?: string;
}

/** What one probe saw in a window. */
export type CheckSummary =
  | { kind: 'checks'; window: CheckWindow }
  | { kind: 'error'; message: string }
  | { kind: 'none' };

/** The results of one probe, oldest first, at most `capacity` of them. */
export class CheckLog {
  private results: CheckResult[] = [];

  constructor(private readonly capacity = 10_000) {}

  /** Record one result (results arrive in time order: one round at a time). */
  add(result: CheckResult): void {
    this.results.push(result);
    // Trim in batches so a full log does not shift on every add.
    if (this.results.length > this.capacity * 1.5) this.results = this.results.slice(-this.capacity);
  }

  /** Passed and failed checks that finished in [from, to), or the last error when there were only errors. */
  summary(from: number, to: number): CheckSummary {
    let passed = 0;
    let failed = 0;
    let lastFailure: string | undefined;
    let lastError: string | undefined;
    for (const r of this.results) {
      if (r.at < from || r.at >= to) continue;
      if (r.outcome === 'pass') passed++;
      else if (r.outcome === 'fail') {
        failed++;
        lastFailure = r.detail;
      } else lastError = r.detail;
    }
    if (passed + failed > 0)
      return { kind: 'checks', window: { passed, failed, ...(lastFailure !== undefined ? { lastFailure } : {}) } };
    if (lastError !== undefined) return { kind: 'error', message: lastError };
    return { kind: 'none' };
  }
}
