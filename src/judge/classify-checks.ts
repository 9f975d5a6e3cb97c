import type { Measurement } from '../signals/signal-source.js';
import type { MetricResult } from './model.js';

type ChecksMeasurement = Extract<Measurement, { kind: 'checks' }>;

/**
 * Synthetic checks against the candidate: a correctness canary. One failed check is
 * conclusive — a wrong answer is not noise to average away (a quote priced wrong once is
 * priced wrong for someone).
 */
export function classifyChecks(m: ChecksMeasurement): MetricResult {
  const rule = 'checks.failed';
  const { passed, failed, lastFailure } = m.candidate;
  const total = passed + failed;
  const common = {
    metric: m.metric,
    source: m.source,
    rule,
    unit: 'checks',
    candidate: failed,
    candidateCount: total,
    threshold: 'any failed check',
    weight: 1,
  };
  if (!Number.isInteger(passed) || !Number.isInteger(failed) || passed < 0 || failed < 0) {
    return {
      ...common,
      classification: 'error',
      conclusive: false,
      message:
        `${rule}: ${m.metric} (${m.source}) reported ${passed} passed and ${failed} failed, which are not ` + `counts`,
    };
  }
  if (total === 0)
    return {
      ...common,
      classification: 'nodata',
      conclusive: false,
      message: `${rule}: ${m.metric}: no checks ran yet`,
    };
  if (failed === 0)
    return {
      ...common,
      classification: 'pass',
      conclusive: false,
      message: `${rule}: ${m.metric}: ${passed} of ${total} checks passed`,
    };
  const last = lastFailure ? `; last: ${lastFailure}` : '';
  return {
    ...common,
    classification: 'high',
    conclusive: true,
    message: `${rule}: ${m.metric}: ${failed} of ${total} checks failed on the candidate${last}`,
  };
}
