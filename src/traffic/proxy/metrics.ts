import type { TrafficStats } from '../router.js';
import { statusClasses } from './release-stats.js';
import type { UpstreamState } from './upstream.js';

/** What the exposition needs of an upstream (an UpstreamState, or one summed over the workers). */
export type MetricsUpstream = Pick<
  UpstreamState,
  'environment' | 'service' | 'release' | 'id' | 'address' | 'inFlight' | 'draining' | 'ejectedUntil'
>;

/**
 * Prometheus text exposition (format 0.0.4) of the proxy's figures, rendered from the same
 * counters as /stats so the two can never disagree. Latency is exported in seconds, as
 * Prometheus convention wants.
 *
 * Written by hand, unlike the coordinator's (prom-client): prom-client can only fill a histogram
 * by observe() per request, which measured ~1.1 µs per request against ~0.02 µs for the recorder
 * that /stats and the judge's samples need anyway (+6-8 % proxy CPU per request in wrk runs on a
 * shared machine), and would be a second set of counters beside it. test/proxy-metrics-format.test.ts
 * checks the text with promtool.
 */
export function renderMetrics(stats: TrafficStats, upstreams: readonly MetricsUpstream[], startedAt: number): string {
  const lines: string[] = [];
  const requests: string[] = [];
  const buckets: string[] = [];
  const sums: string[] = [];
  const counts: string[] = [];
  for (const [environment, services] of Object.entries(stats.environments)) {
    for (const [service, releases] of Object.entries(services)) {
      for (const [release, rs] of Object.entries(releases)) {
        const base = `environment="${esc(environment)}",service="${esc(service)}",release="${esc(release)}"`;
        for (const cls of statusClasses)
          requests.push(`slipway_proxy_requests_total{${base},class="${cls}"} ${rs.requests[cls]}`);
        let cumulative = 0;
        rs.latency.bucketsMs.forEach((bound, i) => {
          cumulative += rs.latency.counts[i] ?? 0;
          const le = Number.isFinite(bound) ? String(bound / 1000) : '+Inf';
          buckets.push(`slipway_proxy_request_duration_seconds_bucket{${base},le="${le}"} ${cumulative}`);
        });
        sums.push(`slipway_proxy_request_duration_seconds_sum{${base}} ${rs.latency.sumMs / 1000}`);
        counts.push(`slipway_proxy_request_duration_seconds_count{${base}} ${rs.latency.count}`);
      }
    }
  }
  lines.push(
    '# HELP slipway_proxy_requests_total Requests answered, by status class (proxyError: the proxy answered ' +
      '502/503/504 itself).',
  );
  lines.push('# TYPE slipway_proxy_requests_total counter', ...requests);
  lines.push('# HELP slipway_proxy_request_duration_seconds Time from request arrival to the end of the response.');
  lines.push('# TYPE slipway_proxy_request_duration_seconds histogram', ...buckets, ...sums, ...counts);

  const now = Date.now();
  lines.push('# HELP slipway_proxy_upstream_in_flight Requests proxied to an upstream and not yet finished.');
  lines.push('# TYPE slipway_proxy_upstream_in_flight gauge');
  const perState = new Map<string, number>();
  for (const u of upstreams) {
    const base = `environment="${esc(u.environment)}",service="${esc(u.service)}",release="${esc(u.release)}"`;
    lines.push(
      `slipway_proxy_upstream_in_flight{${base},upstream="${esc(u.id)}",address="${esc(u.address)}"} ${u.inFlight}`,
    );
    const state = u.draining ? 'draining' : u.ejectedUntil > now ? 'ejected' : 'active';
    const key = `${base},state="${state}"`;
    perState.set(key, (perState.get(key) ?? 0) + 1);
  }
  lines.push('# HELP slipway_proxy_upstreams Upstreams by state (ejected: refused a connection in the last second).');
  lines.push('# TYPE slipway_proxy_upstreams gauge');
  for (const [labels, n] of perState) lines.push(`slipway_proxy_upstreams{${labels}} ${n}`);
  lines.push('# HELP slipway_proxy_start_time_seconds When the proxy process started.');
  lines.push('# TYPE slipway_proxy_start_time_seconds gauge');
  lines.push(`slipway_proxy_start_time_seconds ${startedAt / 1000}`);
  return `${lines.join('\n')}\n`;
}

/** Label values escape backslash, double quote and newline. */
function esc(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
