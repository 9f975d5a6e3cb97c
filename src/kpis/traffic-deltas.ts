import type { TrafficStats } from '../traffic/router.js';

/** Requests and 5xx answers (the service's or the proxy's own 502/503/504) of one service between two reads. */
export interface TrafficDelta {
  environment: string;
  service: string;
  requests: number;
  errors5xx: number;
}

/**
 * What changed between two reads of the data plane's cumulative counters, per service. A restarted data plane
 * (another startedAt) reset its counters: the new totals are the delta. A first read has nothing to compare.
 */
export function trafficDeltas(previous: TrafficStats | undefined, current: TrafficStats): TrafficDelta[] {
  if (!previous) return [];
  const restarted = previous.startedAt !== current.startedAt;
  const deltas: TrafficDelta[] = [];
  for (const [environment, services] of Object.entries(current.environments)) {
    for (const [service, releases] of Object.entries(services)) {
      let requests = 0;
      let errors5xx = 0;
      for (const [release, stats] of Object.entries(releases)) {
        const before = restarted ? undefined : previous.environments[environment]?.[service]?.[release];
        const total = (s: typeof stats | undefined) => (s ? Object.values(s.requests).reduce((a, b) => a + b, 0) : 0);
        const errors = (s: typeof stats | undefined) => (s ? s.requests['5xx'] + s.requests.proxyError : 0);
        requests += Math.max(0, total(stats) - total(before));
        errors5xx += Math.max(0, errors(stats) - errors(before));
      }
      if (requests > 0 || errors5xx > 0) deltas.push({ environment, service, requests, errors5xx });
    }
  }
  return deltas;
}
