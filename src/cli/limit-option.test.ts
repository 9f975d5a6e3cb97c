import { describe, expect, it } from 'vitest';
import { limitOption } from './limit-option.js';

describe('limitOption', () => {
  it('reads a whole number within the range', () => {
    expect(limitOption('1', 500)).toBe(1);
    expect(limitOption('500', 500)).toBe(500);
  });

  it('refuses 0, too many, fractions and words as invalid input naming --limit', () => {
    for (const bad of ['0', '501', '2.5', 'abc', '-3', '1e3'])
      expect(() => limitOption(bad, 500)).toThrow(
        expect.objectContaining({
          code: 'invalid_input',
          message: `--limit ${bad}: expected a whole number from 1 to 500`,
        }),
      );
  });
});
