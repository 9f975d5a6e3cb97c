import { describe, expect, it } from 'vitest';
import { blueGreen } from './blue-green.js';
import { describeStep } from './plan.js';

describe('blue-green plan', () => {
  it('starts a full set, switches at once, keeps the old set warm', () => {
    const plan = blueGreen.plan({ instances: 2, hasStable: true }, { keepOldForMs: 300_000 });
    expect(plan.steps).toEqual([
      { kind: 'scale', role: 'candidate', instances: 2 },
      { kind: 'waitHealthy', role: 'candidate', instances: 2 },
      { kind: 'setWeights', stable: 0, candidate: 100 },
      { kind: 'drain', role: 'stable', keep: 0 },
      { kind: 'keepWarm', role: 'stable', forMs: 300_000 },
      { kind: 'promote' },
    ]);
    expect(plan.steps.map(describeStep)[2]).toBe('shift traffic: stable 0% / candidate 100%');
  });

  it('stops the old set at once when keepOldFor is 0', () => {
    const plan = blueGreen.plan({ instances: 1, hasStable: true }, { keepOldForMs: 0 });
    expect(plan.steps[4]).toEqual({ kind: 'stop', role: 'stable', keep: 0 });
  });

  it('a first release has nothing to drain', () => {
    const plan = blueGreen.plan({ instances: 3, hasStable: false }, { keepOldForMs: 1000 });
    expect(plan.steps.map((s) => s.kind)).toEqual(['scale', 'waitHealthy', 'setWeights', 'promote']);
  });
});
