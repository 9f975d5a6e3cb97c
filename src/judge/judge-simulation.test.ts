import { describe, expect, it } from 'vitest';
import { defaultJudgeSettings, judge } from './judge.js';
import type { Verdict } from './model.js';
import { canaryLooks, lognormalMs, uniformMs, type ReleaseBehaviour } from './testing/canary-traffic.js';
import { seededRng } from './testing/prng.js';

// Judge decisions on generated series: seeded, so every run sees the same canaries and a
// failure can be replayed by its seed. Each look hands the judge everything measured since the
// candidate got traffic, as the engine does every second.

interface Outcome {
  seed: number;
  /** The look (second) at which the judge failed the canary; undefined when it never did. */
  failedAt?: number;
  last: Verdict;
}

function runCanary(
  seed: number,
  rps: { candidate: number; stable: number },
  candidate: ReleaseBehaviour,
  stable: ReleaseBehaviour,
  looks: number,
): Outcome {
  const series = canaryLooks({
    rng: seededRng(seed),
    candidateRps: rps.candidate,
    stableRps: rps.stable,
    candidate,
    stable,
    stableLatencyCap: 1000,
  });
  let last: Verdict | undefined;
  for (let k = 1; k <= looks; k++) {
    const measurement = series.next().value!;
    last = judge({ measurements: [measurement], settings: defaultJudgeSettings, now: k * 1000, final: k === looks });
    if (last.outcome === 'fail') return { seed, failedAt: k, last };
  }
  return { seed, last: last! };
}

function seeds(count: number, from = 1): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const jitter = uniformMs(5, 50);
const healthy: ReleaseBehaviour = { errorRate: 0.005, latencyMs: jitter };
// FAIL_RATE=0.2 on top of the usual 0.5 %
const failRate: ReleaseBehaviour = { errorRate: 0.2 + 0.8 * 0.005, latencyMs: jitter };
// EXTRA_LATENCY_MS=300
const extraLatency: ReleaseBehaviour = { errorRate: 0.005, latencyMs: (rng) => 300 + jitter(rng) };

const busy = { candidate: 10, stable: 190 }; // 5 % of 200 req/s
const quiet = { candidate: 1, stable: 19 }; // 5 % of 20 req/s

describe('judge on simulated canaries: regressions are caught fast', () => {
  it('FAIL_RATE=0.2 at 10 req/s: failed within 5 looks in at least 90 % of 40 seeds, all within 10', () => {
    const outcomes = seeds(40).map((seed) => runCanary(seed, busy, failRate, healthy, 60));
    const looks = outcomes.map((o) => o.failedAt ?? Infinity);
    expect(looks.filter((k) => k <= 5).length).toBeGreaterThanOrEqual(36);
    expect(Math.max(...looks)).toBeLessThanOrEqual(10);
    expect(median(looks)).toBeLessThanOrEqual(3);
    expect(outcomes[0]!.last.reason).toMatch(/^error-rate\./);
  });

  it('EXTRA_LATENCY_MS=300 at 10 req/s: failed within 5 looks in every one of 40 seeds', () => {
    const outcomes = seeds(40, 100).map((seed) => runCanary(seed, busy, extraLatency, healthy, 60));
    expect(outcomes.map((o) => o.failedAt ?? Infinity).filter((k) => k > 5)).toEqual([]);
    expect(outcomes[0]!.last.reason).toMatch(/^latency\./);
  });

  it('low traffic, 1 req/s to the candidate: both regressions failed within 30 looks (median), all within 60', () => {
    for (const [behaviour, from] of [
      [failRate, 200],
      [extraLatency, 300],
    ] as const) {
      const looks = seeds(40, from).map((seed) => runCanary(seed, quiet, behaviour, healthy, 60).failedAt ?? Infinity);
      expect(median(looks)).toBeLessThanOrEqual(30);
      expect(Math.max(...looks)).toBeLessThanOrEqual(60);
    }
  });
});

describe('judge on simulated canaries: healthy candidates are not failed', () => {
  // The test that proves the sequential design (see judge.ts): 0.5 % errors on both releases,
  // latency jitter, 60 looks at cumulative data each, a false-fail rate of at most 1 %. The
  // window's end must pass them too: an inconclusive healthy canary is a false alarm as well.
  it('240 healthy canaries at 10 req/s (uniform 5–50 ms and lognormal jitter): ≤ 1 % failed, ≥ 98 % passed', {
    timeout: 120_000,
  }, () => {
    const lognormal = lognormalMs(20, 0.6);
    const outcomes = seeds(240, 1000).map((seed) => {
      const latencyMs = seed % 2 === 0 ? jitter : lognormal;
      const release = { errorRate: 0.005, latencyMs };
      return runCanary(seed, busy, release, release, 60);
    });
    const failed = outcomes.filter((o) => o.failedAt !== undefined);
    expect(
      failed.length / outcomes.length,
      failed.map((o) => `seed ${o.seed}: ${o.last.reason}`).join('\n'),
    ).toBeLessThanOrEqual(0.01);
    expect(outcomes.filter((o) => o.last.outcome === 'pass').length / outcomes.length).toBeGreaterThanOrEqual(0.98);
  });

  it('120 healthy canaries at 1 req/s: ≤ 1 % failed, ≥ 97 % passed', { timeout: 120_000 }, () => {
    const outcomes = seeds(120, 5000).map((seed) => runCanary(seed, quiet, healthy, healthy, 60));
    const failed = outcomes.filter((o) => o.failedAt !== undefined);
    expect(
      failed.length / outcomes.length,
      failed.map((o) => `seed ${o.seed}: ${o.last.reason}`).join('\n'),
    ).toBeLessThanOrEqual(0.01);
    expect(outcomes.filter((o) => o.last.outcome === 'pass').length / outcomes.length).toBeGreaterThanOrEqual(0.97);
  });
});
