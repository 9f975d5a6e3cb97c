import { formatDuration } from '../shared/duration.js';
import type { AvailabilityInput, JudgeSettings, MetricResult } from './model.js';

/**
 * Candidate instances down or crash-looping. All of them down fails at once (the candidate
 * serves nothing: its share of traffic is failing or being retried elsewhere); some of them
 * down is `high` at once — it lowers the score — and fails once it has lasted
 * `unavailableForMs`, long enough for a restart to have brought them back.
 */
export function availabilityTrigger(input: AvailabilityInput, settings: JudgeSettings, now: number): MetricResult {
  const { instances, healthy } = input;
  const common = {
    metric: 'availability',
    source: 'runtime',
    unit: 'instances',
    candidate: healthy,
    candidateCount: instances,
    weight: 1,
  };
  const limit = settings.triggers.unavailableForMs;
  if (
    !Number.isInteger(instances) ||
    !Number.isInteger(healthy) ||
    instances < 0 ||
    healthy < 0 ||
    healthy > instances
  ) {
    const message =
      `availability: the engine reported ${healthy} healthy of ${instances} instances, which is not a ` + `count`;
    return {
      ...common,
      rule: 'availability.unavailable',
      threshold: 'instances are counted',
      classification: 'error',
      conclusive: false,
      message,
    };
  }
  if (instances === 0) {
    return {
      ...common,
      rule: 'availability.unavailable',
      threshold: '',
      classification: 'nodata',
      conclusive: false,
      message: 'availability.unavailable: no candidate instances are meant to serve',
    };
  }
  if (healthy === 0) {
    const rule = 'availability.all-down';
    return {
      ...common,
      rule,
      threshold: 'any candidate instance healthy',
      classification: 'high',
      conclusive: true,
      message: `${rule}: 0 of ${instances} candidate instances healthy`,
    };
  }
  const rule = 'availability.unavailable';
  const threshold = `an instance not healthy for ${formatDuration(limit)}`;
  if (healthy === instances) {
    return {
      ...common,
      rule,
      threshold,
      classification: 'pass',
      conclusive: false,
      message: `${rule}: ${healthy} of ${instances} candidate instances healthy`,
    };
  }
  // No start time reported: count from now, so an unknown start never fails on its own.
  const downFor = Math.max(0, now - (input.degradedSince ?? now));
  const conclusive = downFor >= limit;
  const verdict = conclusive ? `≥ ${formatDuration(limit)}` : `limit ${formatDuration(limit)}`;
  const message =
    `${rule}: ${instances - healthy} of ${instances} candidate instances not healthy for ` +
    `${formatDuration(downFor)} (${verdict})`;
  return { ...common, rule, threshold, classification: 'high', conclusive, message };
}
