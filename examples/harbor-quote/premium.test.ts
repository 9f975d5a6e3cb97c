import { describe, expect, it } from 'vitest';
import { premiumFor, validateQuote } from './premium.js';

describe('harbor-quote premium model', () => {
  it('prices the sample tanker quote', () => {
    // 31,000 × (42,000/10,000)^0.6 × 1.4
    expect(premiumFor({ tonnage: 42_000, vesselClass: 'tanker', routeRisk: 3 })).toBeCloseTo(
      31_000 * 4.2 ** 0.6 * 1.4,
      2,
    );
  });
  it('v2 adds a surcharge above 50,000 GT only', () => {
    const big = { tonnage: 80_000, vesselClass: 'bulk', routeRisk: 2 } as const;
    expect(premiumFor(big, 'v2')).toBeCloseTo(premiumFor(big, 'v1') * 1.03, 1);
    const small = { tonnage: 20_000, vesselClass: 'bulk', routeRisk: 2 } as const;
    expect(premiumFor(small, 'v2')).toBe(premiumFor(small, 'v1'));
  });
  it('names every bad field', () => {
    expect(validateQuote({ tonnage: -1, vesselClass: 'yacht', routeRisk: 9 })).toEqual([
      expect.stringMatching(/^tonnage:/),
      expect.stringMatching(/^vesselClass: expected one of bulk/),
      expect.stringMatching(/^routeRisk:/),
    ]);
    expect(validateQuote(null)).toEqual(['body: expected a JSON object']);
  });
});
