import type { InstanceAmount } from '../config/model.js';
import { firstReleaseSteps } from './first-release.js';
import type { Plan, Step } from './plan.js';
import type { PlanInput, Strategy } from './strategy.js';

export interface RollingSettings {
  /** Extra instances allowed above the target during the rollout (percentages round up). */
  maxSurge: InstanceAmount;
  /** Instances allowed below the target during the rollout (percentages round down). */
  maxUnavailable: InstanceAmount;
}

/** Resolve a count-or-percentage against the instance count, the way Kubernetes does. */
export function resolveAllowance(amount: InstanceAmount, instances: number, round: 'up' | 'down'): number {
  if (amount.unit === 'instances') return amount.value;
  const exact = (amount.value / 100) * instances;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Rolling: replace the stable set in batches. Each round first retires what `maxUnavailable`
 * allows, then starts what `maxSurge` allows, waits for the new instances to be healthy,
 * gives them their share of traffic, and retires the stable instances they replace. Weights
 * follow instance counts so every routed instance takes the same share.
 */
export const rolling: Strategy<RollingSettings> = {
  name: 'rolling',
  plan(input: PlanInput, settings: RollingSettings): Plan {
    const n = input.instances;
    if (!input.hasStable) return { strategy: 'rolling', steps: firstReleaseSteps(n) };
    let surge = resolveAllowance(settings.maxSurge, n, 'up');
    const unavailable = resolveAllowance(settings.maxUnavailable, n, 'down');
    if (surge === 0 && unavailable === 0) surge = 1; // otherwise no round could make progress

    const steps: Step[] = [];
    let stable = n;
    let candidate = 0;
    const retireStable = (keep: number) => {
      steps.push({ kind: 'setWeights', stable: keep, candidate });
      steps.push({ kind: 'drain', role: 'stable', keep });
      steps.push({ kind: 'stop', role: 'stable', keep });
      stable = keep;
    };

    while (candidate < n) {
      const available = stable + candidate;
      const retireFirst = Math.min(stable, Math.max(0, available - (n - unavailable)));
      if (retireFirst > 0) retireStable(stable - retireFirst);
      const start = Math.min(n - candidate, n + surge - (stable + candidate));
      if (start > 0) {
        candidate += start;
        steps.push({ kind: 'scale', role: 'candidate', instances: candidate });
        steps.push({ kind: 'waitHealthy', role: 'candidate', instances: candidate });
        steps.push({ kind: 'setWeights', stable, candidate });
      }
      const excess = Math.max(0, stable + candidate - n);
      if (excess > 0) retireStable(stable - excess);
    }
    if (stable > 0) retireStable(0);
    steps.push({ kind: 'promote' });
    return { strategy: 'rolling', steps };
  },
};
