import { describe, expect, it } from 'vitest';
import { countAbove, quantileSorted } from './quantile.js';

describe('quantileSorted', () => {
  it("interpolates like NumPy's percentile (type 7)", () => {
    expect(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55, 12);
    expect(quantileSorted([1, 2, 3], 0.5)).toBe(2);
    expect(quantileSorted([5], 0.95)).toBe(5);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('countAbove', () => {
  it('counts values strictly greater than the limit', () => {
    const sorted = [1, 2, 2, 3, 500, 500, 501];
    expect(countAbove(sorted, 500)).toBe(1);
    expect(countAbove(sorted, 2)).toBe(4);
    expect(countAbove(sorted, 0)).toBe(7);
    expect(countAbove(sorted, 1000)).toBe(0);
    expect(countAbove([], 1)).toBe(0);
  });
});
