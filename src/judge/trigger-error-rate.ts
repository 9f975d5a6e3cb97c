import { describeExceedance, testExceedance } from './exceedance.js';
import { formatConfidence, formatPercent, formatTimes } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';
import { referenceWindow, type PreparedRequests, type PreparedWindow } from './requests.js';

const metric = 'error-rate';

/** The error-rate triggers: above the absolute limit, and above a multiple of the stable release's rate. */
export function errorRateTriggers(prepared: PreparedRequests, settings: JudgeSettings): MetricResult[] {
  return [absolute(prepared, settings), vsBaseline(prepared, settings)];
}

function absolute(prepared: PreparedRequests, settings: JudgeSettings): MetricResult {
  const rule = 'error-rate.absolute';
  const limit = settings.triggers.maxErrorRate;
  const { candidate } = prepared;
  const common = base(
    prepared,
    rule,
    `> ${formatPercent(limit)} at ${formatConfidence(settings.statistics.confidence)} confidence`,
  );
  return candidateAgainst(common, candidate, limit, formatPercent(limit), settings);
}

/**
 * "Error rate above 5× the baseline." The reference rate is the Jeffreys estimate
 * (errors + ½) / (requests + 1), not errors / requests: a stable release with no errors yet
 * would make 5× 0 = 0 and fail the first candidate error. The prior's half error keeps the
 * limit honest for small windows and fades as requests accumulate; a truly error-free stable
 * release leaves the absolute limit (1 %) to do the work.
 */
function vsBaseline(prepared: PreparedRequests, settings: JudgeSettings): MetricResult {
  const rule = 'error-rate.vs-baseline';
  const { candidate } = prepared;
  const { minSamples, confidence } = settings.statistics;
  const multiple = settings.triggers.errorRateVsBaseline;
  const reference = referenceWindow(prepared, minSamples, (w) => w.total);
  if (!reference) {
    return {
      ...base(prepared, rule, `> ${formatTimes(multiple)} the stable error rate`),
      classification: 'nodata',
      conclusive: false,
      message: `${rule}: fewer than ${minSamples} stable requests to compare with`,
    };
  }
  const referenceRate = (reference.window.errors + 0.5) / (reference.window.total + 1);
  const limit = Math.min(1, multiple * referenceRate);
  const limitText =
    `${formatTimes(multiple)} ${reference.name} ${formatPercent(referenceRate)} = ` + `${formatPercent(limit)}`;
  const common = {
    ...base(prepared, rule, `> ${limitText} at ${formatConfidence(confidence)} confidence`),
    baseline: referenceRate * 100,
    stableCount: reference.window.total,
  };
  return candidateAgainst(common, candidate, limit, limitText, settings);
}

/** Both triggers end alike: no data before the first candidate request, else an exact test of its errors against
 * `limit`. */
function candidateAgainst(
  common: ReturnType<typeof base>,
  candidate: PreparedWindow,
  limit: number,
  limitText: string,
  settings: JudgeSettings,
): MetricResult {
  const { rule } = common;
  if (candidate.total === 0)
    return { ...common, classification: 'nodata', conclusive: false, message: `${rule}: no candidate requests yet` };
  const test = testExceedance(candidate.errors, candidate.total, limit, settings);
  return {
    ...common,
    classification: test.classification,
    conclusive: test.conclusive,
    statistic: { name: 'errors (exact binomial)', value: candidate.errors, pValue: test.pValue },
    message: describeExceedance(rule, seen(candidate), limitText, test, settings),
  };
}

function base(prepared: PreparedRequests, rule: string, threshold: string) {
  const { candidate, stable, baseline } = prepared;
  return {
    metric,
    source: prepared.measurement.source,
    rule,
    unit: '%',
    candidate: rateOf(candidate) * 100,
    stable: rateOf(stable) * 100,
    ...(baseline && baseline.total > 0 ? { baseline: rateOf(baseline) * 100 } : {}),
    candidateCount: candidate.total,
    stableCount: stable.total,
    threshold,
    weight: 1,
  };
}

function rateOf(w: PreparedWindow): number {
  return w.total === 0 ? 0 : w.errors / w.total;
}

function seen(candidate: PreparedWindow): string {
  return `candidate ${formatPercent(rateOf(candidate))} (${candidate.errors} of ${candidate.total} requests)`;
}
