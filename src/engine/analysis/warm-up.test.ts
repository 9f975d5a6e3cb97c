import { describe, expect, it } from 'vitest';
import type { MetricResult, Verdict } from '../../judge/model.js';
import { duringWarmUp, watchWindowStart } from './warm-up.js';

const result = (metric: string, rule: string, classification: MetricResult['classification']): MetricResult => ({
  metric,
  source: 'proxy',
  rule,
  classification,
  threshold: '',
  conclusive: true,
  weight: 1,
  message: `${rule}: seen`,
});
const failing = (at: number, ...metrics: MetricResult[]): Verdict => ({
  at,
  outcome: 'fail',
  score: 0,
  metrics,
  reason: metrics[0]!.message,
});

describe('post-deploy watch warm-up', () => {
  it('holds back a failure that only latency results carry until the warm-up ends', () => {
    const v = failing(10_000, result('latency-p95', 'latency.p95.absolute', 'high'), result('latency', 'x', 'high'));
    const held = duringWarmUp(v, 30_000);
    expect(held.outcome).toBe('running');
    expect(held.reason).toMatch(/^warming up \(latency judged in 20\.0s.*latency\.p95\.absolute: seen$/);
    expect(duringWarmUp(v, 10_000).outcome).toBe('fail');
  });

  it('fails at once on any other conclusive failure, naming it', () => {
    const v = failing(
      1_000,
      result('latency-p95', 'latency.p95.absolute', 'high'),
      result('error-rate', 'error-rate.absolute', 'high'),
    );
    expect(duringWarmUp(v, 30_000)).toMatchObject({ outcome: 'fail', reason: 'error-rate.absolute: seen' });
  });

  it('judges from the start during the warm-up and from its end after it', () => {
    expect(watchWindowStart(1_000, 30_000, 20_000)).toBe(1_000);
    expect(watchWindowStart(1_000, 30_000, 31_000)).toBe(31_000);
    expect(watchWindowStart(1_000, 0, 1_500)).toBe(1_000);
  });
});
