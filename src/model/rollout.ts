/**
 * A rollout: one release of the whole project (every component it names — the database service
 * with its migrations, backend services, the frontend) moving into an environment as one thing.
 * Each component moves by a deployment of its own, level by level in dependency order; when one
 * fails or is rolled back, the components that already moved are rolled back in reverse order.
 * The deployments are the truth about each component; engine/rollouts/next-step.ts derives the
 * phases shown here from them and decides what happens next.
 */

export type RolloutState = 'running' | 'rolling_back' | 'succeeded' | 'rolled_back' | 'failed';
export const activeRolloutStates: RolloutState[] = ['running', 'rolling_back'];

/**
 * Where one component stands:
 * - `unchanged`: the release was already stable there when the rollout began (nothing to move);
 * - `pending` → `deploying` → `succeeded`;
 * - `failed`: its deployment failed or was rolled back (it undid itself);
 * - `reverting` → `reverted` (or `revert_failed`): rolled back because the release as a whole was;
 * - `superseded`: someone deployed another release of it after it succeeded (no longer the rollout's);
 * - `cancelled`: never started because the rollout was rolled back first.
 */
export type ComponentPhase =
  | 'unchanged'
  | 'pending'
  | 'deploying'
  | 'succeeded'
  | 'failed'
  | 'reverting'
  | 'reverted'
  | 'revert_failed'
  | 'superseded'
  | 'cancelled';

export interface RolloutComponent {
  service: string;
  /** 0 moves first; a component moves only after every component of lower levels succeeded. */
  level: number;
  /** The release (id) it moves to, and the stable one it moves from (absent on a first deployment). */
  release: string;
  from?: string;
  /** The version of `from`, for views. */
  fromVersion?: string;
  phase: ComponentPhase;
  /** Its deployment, once started; its rollback deployment, once reverted. */
  deployment?: string;
  rollback?: string;
  /** Why it failed or was reverted, in words. */
  reason?: string;
}

export interface RolloutRecord {
  id: string;
  project: string;
  environment: string;
  version: string;
  state: RolloutState;
  components: RolloutComponent[];
  /** Why it was rolled back or failed. */
  reason?: string;
  requestedBy?: string;
  settings: RolloutSettings;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  /** A succeeded rollout is rolled back as a whole when one of its components is rolled back before this. */
  watchUntil?: Date;
}

/** Fixed when the rollout was requested. */
export interface RolloutSettings {
  /** Admitted through a freeze with --emergency; every component deployment carries it. */
  emergency?: { reason: string };
}

/** Is the rollout still moving (forwards or back)? */
export function isRolloutActive(r: Pick<RolloutRecord, 'state'>): boolean {
  return activeRolloutStates.includes(r.state);
}
