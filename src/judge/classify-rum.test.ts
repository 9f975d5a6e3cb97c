import { describe, expect, it } from 'vitest';
import type { Measurement, RumWindow } from '../signals/signal-source.js';
import { classifyRum } from './classify-rum.js';
import { judge } from './judge.js';
import { defaultJudgeSettings as settings } from './settings.js';
import { spreadMs } from './testing/measurements.js';

type Rum = Extract<Measurement, { kind: 'rum' }>;

const views = (lcpMs: number[], errorViews = 0): RumWindow => ({ pageViews: lcpMs.length, errorViews, lcpMs });
const rum = (candidate: RumWindow, stable: RumWindow, baseline?: RumWindow): Rum => ({
  metric: 'rum',
  source: 'rum',
  from: 0,
  to: 60_000,
  phase: 'ok',
  kind: 'rum',
  candidate,
  stable,
  ...(baseline ? { baseline } : {}),
});
// Stable LCP spread evenly over 1–2 s: p75 1749 ms, so the limit is 2099 ms (+20 %).
const stable = spreadMs(400, 1000, 2000, 2);

describe('lcp.p75', () => {
  it('a candidate 50 % slower is high and conclusive, with both p75s and the count above the limit', () => {
    const [lcp] = classifyRum(rum(views(spreadMs(60, 1500, 3000, 3)), views(stable)), settings);
    expect(lcp).toMatchObject({
      metric: 'lcpP75',
      rule: 'lcp.p75',
      unit: 'ms',
      classification: 'high',
      conclusive: true,
      candidateCount: 60,
      stableCount: 400,
      statistic: { name: 'views above the limit', value: 36 },
      threshold: 'p75 above stable (+20 %, at least +100 ms) at 99.9 % confidence',
    });
    expect(lcp!.candidate).toBeCloseTo(2618.75, 6);
    expect(lcp!.stable).toBeCloseTo(1749.375, 6);
    expect(lcp!.statistic!.pValue).toBeLessThan(1e-6);
    expect(lcp!.message).toMatch(
      new RegExp(
        String.raw`^lcp\.p75: candidate LCP p75 2619 ms vs stable 1749 ms \(60 and 400 page views; ` +
          String.raw`36 candidate views above 2099 ms\): slower than allowed`,
      ),
    );
  });

  it('the same distribution, or 10 % slower, passes', () => {
    for (const candidate of [spreadMs(100, 1000, 2000, 3), spreadMs(200, 1100, 2200, 4)]) {
      const [lcp] = classifyRum(rum(views(candidate), views(stable)), settings);
      expect(lcp).toMatchObject({ classification: 'pass', conclusive: false });
      expect(lcp!.message).toMatch(/within allowed \(\+20 %, at least \+100 ms\)/);
    }
  });

  it('too few page views is nodata; without stable views the baseline is the reference', () => {
    const [few] = classifyRum(rum(views(spreadMs(10, 3000, 4000)), views(stable)), settings);
    expect(few).toMatchObject({ classification: 'nodata', message: 'lcp.p75: 10 candidate page views, 20 needed' });
    const [none] = classifyRum(rum(views(spreadMs(60, 3000, 4000)), views([])), settings);
    expect(none).toMatchObject({
      classification: 'nodata',
      message: 'lcp.p75: fewer than 20 stable page views, 20 needed',
    });
    const [baseline] = classifyRum(rum(views(spreadMs(60, 3000, 4000)), views([]), views(stable)), settings);
    expect(baseline).toMatchObject({
      classification: 'high',
      conclusive: true,
      threshold: expect.stringContaining('baseline'),
    });
  });
});

describe('js-errors.rate', () => {
  it('30 of 100 page views with errors against 2 of 400 is high and conclusive', () => {
    const [, errors] = classifyRum(rum(views(spreadMs(100, 1000, 2000), 30), views(stable, 2)), settings);
    expect(errors).toMatchObject({
      metric: 'jsErrorRate',
      rule: 'js-errors.rate',
      unit: '%',
      classification: 'high',
      conclusive: true,
      candidate: 30,
      stable: 0.5,
      candidateCount: 100,
      stableCount: 400,
    });
    expect(errors!.message).toMatch(
      new RegExp(
        String.raw`^js-errors\.rate: candidate 30 % \(30 of 100 page views\) vs stable 0\.5 % ` +
          String.raw`\(2 of 400 page views\): worse than allowed \(\+0\.5 points\) at 99\.9 % confidence`,
      ),
    );
  });

  it('1 of 100 page views passes; error views beyond the LCP-counted views are capped', () => {
    const [, one] = classifyRum(rum(views(spreadMs(100, 1000, 2000), 1), views(stable, 2)), settings);
    expect(one).toMatchObject({ classification: 'pass', candidate: 1 });
    const [, many] = classifyRum(rum(views(spreadMs(30, 1000, 2000), 90), views(stable, 0)), settings);
    expect(many).toMatchObject({ classification: 'high', conclusive: true, candidate: 100, statistic: { value: 30 } });
  });
});

describe('judge with a rum measurement', () => {
  it('a slow candidate frontend fails the canary with the LCP rule as the reason', () => {
    const verdict = judge({
      measurements: [rum(views(spreadMs(60, 1500, 3000, 3)), views(stable))],
      settings,
      now: 60_000,
      final: false,
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reason).toMatch(/^lcp\.p75: candidate LCP p75 2619 ms/);
    expect(verdict.metrics.map((m) => m.metric)).toEqual(['lcpP75', 'jsErrorRate']);
  });

  it('a healthy one keeps running with both rules passing', () => {
    const verdict = judge({
      measurements: [rum(views(spreadMs(100, 1000, 2000, 3)), views(stable, 1))],
      settings,
      now: 60_000,
      final: false,
    });
    expect(verdict.outcome).toBe('running');
    expect(verdict.metrics.every((m) => m.classification === 'pass')).toBe(true);
  });
});
