import type { CanaryStrategy } from '../config/model.js';
import { firstReleaseSteps } from './first-release.js';
import type { Plan, Step } from './plan.js';
import type { PlanInput, Strategy } from './strategy.js';

/** Candidate instances for a weight: the configured scale, or in proportion to the weight (at least 1). */
export function canaryInstances(instances: number, weight: number, scale?: number): number {
  return Math.min(instances, scale ?? Math.max(1, Math.ceil((instances * weight) / 100)));
}

/**
 * Canary: the candidate takes a growing share of traffic, step by step, while the judge compares
 * it with the stable release (continuously, and at each `analyze` step as a gate). The last
 * weight below 100 is followed by the full promotion: the candidate is scaled to the full count,
 * takes all traffic, and the stable set is drained and stopped.
 */
export const canary: Strategy<CanaryStrategy> = {
  name: 'canary',
  plan(input: PlanInput, settings: CanaryStrategy): Plan {
    const n = input.instances;
    if (!input.hasStable) return { strategy: 'canary', steps: firstReleaseSteps(n) };
    const steps: Step[] = [];
    let running = 0;
    for (const step of settings.steps) {
      if (step.kind === 'setWeight') {
        if (step.weight >= 100) break;
        const wanted = canaryInstances(n, step.weight, settings.scale);
        if (wanted > running) {
          steps.push(
            { kind: 'scale', role: 'candidate', instances: wanted },
            { kind: 'waitHealthy', role: 'candidate', instances: wanted },
          );
          running = wanted;
        }
        steps.push({ kind: 'setWeights', stable: 100 - step.weight, candidate: step.weight });
      } else if (step.kind === 'analyze') {
        steps.push({ kind: 'analyze', forMs: step.forMs });
      } else {
        steps.push(step.forMs === undefined ? { kind: 'pause' } : { kind: 'pause', forMs: step.forMs });
      }
    }
    // The judge watches the candidate continuously until all traffic moves to it: through the
    // weights and gates above and the scale-up to full strength, not the final shift.
    const [scaleUp, waitUp, ...finalShift] = promotionSteps(n);
    const judged = [...steps, scaleUp!, waitUp!].map((s): Step => ({ ...s, judged: true }));
    return { strategy: 'canary', steps: [...judged, ...finalShift] };
  },
};

/** The steps that finish a canary: full scale, all traffic, old set gone (also what `slipway promote` jumps to). */
export function promotionSteps(instances: number): Step[] {
  return [
    { kind: 'scale', role: 'candidate', instances },
    { kind: 'waitHealthy', role: 'candidate', instances },
    { kind: 'setWeights', stable: 0, candidate: 100 },
    { kind: 'drain', role: 'stable', keep: 0 },
    { kind: 'stop', role: 'stable', keep: 0 },
    { kind: 'promote' },
  ];
}
