import { describe, expect, it } from 'vitest';
import { fisherExact } from './fisher.js';

describe('fisherExact', () => {
  it("SciPy's documented example: fisher_exact([[6, 2], [1, 4]]) → p ≈ 0.1026, odds ratio 12", () => {
    const r = fisherExact([
      [6, 2],
      [1, 4],
    ]);
    expect(r.pValue).toBeCloseTo(0.10256410256410256, 14);
    expect(r.oddsRatio).toBe(12);
  });

  it("Fisher's lady tasting tea, [[3, 1], [1, 3]]: two-sided 0.4857 (= 34/70), one-sided 0.2429 (= 17/70)", () => {
    expect(
      fisherExact([
        [3, 1],
        [1, 3],
      ]).pValue,
    ).toBeCloseTo(34 / 70, 14);
    expect(
      fisherExact(
        [
          [3, 1],
          [1, 3],
        ],
        'greater',
      ).pValue,
    ).toBeCloseTo(17 / 70, 14);
    expect(
      fisherExact(
        [
          [3, 1],
          [1, 3],
        ],
        'less',
      ).pValue,
    ).toBeCloseTo(69 / 70, 14);
  });

  it('large, lopsided tables keep tiny p-values (SciPy 1.17)', () => {
    expect(
      fisherExact(
        [
          [3, 7],
          [0, 1900],
        ],
        'greater',
      ).pValue / 1.0349391846448971e-7,
    ).toBeCloseTo(1, 9);
    expect(
      fisherExact(
        [
          [30, 570],
          [57, 11343],
        ],
        'greater',
      ).pValue / 6.141906473816285e-18,
    ).toBeCloseTo(1, 9);
  });

  it('empty margins and infinite odds', () => {
    expect(
      fisherExact([
        [0, 0],
        [0, 5],
      ]),
    ).toEqual({ pValue: 1, oddsRatio: NaN });
    expect(
      fisherExact([
        [3, 0],
        [0, 3],
      ]).oddsRatio,
    ).toBe(Infinity);
  });

  it('names a bad cell', () =>
    expect(() =>
      fisherExact([
        [1, -1],
        [2, 3],
      ]),
    ).toThrow('fisherExact: table cell b must be a whole number ≥ 0, got -1'));
});
