import { describe, expect, it } from 'vitest';
import { latencyBucketsMs, samplesPerRelease } from './release-stats.js';
import { TrafficStatsRegistry } from './traffic-stats.js';

describe('ReleaseRecorder', () => {
  it('counts status classes and fills latency buckets (upper bound inclusive)', () => {
    const stats = new TrafficStatsRegistry(1);
    const r = stats.recorder('staging', 'api', '1.0');
    r.record(200, 0.4, false, 10);
    r.record(204, 1, false, 11);
    r.record(301, 3, false, 12);
    r.record(404, 30_000, false, 13);
    r.record(500, 7, false, 14);
    r.record(502, 2, true, 15);
    r.record(101, 1.5, false, 16);
    const s = stats.snapshot(99).environments.staging!.api!['1.0']!;
    expect(s.requests).toEqual({ '1xx': 1, '2xx': 2, '3xx': 1, '4xx': 1, '5xx': 1, proxyError: 1 });
    expect(s.latency.bucketsMs).toEqual(latencyBucketsMs);
    expect(s.latency.counts).toEqual([2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(s.latency.count).toBe(7);
    expect(s.latency.sumMs).toBeCloseTo(30_014.9);
  });

  it('keeps samples per service in one sequence, across releases', () => {
    const stats = new TrafficStatsRegistry(1);
    const a = stats.recorder('staging', 'api', '1.0');
    const b = stats.recorder('staging', 'api', '1.1');
    a.record(200, 5, false, 100);
    b.record(500, 9, false, 101);
    a.record(503, 0, true, 102);
    const page = stats.samples('staging', 'api', 0);
    expect(page.samples.map((s) => [s.seq, s.release, s.status, s.proxyError])).toEqual([
      [1, '1.0', 200, false],
      [2, '1.1', 500, false],
      [3, '1.0', 503, true],
    ]);
    expect(page.cursor).toBe(3);
    expect(stats.samples('staging', 'api', 2).samples.map((s) => s.seq)).toEqual([3]);
    expect(stats.samples('staging', 'api', 3)).toMatchObject({ samples: [], cursor: 3, missed: 0 });
    expect(stats.samples('staging', 'other', 0)).toMatchObject({ samples: [], cursor: 0, missed: 0 });
  });

  it('drops the oldest samples when the ring is full and says how many were missed', () => {
    const stats = new TrafficStatsRegistry(1);
    const r = stats.recorder('e', 's', 'r');
    const total = samplesPerRelease + 10;
    for (let i = 0; i < total; i++) r.record(200, i, false, i);
    const page = stats.samples('e', 's', 0);
    expect(page.samples).toHaveLength(samplesPerRelease);
    expect(page.samples[0]!.seq).toBe(11);
    expect(page.samples.at(-1)!.latencyMs).toBe(total - 1);
    expect(page.missed).toBe(10);
    expect(stats.snapshot(0).environments.e!.s!.r!.latency.count).toBe(total);
  });
});
