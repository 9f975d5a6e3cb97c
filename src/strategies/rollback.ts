import type { Plan } from './plan.js';

/**
 * Undo a deployment from wherever it stopped: bring the stable release back to full strength
 * (reusing its warm or still-routed instances), give it all the traffic, then drain and stop
 * the candidate. Without a stable release (a first deployment) there is only the cleanup.
 * Every step is a target, so this plan is safe to run from any point of any other plan.
 */
export function rollbackPlan(instances: number, hasStable: boolean, revertMigrations = false): Plan {
  const restore: Plan['steps'] = hasStable
    ? [
        { kind: 'scale', role: 'stable', instances },
        { kind: 'setWeights', stable: 100, candidate: 0 },
        { kind: 'waitHealthy', role: 'stable', instances },
      ]
    : [{ kind: 'setWeights', stable: 0, candidate: 0 }];
  return {
    strategy: 'rollback',
    steps: [
      ...restore,
      { kind: 'drain', role: 'candidate', keep: 0 },
      { kind: 'stop', role: 'candidate', keep: 0 },
      { kind: 'restoreStable' },
      // Only once no candidate instance runs: the old release never needed what the expand added.
      ...(revertMigrations ? [{ kind: 'revertMigrations' as const }] : []),
    ],
  };
}
