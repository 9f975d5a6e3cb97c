import { describe, expect, it } from 'vitest';
import { defaultBackoff, RestartBackoff } from './backoff.js';
import { RuntimeError } from './errors.js';

describe('RestartBackoff', () => {
  it('doubles from 1 s to a 30 s cap by default', () => {
    const backoff = new RestartBackoff(defaultBackoff);
    expect(Array.from({ length: 8 }, () => backoff.nextDelay())).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('starts over after a long enough healthy stretch, not after a short one', () => {
    const backoff = new RestartBackoff({ initialMs: 100, maxMs: 1000, resetAfterMs: 60_000 });
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.healthyFor(59_999);
    expect(backoff.nextDelay()).toBe(400);
    backoff.healthyFor(60_000);
    expect(backoff.nextDelay()).toBe(100);
  });

  it('rejects nonsense options', () => {
    expect(() => new RestartBackoff({ initialMs: 0, maxMs: 10, resetAfterMs: 1 })).toThrow(RuntimeError);
    expect(() => new RestartBackoff({ initialMs: 100, maxMs: 10, resetAfterMs: 1 })).toThrow('restartBackoff needs');
  });
});
