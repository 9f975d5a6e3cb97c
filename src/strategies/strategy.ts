import type { Plan } from './plan.js';

/** What a strategy plans from. Counts are the service's configured instance count in this environment. */
export interface PlanInput {
  /** Instances the service should run in this environment. */
  instances: number;
  /** Is there a stable release serving now? (false on a service's first deployment) */
  hasStable: boolean;
}

/**
 * A deployment strategy: pure, deterministic, no I/O. Adding one means adding a file here and a
 * case in strategies/index.ts; the engine never changes.
 */
export interface Strategy<Settings> {
  readonly name: string;
  /** The steps that move traffic from the stable release to the candidate. */
  plan(input: PlanInput, settings: Settings): Plan;
}
