import { formatConfidence, formatP, formatPercent } from './format.js';
import type { Classification, JudgeSettings } from './model.js';
import { binomialLowerBound, binomialUpperTail } from './statistics/binomial.js';

/** An exact test of "more than a share p0 of the candidate's requests are bad" (errors, or slower than a limit). */
export interface Exceedance {
  /** Bad requests, and requests. */
  k: number;
  n: number;
  /** The share allowed. */
  p0: number;
  /** P(X ≥ k) for X ~ Binomial(n, p0). */
  pValue: number;
  /** Clopper–Pearson lower bound of the true share at `confidence`; only when conclusive (it is what the message
   * shows). */
  lowerBound?: number;
  classification: Classification;
  conclusive: boolean;
}

/**
 * Test k bad of n against the share p0 with the exact binomial tail. Exact rather than Wilson
 * or normal: the judge looks every second from the first request on, and at 99.9 % the
 * approximations overstate small counts — Wilson's lower bound for 2 errors in 20 requests is
 * 1.5 %, "above 1 %", while 2 or more errors in 20 happen with probability 0.017 at 1 %; a
 * healthy 0.5 % candidate would trip it in about 1 canary in 100.
 *
 * high: the share is above p0 at `scoreConfidence`; conclusive: at `confidence`.
 */
export function testExceedance(k: number, n: number, p0: number, settings: JudgeSettings): Exceedance {
  const { confidence, scoreConfidence } = settings.statistics;
  const pValue = p0 >= 1 ? 1 : binomialUpperTail(k, n, p0);
  const above = n > 0 && k / n > p0;
  const conclusive = above && pValue < 1 - confidence;
  const high = above && (conclusive || pValue < 1 - scoreConfidence);
  const result: Exceedance = { k, n, p0, pValue, classification: high ? 'high' : 'pass', conclusive };
  if (conclusive) result.lowerBound = binomialLowerBound(k, n, confidence);
  return result;
}

/**
 * The sentence for an exceedance: what was seen, the limit, and what it means now.
 * `seen` reads like "candidate 19.6 % (10 of 51 requests)"; `limit` like "1 %"; `bound` words
 * the lower confidence bound of the bad share.
 */
export function describeExceedance(
  rule: string,
  seen: string,
  limit: string,
  test: Exceedance,
  settings: JudgeSettings,
  bound: (lowerBound: number) => string = (lb) => `exact lower bound ${formatPercent(lb)}`,
): string {
  const { confidence, scoreConfidence } = settings.statistics;
  const p = formatP(test.pValue);
  if (test.conclusive)
    return (
      `${rule}: ${seen} > ${limit} at ${formatConfidence(confidence)} confidence ` +
      `(${bound(test.lowerBound ?? 0)}, ${p})`
    );
  if (test.classification === 'high')
    return (
      `${rule}: ${seen} > ${limit} at ${formatConfidence(scoreConfidence)} confidence, not yet at ` +
      `${formatConfidence(confidence)} (${p})`
    );
  if (test.n > 0 && test.k / test.n > test.p0) return `${rule}: ${seen} above ${limit}, not significant yet (${p})`;
  return `${rule}: ${seen} within ${limit}`;
}
