import { describe, expect, it } from 'vitest';
import { seededRng } from '../testing/prng.js';
import { mannWhitneyExactCdf } from './mann-whitney-exact.js';
import { mannWhitneyU, mannWhitneyUSorted } from './mann-whitney.js';

describe('mannWhitneyU, exact', () => {
  it("SciPy's documented example: mannwhitneyu([19, 22, 16, 29, 24], [20, 11, 17, 12]) → U = 17, p = 0.1111…", () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.u).toBe(17);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(1 / 9, 14); // 2 × 7/126
    expect(mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12], { alternative: 'greater' }).pValue).toBeCloseTo(
      7 / 126,
      14,
    );
  });

  it("R's wilcox.test example (Hollander & Wolfe 1973, p. 69): W = 35, one-sided p = 0.1272", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitneyU(x, y, { alternative: 'greater' });
    expect(r.u).toBe(35);
    expect(r.pValue).toBeCloseTo(0.1272061272061272, 14);
  });

  // Published tables of lower critical values of U for the two-tailed test (as printed in most
  // statistics texts: n1 = n2 = 8 → 13 at α = 0.05): U at or below the critical value is
  // significant, so p(U = critical) ≤ α < p(U = critical + 1). Each row also checked with SciPy.
  it.each([
    [5, 5, 0.05, 2],
    [6, 6, 0.05, 5],
    [7, 7, 0.05, 8],
    [8, 8, 0.05, 13],
    [10, 10, 0.05, 23],
    [5, 10, 0.05, 8],
    [20, 20, 0.05, 127],
    [8, 8, 0.01, 7],
    [10, 10, 0.01, 16],
    [20, 20, 0.01, 105],
  ])('critical U for n1 = %d, n2 = %d at α = %d (two-sided) is %d', (n1, n2, alpha, critical) => {
    const cdf = mannWhitneyExactCdf(n1, n2);
    expect(2 * cdf[critical]!).toBeLessThanOrEqual(alpha);
    expect(2 * cdf[critical + 1]!).toBeGreaterThan(alpha);
  });

  it('the exact distribution is a symmetric probability distribution', () => {
    const cdf = mannWhitneyExactCdf(6, 9);
    expect(cdf.length).toBe(55);
    expect(cdf[54]).toBeCloseTo(1, 14);
    expect(cdf[0]).toBeCloseTo(1 / 5005, 16); // 1 / C(15, 6)
    for (let u = 0; u < 27; u++) expect(cdf[u]!).toBeCloseTo(1 - cdf[53 - u]!, 14);
  });

  it('a complete separation has p = 1 / C(n1 + n2, n1) one-sided', () => {
    const r = mannWhitneyU([9, 10, 11, 12, 13, 14, 15, 16], [1, 2, 3, 4, 5, 6, 7, 8], { alternative: 'greater' });
    expect(r.u).toBe(64);
    expect(r.pValue).toBeCloseTo(1 / 12870, 16);
  });
});

describe('mannWhitneyU, normal approximation', () => {
  // Reference values: SciPy 1.17, mannwhitneyu(..., method='asymptotic').
  it('without ties', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    expect(mannWhitneyU(x, y, { alternative: 'greater', method: 'asymptotic' }).pValue).toBeCloseTo(
      0.12231180256349167,
      14,
    );
  });

  it('with ties: tie-corrected variance and continuity correction', () => {
    const a = [1, 2, 2, 3, 3, 3, 4];
    const b = [2, 3, 4, 4, 5, 5, 6];
    const two = mannWhitneyU(a, b);
    expect(two).toMatchObject({ u: 8.5, method: 'asymptotic', ties: true });
    expect(two.pValue).toBeCloseTo(0.043051432728945134, 14);
    expect(mannWhitneyU(a, b, { alternative: 'less' }).pValue).toBeCloseTo(0.021525716364472567, 14);
    expect(mannWhitneyU(a, b, { alternative: 'greater' }).pValue).toBeCloseTo(0.9843697313699247, 14);
    expect(mannWhitneyU(a, b, { alternative: 'less', continuity: false }).pValue).toBeCloseTo(0.018377480527253652, 14);
  });

  it('all values tied: no evidence', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5])).toMatchObject({ u: 6, pValue: 1, z: 0 });
  });

  it('ranks thousands of samples in one sort and finds a 10 % shift', () => {
    const rng = seededRng(3);
    const stable = Array.from({ length: 10_000 }, () => rng.uniform(5, 50));
    const candidate = Array.from({ length: 1_000 }, () => 1.1 * rng.uniform(5, 50));
    const r = mannWhitneyU(candidate, stable, { alternative: 'greater' });
    expect(r.method).toBe('asymptotic');
    expect(r.z).toBeGreaterThan(4);
    expect(r.pValue).toBeLessThan(1e-4);
    // Same distribution: no evidence of a shift.
    const same = Array.from({ length: 1_000 }, () => rng.uniform(5, 50));
    expect(mannWhitneyU(same, stable, { alternative: 'greater' }).pValue).toBeGreaterThan(0.001);
  });

  it('sorted and unsorted entry points agree', () => {
    const x = [3.2, 1.1, 8.4, 2.2, 9.9, 4.4];
    const y = [2.5, 7.1, 0.3, 5.5];
    const sorted = mannWhitneyUSorted(
      [...x].sort((a, b) => a - b),
      [...y].sort((a, b) => a - b),
    );
    expect(mannWhitneyU(x, y)).toEqual(sorted);
  });
});

describe('mannWhitneyU, bad input', () => {
  it('names it', () => {
    expect(() => mannWhitneyU([], [1])).toThrow('mannWhitneyU: both samples need values (got 0 and 1)');
    expect(() => mannWhitneyU([1, NaN], [1])).toThrow('mannWhitneyU: a sample contains NaN');
  });
});
