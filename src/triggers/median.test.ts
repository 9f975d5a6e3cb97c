import { describe, expect, it } from 'vitest';
import { median } from './median.js';

describe('median', () => {
  it('middle value, mean of the middle two, undefined for none; input order does not matter', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
    const input = [9, 7];
    median(input);
    expect(input).toEqual([9, 7]);
  });
});
