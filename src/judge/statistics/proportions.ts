import { requireCount, requireProbability } from './arguments.js';
import type { Alternative } from './alternative.js';
import { normalCdf, normalQuantile, normalSf } from './normal.js';

/** A confidence interval for a proportion. */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Wilson score interval for x successes in n trials. `sided: 'one'` gives one-sided bounds
 * at `confidence` (z = Φ⁻¹(confidence)); `'two'` the usual two-sided interval. Good coverage
 * for moderate n; for the handful of requests a canary sees in its first seconds the judge
 * uses the exact binomial test instead (see binomial.ts).
 */
export function wilsonInterval(x: number, n: number, confidence: number, sided: 'one' | 'two' = 'two'): Interval {
  requireCount('wilsonInterval', 'n', n, 1);
  requireCount('wilsonInterval', 'x', x);
  if (x > n) requireCount('wilsonInterval', 'n - x', n - x);
  requireProbability('wilsonInterval', 'confidence', confidence, true);
  const z = normalQuantile(sided === 'one' ? confidence : 1 - (1 - confidence) / 2);
  const p = x / n;
  const z2n = (z * z) / n;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  // Clamp: rounding can push an endpoint a hair past 0 or 1 when x is 0 or n.
  return { lower: x === 0 ? 0 : Math.max(0, center - half), upper: x === n ? 1 : Math.min(1, center + half) };
}

/** The outcome of a two-proportion test. */
export interface TwoProportionResult {
  z: number;
  pValue: number;
  /** Observed proportions. */
  p1: number;
  p2: number;
  /** `pooled` when the null is p1 = p2, `farrington-manning` when it allows a margin. */
  method: 'pooled' | 'farrington-manning';
}

/**
 * Two-proportion z-test of x1/n1 against x2/n2. With `margin` 0 it is the classic pooled
 * test (z² equals the uncorrected χ² of the 2×2 table). With a margin δ the null is
 * p1 − p2 = δ ("the candidate may be δ worse"), and the variance is taken at the maximum-
 * likelihood proportions under that null (Farrington & Manning, Stat. Med. 9:1447, 1990),
 * which reduces to the pooled test at δ = 0 and behaves well where the Wald variance
 * collapses (zero errors on one side).
 */
export function twoProportionZTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  options: { alternative?: Alternative; margin?: number } = {},
): TwoProportionResult {
  for (const [name, x, n] of [
    ['1', x1, n1],
    ['2', x2, n2],
  ] as const) {
    requireCount('twoProportionZTest', `n${name}`, n, 1);
    requireCount('twoProportionZTest', `x${name}`, x);
    if (x > n) requireCount('twoProportionZTest', `n${name} - x${name}`, n - x);
  }
  const margin = options.margin ?? 0;
  if (!(margin > -1 && margin < 1)) requireProbability('twoProportionZTest', 'margin', Math.abs(margin), true);
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [r1, r2] = margin === 0 ? pooled(x1, n1, x2, n2) : restrictedEstimates(p1, n1, p2, n2, margin);
  const variance = (r1 * (1 - r1)) / n1 + (r2 * (1 - r2)) / n2;
  const diff = p1 - p2 - margin;
  // No variance under the null (both proportions 0 or 1): only an exact difference of δ is no evidence.
  const z = variance > 0 ? diff / Math.sqrt(variance) : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  return {
    z,
    pValue: pValueOf(z, options.alternative ?? 'two-sided'),
    p1,
    p2,
    method: margin === 0 ? 'pooled' : 'farrington-manning',
  };
}

function pooled(x1: number, n1: number, x2: number, n2: number): [number, number] {
  const p = (x1 + x2) / (n1 + n2);
  return [p, p];
}

/**
 * Maximum-likelihood (p1, p2) subject to p1 − p2 = δ: the root of a cubic, in the closed
 * form of Farrington & Manning (1990), eq. (13)–(14).
 */
function restrictedEstimates(p1: number, n1: number, p2: number, n2: number, delta: number): [number, number] {
  const theta = n2 / n1;
  const a = 1 + theta;
  const b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2));
  const c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2;
  const d = -p1 * delta * (1 + delta);
  const v = b ** 3 / (27 * a ** 3) - (b * c) / (6 * a * a) + d / (2 * a);
  const s = Math.sqrt(Math.max(0, (b * b) / (9 * a * a) - c / (3 * a)));
  const u = v === 0 ? s : Math.sign(v) * s;
  const cosArg = u === 0 ? 0 : Math.max(-1, Math.min(1, v / u ** 3));
  const w = (Math.PI + Math.acos(cosArg)) / 3;
  const r1 = 2 * u * Math.cos(w) - b / (3 * a);
  const clamped = Math.min(1 + Math.min(0, delta), Math.max(Math.max(0, delta), r1));
  return [clamped, clamped - delta];
}

/** The p-value of a standard-normal statistic for the given alternative. */
export function pValueOf(z: number, alternative: Alternative): number {
  if (alternative === 'greater') return normalSf(z);
  if (alternative === 'less') return normalCdf(z);
  return Math.min(1, 2 * normalSf(Math.abs(z)));
}
