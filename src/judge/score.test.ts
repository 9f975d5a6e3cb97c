import { describe, expect, it } from 'vitest';
import type { Classification, MetricResult } from './model.js';
import { isWorse, scoreResults } from './score.js';

const result = (classification: Classification, weight = 1): MetricResult => ({
  metric: 'm',
  source: 's',
  rule: 'r',
  classification,
  threshold: '',
  conclusive: false,
  weight,
  message: '',
});

describe('scoreResults', () => {
  it('is the weighted share of passing results, nodata left out', () => {
    expect(scoreResults([result('pass'), result('pass'), result('high'), result('nodata')])).toBe(66.7);
    expect(scoreResults([result('pass', 3), result('high', 1)])).toBe(75);
  });

  it('counts an error against the score, and low like high', () => {
    expect(scoreResults([result('pass'), result('error')])).toBe(50);
    expect(scoreResults([result('pass'), result('low')])).toBe(50);
  });

  it('nothing scored is 0', () => {
    expect(scoreResults([])).toBe(0);
    expect(scoreResults([result('nodata')])).toBe(0);
    expect(scoreResults([result('pass', 0)])).toBe(0);
  });
});

describe('isWorse', () => {
  it('is high or low', () => {
    expect(['pass', 'high', 'low', 'nodata', 'error'].map((c) => isWorse(result(c as Classification)))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});
