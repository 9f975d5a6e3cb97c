import type { Plan, Step } from '../model/plan.js';

export type { Plan, Role, Step, StepKind } from '../model/plan.js';

/** One line per step, for people (status, events, plan previews). */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'scale':
      return `start ${step.role} instances (${step.instances} running)`;
    case 'waitHealthy':
      return `wait for ${step.instances} healthy ${step.role} instance${step.instances === 1 ? '' : 's'}`;
    case 'setWeights': {
      const total = step.stable + step.candidate;
      const pct = (w: number) => (total === 0 ? 0 : Math.round((w / total) * 100));
      return `shift traffic: stable ${pct(step.stable)}% / candidate ${pct(step.candidate)}%`;
    }
    case 'drain':
      return `drain ${step.role} instances (${step.keep} stay in rotation)`;
    case 'stop':
      return `stop ${step.role} instances (${step.keep} remain)`;
    case 'keepWarm':
      return `keep ${step.role} instances warm for ${Math.round(step.forMs / 1000)}s`;
    case 'promote':
      return 'promote the candidate to stable';
    case 'restoreStable':
      return 'remove the candidate from the route table';
    case 'analyze':
      return `analyze for ${Math.round(step.forMs / 1000)}s`;
    case 'pause':
      return step.forMs === undefined ? 'pause until promoted' : `pause for ${Math.round(step.forMs / 1000)}s`;
    case 'migrate':
      return 'lint, dry-run and apply expand migrations';
    case 'contract':
      return 'apply contract migrations no live release needs';
    case 'revertMigrations':
      return "revert this deployment's expand migrations";
    case 'gates':
      return 'run the before-deployment gates';
    case 'smoke':
      return 'run the smoke checks against the new release';
  }
}

/** A release that carries migrations: expand first (before any instance of it starts), contract last (after it is
 * stable). */
export function withMigrationSteps(plan: Plan): Plan {
  return { ...plan, steps: [{ kind: 'migrate' }, ...plan.steps, { kind: 'contract' }] };
}

/**
 * An environment with gates: the before-gates run first (ahead of migrations: nothing changes
 * until they pass), the smoke checks once all traffic is on the candidate but before it is
 * promoted — so a failing check rolls back to a release that is still the stable one.
 */
export function withGateSteps(plan: Plan, hasBefore: boolean, hasAfter: boolean): Plan {
  const steps = hasAfter ? withSmokeBeforePromote(plan.steps) : plan.steps;
  return { ...plan, steps: hasBefore ? [{ kind: 'gates', phase: 'before' }, ...steps] : steps };
}

/** Put a smoke step right before the (last) promote step; plans without one get it at the end. */
export function withSmokeBeforePromote(steps: Step[]): Step[] {
  const at = steps.map((s) => s.kind).lastIndexOf('promote');
  return at < 0 ? [...steps, { kind: 'smoke' }] : [...steps.slice(0, at), { kind: 'smoke' }, ...steps.slice(at)];
}
