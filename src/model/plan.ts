/**
 * Plans are data. A strategy turns (stable, candidate, settings) into a list of steps; the
 * engine's executor runs them one at a time and records each in the store, so a restarted
 * coordinator resumes at the step it was on. Every step is idempotent: it states a target
 * ("3 candidate instances running"), not an action ("start 1 more").
 */

/** Which side of the deployment a step acts on: the release serving now, or the new one. */
export type Role = 'stable' | 'candidate';

/** The actions a plan is made of. */
export type StepAction =
  /** Ensure `instances` instances of the role's release are running (reusing warm ones first). */
  | { kind: 'scale'; role: Role; instances: number }
  /** Wait until `instances` of the role's release are healthy (bounded by the health start timeout). */
  | { kind: 'waitHealthy'; role: Role; instances: number }
  /** Set the relative traffic weights of the two releases. */
  | { kind: 'setWeights'; stable: number; candidate: number }
  /** Take instances of the role's release out of rotation until `keep` remain routed; wait for their in-flight
   * requests. */
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

/**
 * A step of a plan. `judged` marks the steps during which the judge watches the candidate
 * continuously (a canary's steps before all traffic moves to it); the mark travels with the
 * step when other steps are added around it, so no index has to be kept in line.
 */
export type Step = StepAction & { judged?: true };

export type StepKind = Step['kind'];

/** A plan and where it came from, as stored with the deployment. */
export interface Plan {
  strategy: string;
  steps: Step[];
}
