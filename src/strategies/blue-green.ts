import { firstReleaseSteps } from './first-release.js';
import type { Plan } from './plan.js';
import type { PlanInput, Strategy } from './strategy.js';

export interface BlueGreenSettings {
  /** Keep the old set running, unrouted, this long after the switch (0 = stop it at once). */
  keepOldForMs: number;
}

/**
 * Blue-green: start a full candidate set beside the stable one, switch all traffic at once,
 * drain the old set and keep it warm so `slipway rollback` is a route change, not a restart.
 */
export const blueGreen: Strategy<BlueGreenSettings> = {
  name: 'blue-green',
  plan(input: PlanInput, settings: BlueGreenSettings): Plan {
    const n = input.instances;
    if (!input.hasStable) return { strategy: 'blue-green', steps: firstReleaseSteps(n) };
    return {
      strategy: 'blue-green',
      steps: [
        { kind: 'scale', role: 'candidate', instances: n },
        { kind: 'waitHealthy', role: 'candidate', instances: n },
        { kind: 'setWeights', stable: 0, candidate: 100 },
        { kind: 'drain', role: 'stable', keep: 0 },
        settings.keepOldForMs > 0
          ? { kind: 'keepWarm', role: 'stable', forMs: settings.keepOldForMs }
          : { kind: 'stop', role: 'stable', keep: 0 },
        { kind: 'promote' },
      ],
    };
  },
};
