import type { Measurement } from '../signals/signal-source.js';
import { classifyChecks } from './classify-checks.js';
import { classifyErrors } from './classify-errors.js';
import { classifyLatency } from './classify-latency.js';
import { classifyValue } from './classify-value.js';
import type { JudgeSettings, MetricResult } from './model.js';
import type { PreparedRequests } from './requests.js';

/** Kayenta-style classification of a `requests` measurement: latency (Mann–Whitney) and errors (two-proportion). */
export function classifyRequests(prepared: PreparedRequests, settings: JudgeSettings): MetricResult[] {
  return [classifyLatency(prepared, settings), classifyErrors(prepared, settings)];
}

/**
 * Classify a measurement that is not `requests` (those go through prepareRequests first), `rum` (classify-rum.ts)
 * or `errors` (classify-sdk-errors.ts):
 * values, checks, and the measurements a source could not take.
 */
export function classifyOther(
  m: Exclude<Measurement, { kind: 'requests' } | { kind: 'rum' } | { kind: 'errors' }>,
  settings: JudgeSettings,
): MetricResult {
  if (m.phase === 'error' || m.phase === 'nodata') return unmeasured(m.metric, m.source, m.phase, m.message);
  return m.kind === 'value' ? classifyValue(m, settings) : classifyChecks(m);
}

/** A measurement the source could not take (`error`) or that had nothing in it (`nodata`). */
export function unmeasured(metric: string, source: string, phase: 'error' | 'nodata', message: string): MetricResult {
  return {
    metric,
    source,
    rule: `measurement.${phase}`,
    classification: phase,
    threshold: '',
    conclusive: false,
    weight: 1,
    message: `${metric} (${source}): ${phase === 'error' ? 'measurement failed' : 'no data'}: ${message}`,
  };
}
