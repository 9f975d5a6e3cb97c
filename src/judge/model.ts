import type { Measurement } from '../signals/signal-source.js';

/**
 * The judge's inputs and outputs. The judge is pure: measurements and settings in, a verdict
 * with its explanation out; the engine calls it every second while a canary takes traffic.
 */

export type { Classification, MetricResult, Verdict } from '../model/verdict.js';

/** The candidate's instances as the runtime sees them (not a signal source: it comes from the engine). */
export interface AvailabilityInput {
  /** Candidate instances meant to serve. */
  instances: number;
  healthy: number;
  /** Since when (ms) at least one candidate instance has been not healthy; undefined when all are healthy. */
  degradedSince?: number;
}

/** The judge's settings (defaults in defaultJudgeSettings). */
export interface JudgeSettings {
  /** The rollback triggers operators already use. */
  triggers: {
    /** Fail when the candidate's error rate is above this multiple of the stable baseline's (5 = an increase of 500 %).
     * */
    errorRateVsBaseline: number;
    /** Fail when the candidate's p95 latency is above this multiple of the stable baseline's. */
    p95VsBaseline: number;
    /** Absolute limits. */
    maxErrorRate: number;
    maxP95Ms: number;
    /** Fail when some candidate instance has been unavailable this long (ms); all of them down fails at once. */
    unavailableForMs: number;
  };
  /** The statistical judge (NetflixACAJudge in spirit). */
  statistics: {
    /** Confidence required before a failure is conclusive (sequential looks every second: keep it high). */
    confidence: number;
    /**
     * Confidence for classifying a metric high or low in the score. The score decides once, when
     * the window ends, so it needs less than `confidence`, which must hold at every look.
     */
    scoreConfidence: number;
    /** Latency: the candidate may be this much slower (0.2 = +20 % in median) before it is `high`. */
    allowedLatencyIncrease: number;
    /**
     * Latency: a slowdown smaller than this (ms) is never a regression, whatever the ratio — on a
     * 2 ms service, 5× or +20 % is less than a fresh process's warm-up. Applies to the
     * Mann-Whitney comparison and to the p95-vs-baseline trigger.
     */
    minLatencyIncreaseMs: number;
    /** Errors: the candidate's error rate may exceed the stable one by this much (absolute, 0.005 = 0.5 points) before
     * it is `high`. */
    allowedErrorRateIncrease: number;
    /** `value` metrics (one number per release): the candidate may be this share worse than stable (0.2 = 20 %). */
    allowedValueChange: number;
    /** Fewer candidate requests than this: nodata for the statistical tests (thresholds still apply once conclusive).
     * */
    minSamples: number;
    /** Score needed to pass at the end of a window, and below which it fails. */
    passScore: number;
    marginalScore: number;
  };
}

/** What the judge is given at each look. */
export interface JudgeInput {
  measurements: Measurement[];
  availability?: AvailabilityInput;
  settings: JudgeSettings;
  now: number;
  /** The analysis window has ended: decide pass or inconclusive instead of running. */
  final: boolean;
}
