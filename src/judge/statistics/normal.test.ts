import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, normalSf } from './normal.js';

// Reference values: SciPy 1.17, scipy.stats.norm.cdf / .sf / .ppf.
describe('normalCdf / normalSf', () => {
  it.each([
    [-6, 9.865876450376946e-10],
    [-3, 0.0013498980316300933],
    [-1.96, 0.024997895148220435],
    [0, 0.5],
    [1, 0.8413447460685429],
    [2.5, 0.9937903346742238],
  ])('Φ(%d) = %d', (x, expected) => expect(normalCdf(x)).toBeCloseTo(expected, 14));

  it('keeps small upper tails to relative precision (no 1 − Φ cancellation)', () => {
    expect(normalSf(3.090232306167813) / 0.001).toBeCloseTo(1, 10);
    expect(normalSf(5) / 2.866515718791933e-7).toBeCloseTo(1, 8);
    expect(normalSf(8) / 6.22096057427174e-16).toBeCloseTo(1, 6);
  });

  it('is symmetric and saturates', () => {
    expect(normalCdf(1.3) + normalCdf(-1.3)).toBeCloseTo(1, 15);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it.each([
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.95, 1.6448536269514722],
    [0.999, 3.090232306167813],
  ])('Φ⁻¹(%d) = %d', (p, expected) => expect(normalQuantile(p)).toBeCloseTo(expected, 9));

  it('inverts the CDF across the range', () => {
    for (const z of [-7, -4.2, -2, -0.1, 0.7, 3.3, 6]) expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 7);
  });

  it('maps the ends to infinities and rejects the outside', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
  });
});
