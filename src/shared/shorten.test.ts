import { describe, expect, it } from 'vitest';
import { shorten } from './shorten.js';

describe('shorten', () => {
  it('keeps text that fits', () => {
    expect(shorten('web 3.0.0 failed', 16)).toBe('web 3.0.0 failed');
  });

  it('cuts at a word boundary with an ellipsis, never leaving a space or a dangling "("', () => {
    const title = 'incident opened: web 2.0.0 was rolled back: error-rate 37.5 % (6 of 16 requests) above 1 %';
    expect(shorten(title, 83)).toBe(
      'incident opened: web 2.0.0 was rolled back: error-rate 37.5 % (6 of 16 requests)…',
    );
    expect(shorten(title, 80)).toBe('incident opened: web 2.0.0 was rolled back: error-rate 37.5 % (6 of 16…');
    expect(shorten(title, 64)).toBe('incident opened: web 2.0.0 was rolled back: error-rate 37.5 %…');
    expect(shorten('threshold: above one percent', 13)).toBe('threshold…');
    for (const max of [10, 30, 50, 70, 85]) {
      const cut = shorten(title, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).toMatch(/\S…$/);
    }
  });

  it('cuts inside a word longer than half the room, and never splits a surrogate pair', () => {
    expect(shorten('a-very-long-identifier-without-spaces', 12)).toBe('a-very-long…');
    expect(shorten('🚀🚀🚀🚀🚀', 4)).toBe('🚀…');
  });
});
