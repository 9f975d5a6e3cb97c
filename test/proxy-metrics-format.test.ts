import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { renderMetrics } from '../src/traffic/proxy/metrics.js';
import { TrafficStatsRegistry } from '../src/traffic/proxy/traffic-stats.js';
import { UpstreamState } from '../src/traffic/proxy/upstream.js';

/**
 * The proxy writes its Prometheus text by hand (prom-client in the hot path measured too costly:
 * see metrics.ts), so its output is checked by Prometheus's own parser and linter:
 * `promtool check metrics` from the Debian prometheus package (.ci/run installs it).
 */
const promtool = '/usr/bin/promtool';

/** promtool's verdict on an exposition: exit status and what it printed (empty when clean). */
function check(text: string): { status: number | null; output: string } {
  if (!existsSync(promtool)) throw new Error(`${promtool} is missing: apt-get install prometheus (it ships promtool)`);
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Values of one metric's samples whose labels contain `match`. */
function values(text: string, metric: string, match: string): number[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) && l.includes(match))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
}

describe('proxy metrics exposition', () => {
  const upstreams: UpstreamState[] = [];
  afterEach(() => {
    for (const u of upstreams.splice(0)) u.pool.destroy();
  });

  function upstream(release: string, id: string, state: 'active' | 'draining' | 'ejected', inFlight = 0) {
    const u = new UpstreamState(`k-${id}`, 'harbor.production', 'quote-api', release, id, '127.0.0.1:4000', 1000);
    u.inFlight = inFlight;
    u.draining = state === 'draining';
    u.ejectedUntil = state === 'ejected' ? Date.now() + 60_000 : 0;
    upstreams.push(u);
    return u;
  }

  it('passes promtool check metrics, with every status class, the +Inf bucket and upstream states', () => {
    const now = Date.now();
    const traffic = new TrafficStatsRegistry(now - 5_000);
    const stable = traffic.recorder('harbor.production', 'quote-api', '1.4.0');
    const candidate = traffic.recorder('harbor.production', 'quote-api', '1.5.0');
    traffic.recorder('harbor.staging', 'web', '2.0.0'); // routed, no traffic yet
    for (const [status, ms, proxyError] of [
      [101, 0.5, false],
      [200, 3, false],
      [204, 12, false],
      [302, 40, false],
      [404, 0.2, false],
      [500, 700, false],
      [502, 30_000, true],
    ] as const)
      stable.record(status, ms, proxyError, now);
    candidate.record(200, 8, false, now);
    const text = renderMetrics(
      traffic.snapshot(now),
      [
        upstream('1.4.0', 'ins_a', 'active', 2),
        upstream('1.4.0', 'ins_b', 'ejected'),
        upstream('1.3.0', 'ins_old', 'draining', 1),
      ],
      now - 5_000,
    );

    expect(check(text)).toEqual({ status: 0, output: '' });
    const series = 'environment="harbor.production",service="quote-api",release="1.4.0"';
    const buckets = values(text, 'slipway_proxy_request_duration_seconds_bucket', series);
    expect(buckets).toHaveLength(14);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets); // cumulative
    expect(buckets.at(-1)).toBe(7);
    expect(values(text, 'slipway_proxy_request_duration_seconds_count', series)).toEqual([7]);
    expect(values(text, 'slipway_proxy_request_duration_seconds_sum', series)).toEqual([30.7557]);
    expect(values(text, 'slipway_proxy_requests_total', `${series},class="proxyError"`)).toEqual([1]);
    expect(values(text, 'slipway_proxy_upstreams', 'state="ejected"')).toEqual([1]);
    expect(values(text, 'slipway_proxy_upstreams', 'state="draining"')).toEqual([1]);
  });

  it('escapes label values so that any name still parses', () => {
    const now = Date.now();
    const traffic = new TrafficStatsRegistry(now);
    traffic.recorder('odd "env"', 'back\\slash', 'line\nbreak').record(200, 1, false, now);
    const text = renderMetrics(traffic.snapshot(now), [], now);
    expect(check(text)).toEqual({ status: 0, output: '' });
    expect(text).toContain('environment="odd \\"env\\"",service="back\\\\slash",release="line\\nbreak"');
  });

  it('is checked for real: promtool rejects a broken exposition', () => {
    const now = Date.now();
    const traffic = new TrafficStatsRegistry(now);
    traffic.recorder('e', 's', 'r').record(200, 1, false, now);
    const broken = renderMetrics(traffic.snapshot(now), [], now).replace('release="r"', 'release="r');
    expect(check(broken).status).not.toBe(0);
  });
});
