import type { Measurement, RequestWindow } from '../../signals/signal-source.js';
import { seededRng } from './prng.js';

/** A request window from counts and latencies. */
export function requestWindow(total: number, errors: number, latenciesMs: number[] = []): RequestWindow {
  return { total, errors, latenciesMs };
}

/** `n` latencies spread evenly over [lo, hi) in a seeded random order (a reproducible, jitter-like sample). */
export function spreadMs(n: number, lo: number, hi: number, seed = 1): number[] {
  const rng = seededRng(seed);
  const values = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / n);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

/** A proxy `requests` measurement. */
export function requestsMeasurement(
  candidate: RequestWindow,
  stable: RequestWindow,
  baseline?: RequestWindow,
): Measurement {
  return {
    metric: 'requests',
    source: 'proxy',
    from: 0,
    to: 60_000,
    phase: 'ok',
    kind: 'requests',
    candidate,
    stable,
    ...(baseline ? { baseline } : {}),
  };
}
