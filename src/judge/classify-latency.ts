import { formatConfidence, formatMs, formatP, formatPercent } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';
import { referenceWindow, type PreparedRequests } from './requests.js';
import { describeSignificance, significanceOf } from './significance.js';
import { mannWhitneyUSorted } from './statistics/mann-whitney.js';
import { quantileSorted } from './statistics/quantile.js';

/**
 * Kayenta-style latency comparison: Mann–Whitney U of the candidate's latencies against the
 * stable ones stretched by the allowed increase, one-sided ("higher is worse"). The effect
 * size is in the null hypothesis itself — H0: the candidate is no slower than stable × 1.2
 * (or stable + 25 ms, whichever is more) — so a healthy candidate sits well inside H0 and
 * its p-values drift towards 1 as data accumulates, instead of random-walking across the
 * threshold at every look. Faster is never a failure: it classifies as pass.
 */
export function classifyLatency(prepared: PreparedRequests, settings: JudgeSettings): MetricResult {
  const rule = 'latency.mann-whitney';
  const { minSamples, allowedLatencyIncrease, minLatencyIncreaseMs, confidence } = settings.statistics;
  const candidate = prepared.candidate.latencies;
  const allowed = `+${formatPercent(allowedLatencyIncrease)}, at least +${formatMs(minLatencyIncreaseMs)}`;
  const reference = referenceWindow(prepared, minSamples, (w) => w.latencies.length);
  const common = {
    metric: 'latency',
    source: prepared.measurement.source,
    rule,
    unit: 'ms',
    candidateCount: candidate.length,
    threshold: `median above ${reference?.name ?? 'stable'} (${allowed}) at ${formatConfidence(confidence)} confidence`,
    weight: 1,
    ...(candidate.length > 0 ? { candidate: quantileSorted(candidate, 0.5) } : {}),
    ...(prepared.baseline && prepared.baseline.latencies.length > 0
      ? { baseline: quantileSorted(prepared.baseline.latencies, 0.5) }
      : {}),
  };
  if (!reference || candidate.length < minSamples) {
    const short = !reference
      ? `fewer than ${minSamples} stable latencies`
      : `${candidate.length} candidate latencies, ${minSamples} needed`;
    return { ...common, classification: 'nodata', conclusive: false, message: `${rule}: ${short}` };
  }
  const stable = reference.window.latencies;
  // The stretch is increasing in s, so the stretched sample stays sorted.
  const stretched = stable.map((s) => Math.max(s * (1 + allowedLatencyIncrease), s + minLatencyIncreaseMs));
  const test = mannWhitneyUSorted(candidate, stretched, { alternative: 'greater' });
  const significance = significanceOf(test.pValue, settings);
  const candidateMedian = quantileSorted(candidate, 0.5);
  const stableMedian = quantileSorted(stable, 0.5);
  const seen =
    `candidate median ${formatMs(candidateMedian)} vs ${reference.name} ${formatMs(stableMedian)} ` +
    `(${candidate.length} and ${stable.length} requests)`;
  const figures = `U = ${test.u}, ${formatP(test.pValue)}`;
  const message = significance.worse
    ? `${rule}: ${seen}: slower than allowed (${allowed}) ${describeSignificance(significance, settings)} (${figures})`
    : `${rule}: ${seen}: within allowed (${allowed}) (${figures})`;
  return {
    ...common,
    classification: significance.worse ? 'high' : 'pass',
    conclusive: significance.conclusive,
    candidate: candidateMedian,
    stable: stableMedian,
    stableCount: stable.length,
    statistic: { name: 'U', value: test.u, pValue: test.pValue },
    message,
  };
}
