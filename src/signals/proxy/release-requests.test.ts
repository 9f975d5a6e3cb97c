import { describe, expect, it } from 'vitest';
import { LatencyReservoir } from './latency-reservoir.js';
import { ReleaseRequests } from './release-requests.js';
import { SortedTimes } from './sorted-times.js';

/** A deterministic uniform generator (mulberry32). */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SortedTimes', () => {
  it('counts times in [from, to), in order or not', () => {
    const times = new SortedTimes(100);
    for (const t of [10, 20, 20, 30, 5, 25, 40]) times.add(t);
    expect(times.countIn(20, 30)).toBe(3); // 20, 20, 25
    expect(times.countIn(-Infinity, 20)).toBe(2); // 5, 10
    expect(times.countIn(0, Infinity)).toBe(7);
    expect(times.countIn(30, 30)).toBe(0);
    expect(times.countIn(41, 50)).toBe(0);
  });

  it('grows past its first block and forgets the oldest half at capacity', () => {
    const times = new SortedTimes(3000);
    for (let t = 0; t < 3000; t++) times.add(t);
    expect(times.countIn(0, 3000)).toBe(3000);
    times.add(3000);
    expect(times.forgotten).toBe(1500);
    expect(times.countIn(0, 1500)).toBe(0);
    expect(times.countIn(1500, 3001)).toBe(1501);
  });
});

describe('LatencyReservoir', () => {
  it('keeps everything below capacity', () => {
    const r = new LatencyReservoir(10, seeded(1));
    for (let i = 0; i < 5; i++) r.add(i * 10, i);
    expect(r.latenciesIn(0, 1000).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(r.latenciesIn(10, 30).sort()).toEqual([1, 2]);
  });

  it('keeps a uniform sample of capacity beyond it', () => {
    const r = new LatencyReservoir(2_000, seeded(7));
    for (let i = 0; i < 100_000; i++) r.add(i, i);
    const kept = r.latenciesIn(0, Infinity);
    expect(kept).toHaveLength(2_000);
    // Uniform: each tenth of the stream holds about a tenth of the sample (200 ± a wide margin).
    for (let d = 0; d < 10; d++) {
      const inDecile = r.latenciesIn(d * 10_000, (d + 1) * 10_000).length;
      expect(inDecile).toBeGreaterThan(130);
      expect(inDecile).toBeLessThan(270);
    }
  });
});

describe('ReleaseRequests', () => {
  it('counts requests and errors exactly per window while latencies are subsampled', () => {
    const rr = new ReleaseRequests({ maxLatencies: 100, maxRequests: 1_000_000, random: seeded(3) });
    for (let i = 0; i < 1000; i++) rr.add(1_000 + i, 50 + (i % 7), i % 5 === 0);
    const w = rr.window(1_000, 1_500);
    expect(w.total).toBe(500);
    expect(w.errors).toBe(100);
    expect(w.latenciesMs.length).toBeGreaterThan(20);
    expect(w.latenciesMs.length).toBeLessThan(80);
    for (const l of w.latenciesMs) expect(l).toBeGreaterThanOrEqual(50);
    expect(rr.window(2_000, 3_000)).toEqual({ total: 0, errors: 0, latenciesMs: [] });
  });
});

describe('ReleaseRequests at its request cap', () => {
  it('forgets the oldest requests and never reports more errors than requests', () => {
    const rr = new ReleaseRequests({ maxRequests: 10, maxLatencies: 10, random: seeded(5) });
    for (let i = 0; i < 11; i++) rr.add(i, 1, true);
    expect(rr.forgotten).toBe(5);
    const w = rr.window(0, 100);
    expect(w.total).toBe(6);
    expect(w.errors).toBe(6);
  });
});
