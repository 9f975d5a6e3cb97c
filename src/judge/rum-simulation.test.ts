import { describe, expect, it } from 'vitest';
import type { Measurement, RumWindow } from '../signals/signal-source.js';
import { defaultJudgeSettings, judge } from './judge.js';
import { lognormalMs } from './testing/canary-traffic.js';
import { type Rng, seededRng } from './testing/prng.js';

// The RUM rules on generated page views, looked at every second with everything since the
// candidate got traffic (as the engine does): real LCP is lognormal-ish and noisy, and JS errors
// come from a few page views. Seeded: a failure names its seed and can be replayed.

interface Frontend {
  lcpMs: (rng: Rng) => number;
  /** Share of page views that report a JS error. */
  errorViews: number;
}

/** Fail look (1-based), or undefined when the judge never failed the canary in `looks` seconds. */
function runCanary(seed: number, candidate: Frontend, stable: Frontend, looks: number, viewsPerSecond = 20) {
  const rng = seededRng(seed);
  const windows = { candidate: empty(), stable: empty() };
  let reason = '';
  for (let k = 1; k <= looks; k++) {
    // 5 % of the page views go to the candidate.
    for (let v = 0; v < viewsPerSecond; v++) {
      const which = rng.next() < 0.05 ? 'candidate' : 'stable';
      const w = windows[which];
      const behaviour = which === 'candidate' ? candidate : stable;
      w.pageViews++;
      w.lcpMs.push(behaviour.lcpMs(rng));
      if (rng.next() < behaviour.errorViews) w.errorViews++;
    }
    const measurement: Measurement = {
      metric: 'rum',
      source: 'rum',
      from: 0,
      to: k * 1000,
      phase: 'ok',
      kind: 'rum',
      candidate: { ...windows.candidate, lcpMs: [...windows.candidate.lcpMs] },
      stable: { ...windows.stable, lcpMs: [...windows.stable.lcpMs] },
    };
    const verdict = judge({ measurements: [measurement], settings: defaultJudgeSettings, now: k * 1000, final: false });
    reason = verdict.reason;
    if (verdict.outcome === 'fail') return { failedAt: k, reason };
  }
  return { failedAt: undefined, reason };
}

const empty = (): RumWindow => ({ pageViews: 0, errorViews: 0, lcpMs: [] });
const seeds = (count: number, from: number) => Array.from({ length: count }, (_, i) => from + i);
const healthy: Frontend = { lcpMs: lognormalMs(1800, 0.5), errorViews: 0.02 };

describe('RUM rules on simulated canaries', () => {
  it('200 healthy frontends (LCP lognormal around 1.8 s, 2 % of views with errors), 120 looks: ≤ 1 % failed', {
    timeout: 120_000,
  }, () => {
    const outcomes = seeds(200, 1).map((seed) => ({ seed, ...runCanary(seed, healthy, healthy, 120) }));
    const failed = outcomes.filter((o) => o.failedAt !== undefined);
    expect(
      failed.length / outcomes.length,
      failed.map((o) => `seed ${o.seed}: ${o.reason}`).join('\n'),
    ).toBeLessThanOrEqual(0.01);
  });

  it('LCP 60 % slower: failed by the LCP rule within 120 looks in ≥ 90 % of 40 seeds', () => {
    const slow: Frontend = { ...healthy, lcpMs: lognormalMs(1800 * 1.6, 0.5) };
    const outcomes = seeds(40, 500).map((seed) => runCanary(seed, slow, healthy, 120));
    expect(outcomes.filter((o) => o.failedAt !== undefined).length).toBeGreaterThanOrEqual(36);
    expect(outcomes.find((o) => o.failedAt !== undefined)!.reason).toMatch(/^lcp\.p75: /);
  });

  it('a third of page views throwing: failed by the JS error rule within 60 looks in every one of 40 seeds', () => {
    const broken: Frontend = { ...healthy, errorViews: 0.33 };
    const outcomes = seeds(40, 900).map((seed) => runCanary(seed, broken, healthy, 60));
    expect(outcomes.filter((o) => o.failedAt === undefined)).toEqual([]);
    expect(outcomes[0]!.reason).toMatch(/^js-errors\.rate: /);
  });
});
