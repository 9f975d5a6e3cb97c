import { describe, expect, it } from 'vitest';
import {
  binomialLowerBound,
  binomialLowerTail,
  binomialPmf,
  binomialUpperBound,
  binomialUpperTail,
} from './binomial.js';

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / expected;

// Reference values: SciPy 1.17 — binom.sf(k − 1, n, p) for P(X ≥ k), binom.cdf for P(X ≤ k),
// binomtest(...).proportion_ci(method='exact') for the Clopper–Pearson bounds.
describe('binomial tails', () => {
  it.each([
    [3, 10, 0.01, 0.00011384911790577965], // 3 errors in 10 requests against a 1 % limit
    [10, 10, 0.05, 9.765625000000005e-14], // every one of 10 requests above the p95 limit
    [7, 600, 0.005, 0.03313009997238181],
    [60, 100000, 0.0005, 0.09221075843909475],
  ])('P(X ≥ %d | n = %d, p = %d)', (k, n, p, expected) =>
    expect(relative(binomialUpperTail(k, n, p), expected)).toBeLessThan(1e-9),
  );

  it('lower tail', () => {
    expect(relative(binomialLowerTail(250, 1000, 0.3), 0.0002598030365289303)).toBeLessThan(1e-9);
    expect(binomialLowerTail(0, 5, 0.3)).toBeCloseTo(0.7 ** 5, 15);
  });

  it('pmf', () => expect(binomialPmf(3, 10, 0.2)).toBeCloseTo(0.20132659199999992, 15));

  it('the two tails add up to 1 + P(X = k)', () => {
    for (const [k, n, p] of [
      [4, 20, 0.2],
      [300, 1000, 0.3],
      [1, 50, 0.001],
    ] as const) {
      expect(binomialUpperTail(k, n, p) + binomialLowerTail(k, n, p)).toBeCloseTo(1 + binomialPmf(k, n, p), 12);
    }
  });

  it('handles the edges', () => {
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
    expect(binomialUpperTail(10, 10, 1)).toBe(1);
    expect(binomialLowerTail(10, 10, 0.3)).toBe(1);
  });

  it('names bad arguments', () => {
    expect(() => binomialUpperTail(1, -2, 0.5)).toThrow('binomialUpperTail: n must be a whole number ≥ 0, got -2');
    expect(() => binomialUpperTail(1.5, 2, 0.5)).toThrow(/k must be a whole number/);
    expect(() => binomialUpperTail(1, 2, 1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
  });
});

describe('Clopper–Pearson bounds', () => {
  it('match SciPy', () => {
    expect(relative(binomialLowerBound(10, 51, 0.999), 0.06182803784390407)).toBeLessThan(1e-9);
    expect(relative(binomialUpperBound(0, 10, 0.95), 0.2588655508933471)).toBeLessThan(1e-9);
  });

  it('is the boundary of the exact test', () => {
    const lower = binomialLowerBound(3, 10, 0.999);
    expect(binomialUpperTail(3, 10, lower)).toBeCloseTo(0.001, 12);
    expect(binomialLowerBound(0, 10, 0.999)).toBe(0);
    expect(binomialUpperBound(10, 10, 0.999)).toBe(1);
  });
});
