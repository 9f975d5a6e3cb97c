import { describe, expect, it } from 'vitest';
import { logBinomial, logFactorial, logGamma } from './gamma.js';

describe('logGamma', () => {
  // Reference values: SciPy 1.17, scipy.special.gammaln.
  it.each([
    [0.1, 2.252712651734206],
    [0.5, 0.5723649429247], // ln √π
    [1.5, -0.12078223763524526],
    [10, 12.801827480081469], // ln 9!
    [100.5, 361.43554046777757],
    [1000, 5905.220423209181],
    [1e6, 12815504.569147611],
  ])('ln Γ(%d) = %d', (x, expected) => expect(logGamma(x) / expected).toBeCloseTo(1, 13));

  it('rejects x ≤ 0', () => expect(() => logGamma(0)).toThrow(/x must be > 0/));
});

describe('logFactorial / logBinomial', () => {
  it('is exact for small arguments', () => {
    expect(Math.exp(logFactorial(10))).toBeCloseTo(3628800, 6);
    expect(Math.round(Math.exp(logBinomial(52, 5)))).toBe(2598960); // poker hands
    expect(Math.round(Math.exp(logBinomial(10, 3)))).toBe(120);
  });

  it('agrees with logGamma past the table', () => {
    expect(logFactorial(500) / logGamma(501)).toBeCloseTo(1, 14);
  });

  it('is −Infinity outside 0..n', () => {
    expect(logBinomial(5, 6)).toBe(-Infinity);
    expect(logBinomial(5, -1)).toBe(-Infinity);
  });
});
