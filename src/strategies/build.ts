import type { StrategyConfig } from '../config/model.js';
import type { Plan } from '../model/plan.js';
import { blueGreen } from './blue-green.js';
import { promotionSteps } from './canary.js';
import { planFor } from './index.js';
import { withGateSteps, withMigrationSteps, withSmokeBeforePromote } from './plan.js';

/** Everything a deployment's plan depends on. */
export interface PlanRequest {
  strategy: StrategyConfig;
  /** Instances the service runs in the environment. */
  instances: number;
  /** Is a stable release serving now? (false on a service's first deployment) */
  hasStable: boolean;
  /** The release carries migrations: expand before any instance starts, contract once it is stable. */
  migrations: boolean;
  /** The environment's gates: before-deployment gates, and smoke checks before promotion. */
  gates: { before: boolean; after: boolean };
}

/**
 * The whole plan of a deployment, built once: the strategy's steps, with the gate and migration
 * steps around them. The executor runs it as it is; only `promotedPlan` and the rollback plan
 * replace it.
 */
export function buildPlan(r: PlanRequest): Plan {
  const plan = planFor(r.strategy, { instances: r.instances, hasStable: r.hasStable });
  return withGateSteps(r.migrations ? withMigrationSteps(plan) : plan, r.gates.before, r.gates.after);
}

/**
 * `slipway promote`: the steps already done, then the canary's promotion at once (none of it
 * judged). Smoke checks still run before the promotion when the skipped steps held them, and a
 * contract step stays last.
 */
export function promotedPlan(plan: Plan, step: number, instances: number): Plan {
  const skipped = plan.steps.slice(step);
  const promotion = promotionSteps(instances);
  const steps = [
    ...plan.steps.slice(0, step),
    ...(skipped.some((s) => s.kind === 'smoke') ? withSmokeBeforePromote(promotion) : promotion),
    ...(plan.steps.some((s) => s.kind === 'contract') ? [{ kind: 'contract' as const }] : []),
  ];
  return { ...plan, steps };
}

/** `slipway rollback` with nothing in flight: the previous release comes back by a blue-green switch, nothing kept
 * warm. */
export function returnPlan(instances: number): Plan {
  return { ...blueGreen.plan({ instances, hasStable: true }, { keepOldForMs: 0 }), strategy: 'rollback' };
}
