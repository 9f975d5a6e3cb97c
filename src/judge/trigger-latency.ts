import { describeExceedance, testExceedance } from './exceedance.js';
import { formatConfidence, formatMs, formatPercent, formatTimes } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';
import { referenceWindow, type PreparedRequests } from './requests.js';
import { countAbove, quantileSorted } from './statistics/quantile.js';

const metric = 'latency-p95';

/**
 * The p95 triggers. "p95 above L" is a binomial question: more than 5 % of requests slower
 * than L. Counting the candidate's requests above L and testing that count exactly needs no
 * minimum sample and no estimate of the candidate's p95 (which 10 requests cannot give).
 */
export function latencyTriggers(prepared: PreparedRequests, settings: JudgeSettings): MetricResult[] {
  return [absolute(prepared, settings), vsBaseline(prepared, settings)];
}

function absolute(prepared: PreparedRequests, settings: JudgeSettings): MetricResult {
  const limit = settings.triggers.maxP95Ms;
  return p95Above(prepared, settings, 'latency.p95.absolute', limit, formatMs(limit), {});
}

/**
 * p95 above a multiple of the reference p95 — and never a limit closer than
 * `minLatencyIncreaseMs` to it, so a 2 ms service does not fail on a 10 ms warm-up.
 */
function vsBaseline(prepared: PreparedRequests, settings: JudgeSettings): MetricResult {
  const rule = 'latency.p95.vs-baseline';
  const { minSamples, minLatencyIncreaseMs } = settings.statistics;
  const multiple = settings.triggers.p95VsBaseline;
  const reference = referenceWindow(prepared, minSamples, (w) => w.latencies.length);
  if (!reference) {
    return {
      ...base(prepared, rule, `> ${formatTimes(multiple)} the stable p95`),
      classification: 'nodata',
      conclusive: false,
      message: `${rule}: fewer than ${minSamples} stable latencies to compare with`,
    };
  }
  const referenceP95 = quantileSorted(reference.window.latencies, 0.95);
  const limit = Math.max(multiple * referenceP95, referenceP95 + minLatencyIncreaseMs);
  const floor = limit > multiple * referenceP95 ? `, at least +${formatMs(minLatencyIncreaseMs)}` : '';
  const limitText =
    `${formatTimes(multiple)} ${reference.name} p95 ${formatMs(referenceP95)}${floor} = ` + `${formatMs(limit)}`;
  return p95Above(prepared, settings, rule, limit, limitText, {
    baseline: referenceP95,
    stableCount: reference.window.latencies.length,
  });
}

function p95Above(
  prepared: PreparedRequests,
  settings: JudgeSettings,
  rule: string,
  limit: number,
  limitText: string,
  extra: Partial<MetricResult>,
): MetricResult {
  const latencies = prepared.candidate.latencies;
  const common = {
    ...base(prepared, rule, `> ${limitText} at ${formatConfidence(settings.statistics.confidence)} confidence`),
    ...extra,
  };
  const n = latencies.length;
  if (n === 0)
    return { ...common, classification: 'nodata', conclusive: false, message: `${rule}: no candidate latencies yet` };
  const slower = countAbove(latencies, limit);
  const test = testExceedance(slower, n, 0.05, settings);
  const seen =
    `candidate p95 ${formatMs(quantileSorted(latencies, 0.95))} (${slower} of ${n} requests slower than ` +
    `${formatMs(limit)})`;
  const bound = (lb: number) => `at least ${formatPercent(lb)} slower than ${formatMs(limit)}`;
  return {
    ...common,
    classification: test.classification,
    conclusive: test.conclusive,
    statistic: { name: `requests > ${formatMs(limit)} (exact binomial, 5 %)`, value: slower, pValue: test.pValue },
    message: describeExceedance(rule, seen, limitText, test, settings, bound),
  };
}

function base(prepared: PreparedRequests, rule: string, threshold: string) {
  const { candidate, stable, baseline } = prepared;
  const p95 = (sorted: Float64Array) => (sorted.length > 0 ? { value: quantileSorted(sorted, 0.95) } : undefined);
  return {
    metric,
    source: prepared.measurement.source,
    rule,
    unit: 'ms',
    candidate: p95(candidate.latencies)?.value,
    stable: p95(stable.latencies)?.value,
    ...(baseline && baseline.latencies.length > 0 ? { baseline: p95(baseline.latencies)?.value } : {}),
    candidateCount: candidate.latencies.length,
    stableCount: stable.latencies.length,
    threshold,
    weight: 1,
  };
}
