import type { Measurement, RumWindow } from '../signals/signal-source.js';
import { formatConfidence, formatMs, formatP, formatPercent } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';
import { describeSignificance, significanceOf } from './significance.js';
import { binomialUpperTail } from './statistics/binomial.js';
import { fisherExact } from './statistics/fisher.js';
import { countAbove, quantileSorted } from './statistics/quantile.js';

type RumMeasurement = Extract<Measurement, { kind: 'rum' }>;

/**
 * LCP varies with the user's device and network far more than a server's latency does: a
 * change below 100 ms is not something a release did (web.dev's "good" LCP is 2.5 s).
 */
export const minLcpIncreaseMs = 100;

/** Real users of a frontend, candidate against stable: `lcpP75` and `jsErrorRate`. */
export function classifyRum(m: RumMeasurement, settings: JudgeSettings): MetricResult[] {
  return [classifyLcpP75(m, settings), classifyJsErrorRate(m, settings)];
}

/** The stable window when it has enough, else the stable release's window from before the deployment. */
function reference(m: RumMeasurement, minSamples: number, size: (w: RumWindow) => number) {
  if (size(m.stable) >= minSamples) return { window: m.stable, name: 'stable' };
  if (m.baseline && size(m.baseline) >= minSamples) return { window: m.baseline, name: 'baseline' };
  return undefined;
}

/**
 * LCP p75 (the Core Web Vitals threshold is read at p75): H0 is "the candidate's p75 is at most
 * the stable p75 + 20 % (at least +100 ms)", i.e. at most a quarter of the candidate's page views
 * are slower than that limit. The count above it is binomial under H0, so the exact upper tail at
 * 0.25 is the p-value. The stable p75 is treated as known, fair in a canary where stable serves
 * most users; the margin keeps a healthy candidate's p-values drifting towards 1 look after look.
 */
export function classifyLcpP75(m: RumMeasurement, settings: JudgeSettings): MetricResult {
  const rule = 'lcp.p75';
  const { minSamples, allowedLatencyIncrease, confidence } = settings.statistics;
  const candidate = new Float64Array(m.candidate.lcpMs).sort();
  const ref = reference(m, minSamples, (w) => w.lcpMs.length);
  const allowed = `+${formatPercent(allowedLatencyIncrease)}, at least +${formatMs(minLcpIncreaseMs)}`;
  const common = {
    metric: 'lcpP75',
    source: m.source,
    rule,
    unit: 'ms',
    candidateCount: candidate.length,
    threshold: `p75 above ${ref?.name ?? 'stable'} (${allowed}) at ${formatConfidence(confidence)} confidence`,
    weight: 1,
    ...(candidate.length > 0 ? { candidate: quantileSorted(candidate, 0.75) } : {}),
    ...(m.baseline && m.baseline.lcpMs.length > 0 ? { baseline: p75(m.baseline.lcpMs) } : {}),
  };
  if (!ref || candidate.length < minSamples) {
    const short = !ref ? `fewer than ${minSamples} stable page views` : `${candidate.length} candidate page views`;
    return {
      ...common,
      classification: 'nodata',
      conclusive: false,
      message: `${rule}: ${short}, ${minSamples} needed`,
    };
  }
  const stableP75 = p75(ref.window.lcpMs);
  const candidateP75 = quantileSorted(candidate, 0.75);
  const limit = Math.max(stableP75 * (1 + allowedLatencyIncrease), stableP75 + minLcpIncreaseMs);
  const above = countAbove(candidate, limit);
  const pValue = binomialUpperTail(above, candidate.length, 0.25);
  const significance = significanceOf(pValue, settings);
  const seen =
    `candidate LCP p75 ${formatMs(candidateP75)} vs ${ref.name} ${formatMs(stableP75)} (${candidate.length} and ` +
    `${ref.window.lcpMs.length} page views; ${above} candidate views above ${formatMs(limit)})`;
  const figures = `binomial ${formatP(pValue)}`;
  return {
    ...common,
    candidate: candidateP75,
    stable: stableP75,
    stableCount: ref.window.lcpMs.length,
    classification: significance.worse ? 'high' : 'pass',
    conclusive: significance.conclusive,
    statistic: { name: 'views above the limit', value: above, pValue },
    message: significance.worse
      ? `${rule}: ${seen}: slower than allowed (${allowed}) ` +
        `${describeSignificance(significance, settings)} (${figures})`
      : `${rule}: ${seen}: within allowed (${allowed}) (${figures})`,
  };
}

/**
 * The share of page views with a JS error. Views, not errors: errors cluster (one broken page
 * throws in a loop), and counting them as independent trials failed healthy canaries in
 * rum-simulation.test.ts; a view with errors is a Bernoulli trial. (Error views are capped at
 * the LCP-counted views: a page may throw before it paints.) Like the request errors
 * (classify-errors.ts): worse than the stable rate + allowedErrorRateIncrease by the exact
 * binomial tail (stable rate, Jeffreys estimate, treated as known), and worse at all by Fisher's
 * exact test; the larger p-value decides.
 */
export function classifyJsErrorRate(m: RumMeasurement, settings: JudgeSettings): MetricResult {
  const rule = 'js-errors.rate';
  const { minSamples, allowedErrorRateIncrease, confidence } = settings.statistics;
  const ref = reference(m, minSamples, (w) => w.pageViews);
  const allowed = `+${formatPercent(allowedErrorRateIncrease).replace(' %', ' points')}`;
  const errorViews = (w: RumWindow) => Math.min(w.errorViews, w.pageViews);
  const rate = (w: RumWindow) => (w.pageViews === 0 ? 0 : errorViews(w) / w.pageViews);
  const common = {
    metric: 'jsErrorRate',
    source: m.source,
    rule,
    unit: '%',
    candidate: rate(m.candidate) * 100,
    candidateCount: m.candidate.pageViews,
    ...(m.baseline && m.baseline.pageViews > 0 ? { baseline: rate(m.baseline) * 100 } : {}),
    threshold:
      `page views with errors above ${ref?.name ?? 'stable'} ${allowed} at ` +
      `${formatConfidence(confidence)} confidence`,
    weight: 1,
  };
  const c = m.candidate;
  if (!ref || c.pageViews < minSamples) {
    const short = !ref ? `fewer than ${minSamples} stable page views` : `${c.pageViews} candidate page views`;
    return {
      ...common,
      classification: 'nodata',
      conclusive: false,
      message: `${rule}: ${short}, ${minSamples} needed`,
    };
  }
  const s = ref.window;
  const cErrors = errorViews(c);
  const sErrors = errorViews(s);
  const stableRate = (sErrors + 0.5) / (s.pageViews + 1);
  const exact = binomialUpperTail(cErrors, c.pageViews, Math.min(1, stableRate + allowedErrorRateIncrease));
  const fisher = fisherExact(
    [
      [cErrors, c.pageViews - cErrors],
      [sErrors, s.pageViews - sErrors],
    ],
    'greater',
  );
  const pValue = Math.max(exact, fisher.pValue);
  const significance = significanceOf(pValue, settings);
  const describe = (w: RumWindow) => `${formatPercent(rate(w))} (${errorViews(w)} of ${w.pageViews} page views)`;
  const seen = `candidate ${describe(c)} vs ${ref.name} ${describe(s)}`;
  const figures = `exact ${formatP(exact)}; Fisher ${formatP(fisher.pValue)}`;
  return {
    ...common,
    stable: rate(s) * 100,
    stableCount: s.pageViews,
    classification: significance.worse ? 'high' : 'pass',
    conclusive: significance.conclusive,
    statistic: { name: 'p: larger of exact binomial and Fisher', value: cErrors, pValue },
    message: significance.worse
      ? `${rule}: ${seen}: worse than allowed (${allowed}) ${describeSignificance(significance, settings)} (${figures})`
      : `${rule}: ${seen}: within allowed (${allowed}) (${figures})`,
  };
}

const p75 = (values: number[]) => quantileSorted(new Float64Array(values).sort(), 0.75);
