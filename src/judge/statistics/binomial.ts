import { requireCount, requireProbability } from './arguments.js';
import { logBinomial } from './gamma.js';

/**
 * Exact binomial tails and the Clopper–Pearson bounds that go with them. The judge asks
 * binomial questions about small counts ("3 errors in 10 requests: is the error rate above
 * 1 %?", "4 of 12 requests slower than 500 ms: is p95 above 500 ms?"), where the normal
 * approximation — and the Wilson interval — claim more certainty than the data holds.
 */

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  check('binomialPmf', k, n, p);
  if (k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(logBinomial(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X ≥ k) for X ~ Binomial(n, p): the upper tail, exact (summed term by term). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  check('binomialUpperTail', k, n, p);
  if (k <= 0) return 1;
  if (k > n) return 0;
  // Sum whichever side of the mode lies away from it: those terms shrink geometrically, so the
  // sum is short and a tiny tail keeps its digits (1 − a sum near 1 would lose them).
  if (k > (n + 1) * p) return sumDownhill(k, n, p, +1);
  return 1 - sumDownhill(k - 1, n, p, -1);
}

/** P(X ≤ k) for X ~ Binomial(n, p): the lower tail, exact. */
export function binomialLowerTail(k: number, n: number, p: number): number {
  check('binomialLowerTail', k, n, p);
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (k < (n + 1) * p - 1) return sumDownhill(k, n, p, -1);
  return 1 - sumDownhill(k + 1, n, p, +1);
}

/**
 * One-sided Clopper–Pearson lower bound: the smallest p not rejected by the exact test of
 * "X ≥ k" at `confidence`. It exceeds p0 exactly when binomialUpperTail(k, n, p0) < 1 − confidence.
 */
export function binomialLowerBound(k: number, n: number, confidence: number): number {
  check('binomialLowerBound', k, n, 0.5);
  requireProbability('binomialLowerBound', 'confidence', confidence, true);
  if (k === 0) return 0;
  const alpha = 1 - confidence;
  // P(X ≥ k | p) grows with p: bisect for the p where it reaches alpha.
  return bisect((p) => binomialUpperTail(k, n, p) >= alpha, 0, k / n);
}

/** One-sided Clopper–Pearson upper bound: the largest p not rejected by the exact test of "X ≤ k". */
export function binomialUpperBound(k: number, n: number, confidence: number): number {
  check('binomialUpperBound', k, n, 0.5);
  requireProbability('binomialUpperBound', 'confidence', confidence, true);
  if (k === n) return 1;
  const alpha = 1 - confidence;
  // P(X ≤ k | p) shrinks as p grows.
  return bisect((p) => binomialLowerTail(k, n, p) < alpha, k / n, 1);
}

/** Sum the pmf from k away from the mode (step +1 up, −1 down) until the terms stop mattering. */
function sumDownhill(k: number, n: number, p: number, step: 1 | -1): number {
  if (p === 0) return step === 1 ? 0 : 1;
  if (p === 1) return step === 1 ? 1 : 0;
  const odds = p / (1 - p);
  let term = binomialPmf(k, n, p);
  let sum = 0;
  for (let j = k; j >= 0 && j <= n && term > 0; j += step) {
    sum += term;
    if (term < sum * 1e-17) break;
    term *= step === 1 ? ((n - j) / (j + 1)) * odds : j / (n - j + 1) / odds;
  }
  return Math.min(1, sum);
}

/** The boundary in [lo, hi] where `isAbove(p)` turns from false to true, to double precision. */
function bisect(isAbove: (p: number) => boolean, lo: number, hi: number): number {
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(hi, 1e-300); i++) {
    const mid = (lo + hi) / 2;
    if (isAbove(mid)) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

function check(where: string, k: number, n: number, p: number): void {
  requireCount(where, 'n', n);
  if (!Number.isInteger(k)) requireCount(where, 'k', k);
  requireProbability(where, 'p', p);
}
