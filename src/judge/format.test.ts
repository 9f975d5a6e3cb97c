import { describe, expect, it } from 'vitest';
import { formatConfidence, formatMs, formatP, formatPercent, formatTimes } from './format.js';

describe('format', () => {
  it('percentages keep small rates readable', () => {
    expect(formatPercent(0.196078)).toBe('19.6 %');
    expect(formatPercent(0.01)).toBe('1 %');
    expect(formatPercent(0.005)).toBe('0.5 %');
    expect(formatPercent(0.000263)).toBe('0.026 %');
    expect(formatPercent(0)).toBe('0 %');
  });

  it('confidence, milliseconds, p-values, multiples', () => {
    expect(formatConfidence(0.999)).toBe('99.9 %');
    expect(formatConfidence(0.99)).toBe('99 %');
    expect(formatMs(341.4)).toBe('341 ms');
    expect(formatMs(27.53)).toBe('27.5 ms');
    expect(formatP(0.004266)).toBe('p = 0.0043');
    expect(formatP(3.1e-9)).toBe('p = 3.1e-9');
    expect(formatP(0)).toBe('p < 1e-300');
    expect(formatTimes(5)).toBe('5×');
  });
});
