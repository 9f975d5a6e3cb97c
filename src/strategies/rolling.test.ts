import { describe, expect, it } from 'vitest';
import type { Step } from './plan.js';
import { resolveAllowance, rolling } from './rolling.js';

const n = (value: number) => ({ unit: 'instances' as const, value });
const pct = (value: number) => ({ unit: 'percent' as const, value });

/** Replay a plan and check the invariants a rolling update promises at every step. */
function simulate(steps: Step[], n: number, surge: number, unavailable: number) {
  let stableRunning = n;
  let stableRouted = n;
  let candidateRunning = 0;
  let candidateHealthy = 0;
  for (const step of steps) {
    if (step.kind === 'scale' && step.role === 'candidate') candidateRunning = step.instances;
    if (step.kind === 'waitHealthy' && step.role === 'candidate') candidateHealthy = step.instances;
    if (step.kind === 'drain' && step.role === 'stable') stableRouted = Math.min(stableRouted, step.keep);
    if (step.kind === 'stop' && step.role === 'stable') {
      expect(step.keep).toBeGreaterThanOrEqual(stableRouted); // never stop a routed instance
      stableRunning = step.keep;
    }
    if (step.kind === 'setWeights') {
      expect(step.candidate).toBeLessThanOrEqual(candidateHealthy); // traffic only to healthy instances
      expect(step.stable).toBeLessThanOrEqual(stableRunning);
    }
    expect(stableRunning + candidateRunning).toBeLessThanOrEqual(n + surge);
    expect(stableRouted + candidateHealthy).toBeGreaterThanOrEqual(n - unavailable);
  }
  return { stableRunning, candidateRunning };
}

describe('rolling plan', () => {
  it('4 instances, maxSurge 1, maxUnavailable 0: one at a time, never below 4 serving', () => {
    const plan = rolling.plan({ instances: 4, hasStable: true }, { maxSurge: n(1), maxUnavailable: n(0) });
    expect(plan.steps.filter((s) => s.kind === 'scale').map((s) => (s as { instances: number }).instances)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(simulate(plan.steps, 4, 1, 0)).toEqual({ stableRunning: 0, candidateRunning: 4 });
    expect(plan.steps.at(-1)).toEqual({ kind: 'promote' });
  });

  it('maxSurge 0, maxUnavailable 1: retires before it starts', () => {
    const plan = rolling.plan({ instances: 3, hasStable: true }, { maxSurge: n(0), maxUnavailable: n(1) });
    expect(plan.steps[0]).toEqual({ kind: 'setWeights', stable: 2, candidate: 0 });
    expect(simulate(plan.steps, 3, 0, 1)).toEqual({ stableRunning: 0, candidateRunning: 3 });
  });

  it('percentages round like Kubernetes', () => {
    expect(resolveAllowance(pct(25), 10, 'up')).toBe(3);
    expect(resolveAllowance(pct(25), 10, 'down')).toBe(2);
    const plan = rolling.plan({ instances: 10, hasStable: true }, { maxSurge: pct(25), maxUnavailable: pct(25) });
    expect(simulate(plan.steps, 10, 3, 2)).toEqual({ stableRunning: 0, candidateRunning: 10 });
  });

  it.each([
    [1, 1, 0],
    [2, 2, 0],
    [5, 2, 1],
    [6, 0, 2],
    [7, 3, 3],
  ])('n=%i surge=%i unavailable=%i keeps its promises', (count, surge, unavailable) => {
    const plan = rolling.plan(
      { instances: count, hasStable: true },
      { maxSurge: n(surge), maxUnavailable: n(unavailable) },
    );
    expect(simulate(plan.steps, count, surge, unavailable)).toEqual({ stableRunning: 0, candidateRunning: count });
  });

  it('both allowances 0 still progresses (surge 1)', () => {
    const plan = rolling.plan({ instances: 2, hasStable: true }, { maxSurge: n(0), maxUnavailable: n(0) });
    expect(simulate(plan.steps, 2, 1, 0)).toEqual({ stableRunning: 0, candidateRunning: 2 });
  });

  it('a first release starts everything at once', () => {
    const plan = rolling.plan({ instances: 3, hasStable: false }, { maxSurge: n(1), maxUnavailable: n(0) });
    expect(plan.steps.map((s) => s.kind)).toEqual(['scale', 'waitHealthy', 'setWeights', 'promote']);
  });
});
