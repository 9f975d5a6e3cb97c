import type { Measurement, RequestWindow } from '../signals/signal-source.js';

/** A `requests` measurement with phase ok. */
export type RequestsMeasurement = Extract<Measurement, { kind: 'requests' }>;

/** One release's requests, checked, with its latencies sorted once for every rule that reads them. */
export interface PreparedWindow {
  total: number;
  errors: number;
  /** Latencies in ms, ascending (a copy: the measurement is never modified). */
  latencies: Float64Array;
}

/** The three windows of a `requests` measurement, ready for the triggers and the classifier. */
export interface PreparedRequests {
  measurement: RequestsMeasurement;
  candidate: PreparedWindow;
  stable: PreparedWindow;
  baseline?: PreparedWindow;
}

/**
 * Check and sort a `requests` measurement. A source that reports nonsense (more errors than
 * requests, a negative or NaN latency) gets an explanation back instead of a verdict built on
 * it: outside systems fail as data, so the judge turns this into an `error` result.
 */
export function prepareRequests(measurement: RequestsMeasurement): PreparedRequests | { problem: string } {
  const windows: [string, RequestWindow | undefined][] = [
    ['candidate', measurement.candidate],
    ['stable', measurement.stable],
    ['baseline', measurement.baseline],
  ];
  const prepared: Partial<Record<string, PreparedWindow>> = {};
  for (const [name, window] of windows) {
    if (!window) {
      if (name === 'baseline') continue; // optional: not every source knows the time before the deployment
      return { problem: `${name} window: missing` };
    }
    const result = prepareWindow(window);
    if (typeof result === 'string') return { problem: `${name} window: ${result}` };
    prepared[name] = result;
  }
  return { measurement, candidate: prepared.candidate!, stable: prepared.stable!, baseline: prepared.baseline };
}

function prepareWindow(window: RequestWindow): PreparedWindow | string {
  const { total, errors, latenciesMs } = window;
  if (!Number.isInteger(total) || total < 0) return `total must be a whole number ≥ 0, got ${total}`;
  if (!Number.isInteger(errors) || errors < 0 || errors > total)
    return `errors must be a whole number between 0 and total (${total}), got ${errors}`;
  if (!Array.isArray(latenciesMs)) return 'latenciesMs must be an array';
  const latencies = new Float64Array(latenciesMs).sort();
  // After a numeric sort, NaN sits last and negatives first.
  const last = latencies[latencies.length - 1];
  if (last !== undefined && !Number.isFinite(last)) return `latenciesMs contains ${last}`;
  const first = latencies[0];
  if (first !== undefined && first < 0) return `latenciesMs contains a negative latency (${first})`;
  return { total, errors, latencies };
}

/**
 * The window the vs-baseline triggers compare against: the stable release's traffic during
 * the canary when it has enough requests — it shares the candidate's conditions (load, a
 * struggling database), so a shared outage is not blamed on the candidate — else the stable
 * release's traffic from before the deployment.
 */
export function referenceWindow(
  prepared: PreparedRequests,
  minSamples: number,
  enough: (w: PreparedWindow) => number,
): { window: PreparedWindow; name: 'stable' | 'baseline' } | undefined {
  if (enough(prepared.stable) >= minSamples) return { window: prepared.stable, name: 'stable' };
  if (prepared.baseline && enough(prepared.baseline) >= minSamples)
    return { window: prepared.baseline, name: 'baseline' };
  return undefined;
}
