import type { Step } from './plan.js';

/** A service's first release has nothing to shift from: start it, wait, route it, promote it. */
export function firstReleaseSteps(instances: number): Step[] {
  return [
    { kind: 'scale', role: 'candidate', instances },
    { kind: 'waitHealthy', role: 'candidate', instances },
    { kind: 'setWeights', stable: 0, candidate: 100 },
    { kind: 'promote' },
  ];
}
