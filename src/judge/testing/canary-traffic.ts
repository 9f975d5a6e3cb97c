import type { Measurement, RequestWindow } from '../../signals/signal-source.js';
import type { Rng } from './prng.js';

/** How one release answers: its share of 5xx and the latency of a request. */
export interface ReleaseBehaviour {
  errorRate: number;
  latencyMs: (rng: Rng) => number;
}

/** A canary to simulate: traffic rates per release and how each behaves. */
export interface CanaryScenario {
  rng: Rng;
  /** Mean requests per second to each release (Poisson arrivals). */
  candidateRps: number;
  stableRps: number;
  candidate: ReleaseBehaviour;
  stable: ReleaseBehaviour;
  /** Keep at most this many stable latencies (a uniform reservoir, as a source subsamples); default 2,000. */
  stableLatencyCap?: number;
  /** Stable requests before the deployment, reported as the baseline window; default none. */
  baselineRequests?: number;
}

/**
 * Cumulative measurements, one per simulated second: look k holds everything since the
 * candidate got traffic, as the proxy-stats source reports it to the judge.
 */
export function* canaryLooks(s: CanaryScenario): Generator<Measurement> {
  const candidate = newWindow();
  const stable = newWindow();
  const cap = s.stableLatencyCap ?? 2000;
  const baseline = s.baselineRequests ? newWindow() : undefined;
  if (baseline) serve(s.rng, baseline, s.baselineRequests!, s.stable, cap);
  for (let second = 1; ; second++) {
    serve(s.rng, candidate, s.rng.poisson(s.candidateRps), s.candidate, Infinity);
    serve(s.rng, stable, s.rng.poisson(s.stableRps), s.stable, cap);
    yield {
      metric: 'requests',
      source: 'proxy',
      from: 0,
      to: second * 1000,
      phase: 'ok',
      kind: 'requests',
      candidate: snapshot(candidate),
      stable: snapshot(stable),
      ...(baseline ? { baseline: snapshot(baseline) } : {}),
    };
  }
}

function newWindow(): RequestWindow {
  return { total: 0, errors: 0, latenciesMs: [] };
}

function serve(rng: Rng, w: RequestWindow, requests: number, behaviour: ReleaseBehaviour, cap: number): void {
  for (let i = 0; i < requests; i++) {
    w.total++;
    if (rng.next() < behaviour.errorRate) w.errors++;
    const latency = behaviour.latencyMs(rng);
    if (w.latenciesMs.length < cap) w.latenciesMs.push(latency);
    else {
      // Reservoir sampling keeps every request equally likely to be in the sample.
      const slot = Math.floor(rng.next() * w.total);
      if (slot < cap) w.latenciesMs[slot] = latency;
    }
  }
}

function snapshot(w: RequestWindow): RequestWindow {
  return { total: w.total, errors: w.errors, latenciesMs: w.latenciesMs.slice() };
}

/** Latency jitter, uniform in [lo, hi) ms. */
export const uniformMs = (lo: number, hi: number) => (rng: Rng) => rng.uniform(lo, hi);

/** Lognormal latency with the given median and log-standard-deviation. */
export const lognormalMs = (median: number, sigma: number) => (rng: Rng) => median * Math.exp(sigma * rng.normal());
