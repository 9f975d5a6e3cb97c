import { describe, expect, it } from 'vitest';
import type { MetricResult } from '../model/verdict.js';
import { figuresOf } from './figures.js';

const result = (over: Partial<MetricResult>): MetricResult => ({
  metric: 'error-rate',
  source: 'proxy',
  rule: 'error-rate.absolute',
  classification: 'high',
  candidate: 37.5,
  stable: 0,
  unit: '%',
  threshold: '> 1 %',
  conclusive: true,
  weight: 1,
  message: '',
  ...over,
});

describe('figuresOf', () => {
  it('shows the figures of a metric judged by two rules once', () => {
    const metrics = [result({}), result({ rule: 'error-rate.vs-baseline' })];
    expect(figuresOf(metrics)).toBe('error-rate: candidate 37.5 % vs stable 0 %');
  });

  it('names the rule when two rules of one metric show different figures', () => {
    const metrics = [
      result({}),
      result({ rule: 'error-rate.vs-baseline', stable: undefined, baseline: 0.5 }),
      result({ metric: 'latency', rule: 'latency.p95.vs-baseline', candidate: 120, stable: 80, unit: 'ms' }),
    ];
    expect(figuresOf(metrics)).toBe(
      'error-rate.absolute: candidate 37.5 % vs stable 0 %; ' +
        'error-rate.vs-baseline: candidate 37.5 % vs stable 0.5 %; latency: candidate 120 ms vs stable 80 ms',
    );
  });

  it('shows every metric when none decided, and nothing without metrics', () => {
    expect(figuresOf([result({ classification: 'pass', candidate: 0.1 })])).toBe(
      'error-rate: candidate 0.1 % vs stable 0 %',
    );
    expect(figuresOf([])).toBeUndefined();
  });

  it('rounds figures as status and the incident timeline do', () => {
    const metrics = [
      result({ candidate: 33.33333333333333, stable: 0.123456 }),
      result({ metric: 'latency', rule: 'latency.p95.absolute', candidate: 1234.5678, stable: 98.765, unit: 'ms' }),
    ];
    expect(figuresOf(metrics)).toBe(
      'error-rate: candidate 33.3 % vs stable 0.12 %; latency: candidate 1235 ms vs stable 98.8 ms',
    );
  });
});
