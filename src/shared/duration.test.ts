import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['1h', 3_600_000],
    ['1500', 1500],
    [0, 0],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '30 s', '5x', '-1s', '1s2'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('formatDuration', () => {
  it('picks a readable unit', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1234)).toBe('1.23s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });

  it('never shows a value just under a boundary as one past it', () => {
    expect(formatDuration(999.6)).toBe('1.00s');
    expect(formatDuration(9_999)).toBe('10.0s');
    expect(formatDuration(59_960)).toBe('1m00s');
    expect(formatDuration(19 * 60_000 + 59_500)).toBe('20m00s');
    expect(formatDuration(59 * 60_000 + 59_600)).toBe('1h00m');
  });
});
