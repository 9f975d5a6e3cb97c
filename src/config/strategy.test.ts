import { describe, expect, it } from 'vitest';
import { defaultStrategy, instancesOf } from './strategy.js';

describe('defaultStrategy', () => {
  it('gives each type its defaults', () => {
    expect(defaultStrategy('blue-green')).toEqual({ type: 'blue-green', keepOldForMs: 300_000 });
    expect(defaultStrategy('rolling')).toEqual({
      type: 'rolling',
      maxSurge: { unit: 'instances', value: 1 },
      maxUnavailable: { unit: 'instances', value: 0 },
    });
  });

  it('returns a fresh object each time', () => {
    const first = defaultStrategy('blue-green') as { keepOldForMs: number };
    first.keepOldForMs = 1;
    expect(defaultStrategy('blue-green')).toEqual({ type: 'blue-green', keepOldForMs: 300_000 });
  });

  it('suggests a type for a typo', () => {
    expect(() => defaultStrategy('rollin')).toThrow('strategy: unknown strategy "rollin" (did you mean "rolling"?)');
  });
});

describe('instancesOf', () => {
  it('rounds surge up and unavailability down', () => {
    expect(instancesOf({ unit: 'percent', value: 25 }, 2, 'up')).toBe(1);
    expect(instancesOf({ unit: 'percent', value: 25 }, 2, 'down')).toBe(0);
    expect(instancesOf({ unit: 'percent', value: 50 }, 4, 'down')).toBe(2);
    expect(instancesOf({ unit: 'instances', value: 3 }, 10, 'up')).toBe(3);
  });
});
