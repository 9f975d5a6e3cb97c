import { describe, expect, it } from 'vitest';
import { twoProportionZTest, wilsonInterval } from './proportions.js';

describe('wilsonInterval', () => {
  // Reference values: SciPy 1.17, binomtest(x, n).proportion_ci(method='wilson').
  it('two-sided, 7 of 30 at 95 %', () => {
    const { lower, upper } = wilsonInterval(7, 30, 0.95);
    expect(lower).toBeCloseTo(0.11792388144489496, 14);
    expect(upper).toBeCloseTo(0.40928326158122164, 14);
  });

  it('one-sided lower bound, 10 of 51 at 99.9 % (the judge-model example: 7.9 %)', () => {
    expect(wilsonInterval(10, 51, 0.999, 'one').lower).toBeCloseTo(0.07921335453051465, 14);
  });

  it('stays inside [0, 1] at the extremes', () => {
    expect(wilsonInterval(0, 10, 0.95)).toEqual({ lower: 0, upper: expect.closeTo(0.27753279986288926, 14) });
    expect(wilsonInterval(30, 30, 0.99).upper).toBe(1);
  });

  it('names bad arguments', () => {
    expect(() => wilsonInterval(5, 0, 0.95)).toThrow('wilsonInterval: n must be a whole number ≥ 1, got 0');
    expect(() => wilsonInterval(5, 3, 0.95)).toThrow(/n - x must be a whole number/);
    expect(() => wilsonInterval(1, 3, 1)).toThrow(/confidence must be in \(0, 1\)/);
  });
});

describe('twoProportionZTest', () => {
  it('pooled: z² is the uncorrected χ² of the 2×2 table (SciPy chi2_contingency, correction=False)', () => {
    const r = twoProportionZTest(10, 51, 5, 1000);
    expect(r.method).toBe('pooled');
    expect(r.z * r.z).toBeCloseTo(125.93464213162743, 9);
  });

  it('pooled: textbook formula and p-values by alternative', () => {
    // 45 of 100 against 30 of 100: pooled p = 0.375, SE = √(0.375·0.625·0.02) = 0.0684653
    const r = twoProportionZTest(45, 100, 30, 100, { alternative: 'greater' });
    expect(r.z).toBeCloseTo(0.15 / Math.sqrt(0.375 * 0.625 * 0.02), 12);
    expect(r.pValue).toBeCloseTo(0.014229868458155, 9); // norm.sf(2.19089)
    expect(twoProportionZTest(45, 100, 30, 100).pValue).toBeCloseTo(2 * 0.014229868458155, 9);
    expect(twoProportionZTest(45, 100, 30, 100, { alternative: 'less' }).pValue).toBeCloseTo(1 - 0.014229868458155, 9);
  });

  // With a margin the variance is taken at the restricted maximum-likelihood estimates; the
  // expected z values come from maximising the constrained binomial likelihood numerically
  // (scipy.optimize.minimize_scalar) and agree with the closed form to 1e-7.
  it.each([
    [10, 51, 5, 1000, 0.005, 10.28048707],
    [1, 10, 10, 1900, 0.005, 2.77865423],
    [3, 600, 57, 11400, 0.005, -1.22288002],
    [5, 100, 8, 100, -0.05, 0.56293181],
    [0, 50, 0, 900, 0.01, -0.71066905],
  ])('Farrington–Manning: %d/%d vs %d/%d, margin %d → z = %d', (x1, n1, x2, n2, margin, z) => {
    const r = twoProportionZTest(x1, n1, x2, n2, { margin, alternative: 'greater' });
    expect(r.method).toBe('farrington-manning');
    expect(r.z).toBeCloseTo(z, 6);
  });

  it('no variance under the null gives an infinite or zero statistic, not NaN', () => {
    expect(twoProportionZTest(0, 10, 0, 10).z).toBe(0);
    expect(twoProportionZTest(0, 10, 0, 10).pValue).toBe(1);
  });
});
