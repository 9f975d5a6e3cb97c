/** The judge's output as stored and shown: a verdict and the rules behind it (src/judge decides them). */

/** How a metric compares, in Kayenta's words. */
export type Classification = 'pass' | 'high' | 'low' | 'nodata' | 'error';

/** One rule applied to one metric, explained so a person can check it. */
export interface MetricResult {
  /** What was judged: "error-rate", "latency-p95", "latency", "availability", or a configured metric name. */
  metric: string;
  /** Where the figures came from ("proxy", "prometheus", "http-probe", "runtime"). */
  source: string;
  /** The rule id, e.g. "error-rate.vs-baseline", "error-rate.absolute", "latency.p95.vs-baseline",
   * "latency.mann-whitney", "errors.two-proportion", "checks.failed", "availability.all-down". */
  rule: string;
  classification: Classification;
  /** Figures shown to people, in `unit`. */
  candidate?: number;
  stable?: number;
  baseline?: number;
  unit?: string;
  /** Sample sizes behind the figures. */
  candidateCount?: number;
  stableCount?: number;
  /** The test statistic, when a test was run (e.g. { name: "U", value: 112, pValue: 0.0004 }). */
  statistic?: { name: string; value: number; pValue?: number };
  /** The threshold in words, e.g. "> 5× baseline (2.5 %) at 99.9 % confidence". */
  threshold: string;
  /** True when the evidence is strong enough to act on now (a `high` that is conclusive fails the canary). */
  conclusive: boolean;
  /** Weight in the score. */
  weight: number;
  /** One line for people: what was seen and what was decided. */
  message: string;
}

/** The judge's decision at one point in time. */
export interface Verdict {
  /** ms since the epoch. */
  at: number;
  /**
   * fail: roll back now. pass: the analysis may end (only given when `final`).
   * running: no conclusion yet, keep measuring. inconclusive: the window ended without enough evidence.
   */
  outcome: 'pass' | 'fail' | 'running' | 'inconclusive';
  /** Weighted share (0–100) of metrics classified pass, Kayenta-style. */
  score: number;
  metrics: MetricResult[];
  /** The rule that decided, in one line ("error-rate.absolute: candidate 19.6 % of 51 requests > 1 % at 99.9 %
   * confidence"). */
  reason: string;
}
