import { describe, expect, it } from 'vitest';
import { describeCron } from './words.js';

describe('describeCron', () => {
  it('weekly crons in words; anything else is left to the expression', () => {
    expect(describeCron('0 16 * * 5')).toBe('every Friday at 16:00');
    expect(describeCron('30 7 * * 1-5')).toBe('every Monday to Friday at 07:30');
    expect(describeCron('0 0 * * *')).toBe('every day at 00:00');
    expect(describeCron('0 18 * * 0,6')).toBe('every Sunday and Saturday at 18:00');
    expect(describeCron('*/5 * * * *')).toBeUndefined();
    expect(describeCron('0 16 1 * *')).toBeUndefined();
    expect(describeCron('0 16 * * FRI')).toBeUndefined();
  });
});
