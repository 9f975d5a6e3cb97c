import { describe, expect, it } from 'vitest';
import { advanceCursor } from './cursor.js';

const now = Date.parse('2026-12-04T02:00:10Z');
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);

describe('the events cursor', () => {
  it('moves over contiguous ids', () => {
    expect(
      advanceCursor(
        4,
        [
          { id: 5, at: at(0) },
          { id: 6, at: at(0) },
        ],
        now,
        5000,
      ),
    ).toBe(6);
  });

  it('stops before a young gap (a smaller id may still commit), passes an old one', () => {
    const seen = [
      { id: 5, at: at(0) },
      { id: 7, at: at(1) },
      { id: 8, at: at(0) },
    ];
    expect(advanceCursor(4, seen, now, 5000)).toBe(5);
    expect(
      advanceCursor(
        4,
        [
          { id: 5, at: at(9) },
          { id: 7, at: at(8) },
          { id: 8, at: at(1) },
        ],
        now,
        5000,
      ),
    ).toBe(8);
  });

  it('never moves back', () => {
    expect(advanceCursor(9, [{ id: 3, at: at(60) }], now, 5000)).toBe(9);
    expect(advanceCursor(9, [], now, 5000)).toBe(9);
  });
});
