import type { Measurement } from '../signals/signal-source.js';
import { formatPercent } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';

type ValueMeasurement = Extract<Measurement, { kind: 'value' }>;

/**
 * One number per release (a PromQL result): compare the candidate with stable in the metric's
 * bad direction, allowing `allowedValueChange`. A single number carries no sample size, so no
 * test can make it conclusive: a value result never fails the canary on its own; it moves the
 * score that decides at the end of the window. The worse direction is reported — `high` when
 * higher is worse, `low` when lower is worse — and the good direction is a pass.
 */
export function classifyValue(m: ValueMeasurement, settings: JudgeSettings): MetricResult {
  const rule = 'value.vs-stable';
  const allowed = settings.statistics.allowedValueChange;
  const unit = m.unit ?? '';
  const show = (v: number) => `${Number(v.toPrecision(4))}${unit ? ` ${unit}` : ''}`;
  const worseWord = m.higherIsWorse ? 'higher' : 'lower';
  const common = {
    metric: m.metric,
    source: m.source,
    rule,
    ...(m.unit ? { unit: m.unit } : {}),
    candidate: m.candidate,
    stable: m.stable,
    ...(m.baseline !== undefined ? { baseline: m.baseline } : {}),
    threshold: `${formatPercent(allowed)} ${worseWord} than stable`,
    conclusive: false,
    weight: 1,
  };
  if (!Number.isFinite(m.candidate) || !Number.isFinite(m.stable)) {
    return {
      ...common,
      classification: 'error',
      message: `${rule}: ${m.metric} (${m.source}) is not a number (candidate ${m.candidate}, stable ${m.stable})`,
    };
  }
  // Measured against |stable| so a negative or zero stable value still has a direction;
  // with stable at 0 any move the bad way counts.
  const excess = (m.higherIsWorse ? m.candidate - m.stable : m.stable - m.candidate) - allowed * Math.abs(m.stable);
  const worse = excess > 0;
  const change =
    m.stable === 0
      ? ''
      : ` (${m.candidate >= m.stable ? '+' : ''}${formatPercent((m.candidate - m.stable) / Math.abs(m.stable))})`;
  const seen = `${m.metric}: candidate ${show(m.candidate)} vs stable ${show(m.stable)}${change}`;
  return {
    ...common,
    classification: worse ? (m.higherIsWorse ? 'high' : 'low') : 'pass',
    message: `${rule}: ${seen}, ${worse ? 'worse than' : 'within'} ${formatPercent(allowed)} ${worseWord}`,
  };
}
