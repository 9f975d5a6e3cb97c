import { describe, expect, it } from 'vitest';
import { defaultStrategy } from '../config/strategy.js';
import type { CanaryStrategy } from '../config/model.js';
import type { Step } from '../model/plan.js';
import { canary, canaryInstances } from './canary.js';

/** A step the judge watches continuously. */
const judged = (s: Step): Step => ({ ...s, judged: true });

const settings = (over: Partial<CanaryStrategy> = {}): CanaryStrategy => ({
  ...(defaultStrategy('canary') as CanaryStrategy),
  ...over,
});

describe('canary plan', () => {
  it('the default: 5 → 25 → 50 with analysis between, then the full promotion', () => {
    const plan = canary.plan({ instances: 4, hasStable: true }, settings());
    expect(plan.steps).toEqual([
      ...[
        { kind: 'scale', role: 'candidate', instances: 1 },
        { kind: 'waitHealthy', role: 'candidate', instances: 1 },
        { kind: 'setWeights', stable: 95, candidate: 5 },
        { kind: 'analyze', forMs: 20_000 },
        { kind: 'setWeights', stable: 75, candidate: 25 },
        { kind: 'analyze', forMs: 20_000 },
        { kind: 'scale', role: 'candidate', instances: 2 },
        { kind: 'waitHealthy', role: 'candidate', instances: 2 },
        { kind: 'setWeights', stable: 50, candidate: 50 },
        { kind: 'analyze', forMs: 20_000 },
        { kind: 'scale', role: 'candidate', instances: 4 },
        { kind: 'waitHealthy', role: 'candidate', instances: 4 },
      ].map((s) => judged(s as Step)),
      // The judge watches until all traffic moves: the final shift and what follows are not judged.
      { kind: 'setWeights', stable: 0, candidate: 100 },
      { kind: 'drain', role: 'stable', keep: 0 },
      { kind: 'stop', role: 'stable', keep: 0 },
      { kind: 'promote' },
    ]);
  });

  it('a fixed scale, pauses kept in place', () => {
    const plan = canary.plan(
      { instances: 3, hasStable: true },
      settings({
        scale: 1,
        steps: [
          { kind: 'setWeight', weight: 10 },
          { kind: 'pause' },
          { kind: 'setWeight', weight: 60 },
          { kind: 'pause', forMs: 5000 },
        ],
      }),
    );
    expect(plan.steps.slice(0, 6)).toEqual(
      [
        { kind: 'scale', role: 'candidate', instances: 1 },
        { kind: 'waitHealthy', role: 'candidate', instances: 1 },
        { kind: 'setWeights', stable: 90, candidate: 10 },
        { kind: 'pause' },
        { kind: 'setWeights', stable: 40, candidate: 60 },
        { kind: 'pause', forMs: 5000 },
      ].map((s) => judged(s as Step)),
    );
  });

  it('candidate instances follow the weight unless a scale is set', () => {
    expect(canaryInstances(4, 5)).toBe(1);
    expect(canaryInstances(4, 50)).toBe(2);
    expect(canaryInstances(4, 60)).toBe(3);
    expect(canaryInstances(4, 60, 1)).toBe(1);
    expect(canaryInstances(2, 50, 5)).toBe(2);
  });

  it('a first release has no stable to compare with: it is simply started, nothing judged', () => {
    const steps = canary.plan({ instances: 2, hasStable: false }, settings()).steps;
    expect(steps.map((s) => s.kind)).toEqual(['scale', 'waitHealthy', 'setWeights', 'promote']);
    expect(steps.some((s) => s.judged)).toBe(false);
  });
});
