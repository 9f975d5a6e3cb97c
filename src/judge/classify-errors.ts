import { formatConfidence, formatP, formatPercent } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';
import { referenceWindow, type PreparedRequests, type PreparedWindow } from './requests.js';
import { describeSignificance, significanceOf } from './significance.js';
import { binomialUpperTail } from './statistics/binomial.js';
import { fisherExact } from './statistics/fisher.js';
import { twoProportionZTest } from './statistics/proportions.js';

/**
 * Kayenta-style error comparison: is the candidate's error rate above the stable one by more
 * than the allowed increase? Three tests must all say so — an intersection–union test, whose
 * p-value is the largest of the three:
 *  - the two-proportion score test with the allowed increase as its margin (Farrington–
 *    Manning): it weighs both samples' uncertainty, but it is asymptotic, and with a handful
 *    of candidate requests it overstates wildly (3 errors in 32 against 1 in 621: p = 4.5e-8);
 *  - the exact binomial tail of the candidate's errors at the stable rate (Jeffreys estimate)
 *    plus the margin: right for small candidate counts, treating the stable rate as known —
 *    fair in a canary, where stable serves many times the candidate's traffic (same example:
 *    p = 0.0017);
 *  - Fisher's exact test of "worse at all", which needs no such assumption when stable is
 *    small too.
 * A healthy candidate's early looks are where a sequential judge cries wolf; this is what
 * keeps 3 unlucky errors among its first 30 requests from failing it.
 */
export function classifyErrors(prepared: PreparedRequests, settings: JudgeSettings): MetricResult {
  const rule = 'errors.two-proportion';
  const { minSamples, allowedErrorRateIncrease, confidence } = settings.statistics;
  const { candidate } = prepared;
  const reference = referenceWindow(prepared, minSamples, (w) => w.total);
  const allowed = `+${formatPercent(allowedErrorRateIncrease).replace(' %', ' points')}`;
  const common = {
    metric: 'error-rate',
    source: prepared.measurement.source,
    rule,
    unit: '%',
    candidate: rate(candidate) * 100,
    candidateCount: candidate.total,
    ...(prepared.baseline && prepared.baseline.total > 0 ? { baseline: rate(prepared.baseline) * 100 } : {}),
    threshold: `above ${reference?.name ?? 'stable'} ${allowed} at ${formatConfidence(confidence)} confidence`,
    weight: 1,
  };
  if (!reference || candidate.total < minSamples) {
    const short = !reference
      ? `fewer than ${minSamples} stable requests`
      : `${candidate.total} candidate requests, ${minSamples} needed`;
    return { ...common, classification: 'nodata', conclusive: false, message: `${rule}: ${short}` };
  }
  const stable = reference.window;
  const score = twoProportionZTest(candidate.errors, candidate.total, stable.errors, stable.total, {
    alternative: 'greater',
    margin: allowedErrorRateIncrease,
  });
  const stableRate = (stable.errors + 0.5) / (stable.total + 1);
  const exact = binomialUpperTail(
    candidate.errors,
    candidate.total,
    Math.min(1, stableRate + allowedErrorRateIncrease),
  );
  const fisher = fisherExact(
    [
      [candidate.errors, candidate.total - candidate.errors],
      [stable.errors, stable.total - stable.errors],
    ],
    'greater',
  );
  const pValue = Math.max(score.pValue, exact, fisher.pValue);
  const significance = significanceOf(pValue, settings);
  const seen = `candidate ${describe(candidate)} vs ${reference.name} ${describe(stable)}`;
  const figures =
    `z = ${score.z.toFixed(2)}, ${formatP(score.pValue)}; exact ${formatP(exact)}; Fisher ` +
    `${formatP(fisher.pValue)}`;
  const message = significance.worse
    ? `${rule}: ${seen}: worse than allowed (${allowed}) ${describeSignificance(significance, settings)} (${figures})`
    : `${rule}: ${seen}: within allowed (${allowed}) (${figures})`;
  return {
    ...common,
    classification: significance.worse ? 'high' : 'pass',
    conclusive: significance.conclusive,
    stable: rate(stable) * 100,
    stableCount: stable.total,
    statistic: { name: 'z (Farrington–Manning; p: largest of score, exact binomial, Fisher)', value: score.z, pValue },
    message,
  };
}

function rate(w: PreparedWindow): number {
  return w.total === 0 ? 0 : w.errors / w.total;
}

function describe(w: PreparedWindow): string {
  return `${formatPercent(rate(w))} (${w.errors} of ${w.total})`;
}
