import type { AvailabilityInput, JudgeSettings, MetricResult } from './model.js';
import type { PreparedRequests } from './requests.js';
import { availabilityTrigger } from './trigger-availability.js';
import { errorRateTriggers } from './trigger-error-rate.js';
import { latencyTriggers } from './trigger-latency.js';

/**
 * The rollback triggers operators already use, as judge rules: error rate above 5× the
 * stable rate and above 1 %, p95 above 5× the stable p95 and above 500 ms (defaults), each an
 * exact test so it is `conclusive` only when the evidence clears the configured confidence.
 */
export function requestTriggers(prepared: PreparedRequests, settings: JudgeSettings): MetricResult[] {
  return [...errorRateTriggers(prepared, settings), ...latencyTriggers(prepared, settings)];
}

/** The availability trigger, when the engine reported the candidate's instances. */
export function availabilityTriggers(
  input: AvailabilityInput | undefined,
  settings: JudgeSettings,
  now: number,
): MetricResult[] {
  return input ? [availabilityTrigger(input, settings, now)] : [];
}
