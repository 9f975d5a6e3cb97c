/**
 * Plans are data. A strategy turns (stable, candidate, settings) into a list of steps; the
 * engine's executor runs them one at a time and records each in the store, so a restarted
 * coordinator resumes at the step it was on. Every step is idempotent: it states a target
 * ("3 candidate instances running"), not an action ("start 1 more").
 */

/** Which side of the deployment a step acts on: the release serving now, or the new one. */
export type Role = 'stable' | 'candidate';

export type Step =
  /** Ensure `instances` instances of the role's release are running (reusing warm ones first). */
  | { kind: 'scale'; role: Role; instances: number }
  /** Wait until `instances` of the role's release are healthy (bounded by the health start timeout). */
  | { kind: 'waitHealthy'; role: Role; instances: number }
  /** Set the relative traffic weights of the two releases. */
  | { kind: 'setWeights'; stable: number; candidate: number }
  /** Take instances of the role's release out of rotation until `keep` remain routed; wait for their in-flight requests. */
  | { kind: 'drain'; role: Role; keep: number }
  /** Stop unrouted instances of the role's release until `keep` instances remain. */
  | { kind: 'stop'; role: Role; keep: number }
  /** Leave the role's unrouted instances running for `forMs`, for instant rollback, then retire them. */
  | { kind: 'keepWarm'; role: Role; forMs: number }
  /** The candidate becomes the stable release of this service in this environment. */
  | { kind: 'promote' }
  /** After a rollback: the stable release is the only one in the route table again. */
  | { kind: 'restoreStable' }
  /** Hold while the judge watches; go on only on a passing verdict (canary). */
  | { kind: 'analyze'; forMs: number }
  /** Hold for `forMs`, or until `slipway promote` / `slipway resume` when absent (canary). */
  | { kind: 'pause'; forMs?: number }
  /** Before any candidate starts: lint, dry-run and apply the release's expand migrations. */
  | { kind: 'migrate' }
  /** Once the release is stable: apply contract migrations no live release needs (others wait). */
  | { kind: 'contract' }
  /** Rollback only, when configured: revert the expand migrations this deployment applied. */
  | { kind: 'revertMigrations' }
  /** Before anything else: the environment's command and coverage gates; one failing fails the deployment. */
  | { kind: 'gates'; phase: 'before' }
  /** All traffic on the candidate, before it is promoted: HTTP smoke checks; one failing rolls back. */
  | { kind: 'smoke' };

export type StepKind = Step['kind'];

/** A plan and where it came from, as stored with the deployment. */
export interface Plan {
  strategy: string;
  steps: Step[];
  /**
   * Canary plans: the judge watches continuously while the current step is before this index
   * (the shift of all traffic to the candidate); absent for other strategies.
   */
  analysisUntilStep?: number;
}

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

/**
 * A release that carries migrations: expand first (before any instance of it starts), contract
 * last (after it is stable). Shifts the canary's analysis boundary by the step added in front.
 */
export function withMigrationSteps(plan: Plan): Plan {
  return {
    ...plan,
    steps: [{ kind: 'migrate' }, ...plan.steps, { kind: 'contract' }],
    ...(plan.analysisUntilStep === undefined ? {} : { analysisUntilStep: plan.analysisUntilStep + 1 }),
  };
}

/**
 * An environment with gates: the before-gates run first (ahead of migrations: nothing changes
 * until they pass), the smoke checks once all traffic is on the candidate but before it is
 * promoted — so a failing check rolls back to a release that is still the stable one.
 */
export function withGateSteps(plan: Plan, hasBefore: boolean, hasAfter: boolean): Plan {
  const steps = hasAfter ? withSmokeBeforePromote(plan.steps) : plan.steps;
  if (!hasBefore) return { ...plan, steps };
  return {
    ...plan,
    steps: [{ kind: 'gates', phase: 'before' }, ...steps],
    ...(plan.analysisUntilStep === undefined ? {} : { analysisUntilStep: plan.analysisUntilStep + 1 }),
  };
}

/** Put a smoke step right before the (last) promote step; plans without one get it at the end. */
export function withSmokeBeforePromote(steps: Step[]): Step[] {
  const at = steps.map((s) => s.kind).lastIndexOf('promote');
  return at < 0 ? [...steps, { kind: 'smoke' }] : [...steps.slice(0, at), { kind: 'smoke' }, ...steps.slice(at)];
}
