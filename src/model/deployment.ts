import type { StrategyConfig } from '../config/model.js';
import type { HealthCheck } from './instance.js';
import type { Plan } from './plan.js';

/**
 * A deployment: an environment's service moving from the stable release to a candidate. Its state
 * has three parts kept apart — the settings fixed when it was created, the control request a
 * person (or the judge) made and the executor has not acted on yet, and the progress the executor
 * made — so that no flag is read in a hidden order. engine/model/next-action.ts decides what
 * happens next from them.
 */

export type DeploymentState =
  | 'queued'
  | 'running'
  | 'rolling_back'
  | 'succeeded'
  | 'rolled_back'
  | 'failed'
  | 'cancelled';
export const activeStates: DeploymentState[] = ['running', 'rolling_back'];
export const finalStates: DeploymentState[] = ['succeeded', 'rolled_back', 'failed', 'cancelled'];

/** How a rollback ends: `failed` (the candidate never served) or `rolled_back` (undone after serving or on request). */
export type RollbackOutcome = 'rolled_back' | 'failed';

/** Settings fixed when the deployment was created, so a resumed one behaves the same. */
export interface DeploymentSettings {
  instances: number;
  health: HealthCheck;
  startTimeoutMs: number;
  drainTimeoutMs: number;
  /** The strategy as configured when the deployment was requested (a queued one is re-planned with it). */
  strategyConfig: StrategyConfig;
  /** KEY=VALUE overrides given with --set (already part of the release spec; kept for the record). */
  sets?: Record<string, string>;
  /** The environment's own env for the service (not part of the release), over the release's at each start. */
  environmentEnv?: Record<string, string>;
  /** Deployed through a freeze with --emergency: shown wherever the deployment appears. */
  emergency?: { reason: string; by?: string };
  /** Revert the expand migrations this deployment applied when rolling back (database.revertOnRollback). */
  revertMigrationsOnRollback?: boolean;
  /** The rollout (a release of the whole project) this deployment moves or reverts a component of. */
  rollout?: string;
  /**
   * The stable release started again after `slipway down` stopped it: not a change, so the delivery figures leave it
   * out (a restart after every `up` would otherwise count as a deployment, and lower the change failure rate).
   */
  restart?: true;
}

/**
 * The one request waiting for the executor. Written by the API (and the judge) with a
 * compare-and-set on the current kind, read by the executor before every step:
 * - `abort`: roll back now (wins over any other request);
 * - `promote`: a canary skips its remaining steps (also ends a pause);
 * - `pause`: no further step starts until `resume`, `promote` or `abort` (set by `slipway pause`,
 *   an open pause step, or an inconclusive analysis);
 * - `resume`: the pause is over; the executor acknowledges it and goes back to `none`.
 */
export type ControlRequest =
  | { kind: 'none' }
  | { kind: 'abort'; reason: string; by?: string; outcome: RollbackOutcome; at: number }
  | { kind: 'promote'; by?: string; at: number }
  | { kind: 'pause'; reason: string; by?: string; at: number }
  | { kind: 'resume'; by?: string; at: number };

export type ControlKind = ControlRequest['kind'];

/** What the executor has done so far, beyond the plan and its step index. */
export interface DeploymentProgress {
  /** When the candidate first got traffic (ms since epoch): decides `failed` vs `rolled_back`; analysis measures from
   * here. */
  trafficShiftedAt?: number;
  /** Analyze steps that ended inconclusive so far. */
  inconclusive: number;
  /** Expand migrations this deployment applied (ids), for a configured revert on rollback. */
  migrationsApplied: string[];
  /** Rolling back: the plan that was running when the rollback started, and the step it had reached. */
  forward?: { plan: Plan; step: number };
  /** Rolling back: how the rollback ends. */
  outcome?: RollbackOutcome;
}

/**
 * The post-deploy watch of a deployment that succeeded: for a while after the rollout the judge
 * (and the critical alert rules) keep comparing the new release with the previous one's baseline.
 */
export interface DeploymentWatch {
  /** watching → passed | regressed | ended (superseded by another deployment, or the coordinator missed its end). */
  state: 'watching' | 'passed' | 'regressed' | 'ended';
  /** ms since the epoch. */
  startedAt: number;
  until: number;
  onRegression: 'rollback' | 'alert';
  /** Latency is judged only from startedAt + warmUpMs on, on what was served since (absent: 0). */
  warmUpMs?: number;
  /** Why it regressed or ended, in one line. */
  reason?: string;
  /** The deployment that rolled the release back, when the watch did. */
  rollback?: string;
  endedAt?: number;
}

export interface DeploymentError {
  message: string;
  details?: Record<string, unknown>;
}

export interface DeploymentRecord {
  id: string;
  project: string;
  service: string;
  environment: string;
  /** `rollback`: a deployment `slipway rollback` made to bring the previous release back. */
  kind: 'deploy' | 'rollback';
  fromRelease?: string;
  toRelease: string;
  strategy: string;
  state: DeploymentState;
  plan: Plan;
  step: number;
  stepStartedAt?: Date;
  reason?: string;
  error?: DeploymentError;
  requestedBy?: string;
  settings: DeploymentSettings;
  control: ControlRequest;
  progress: DeploymentProgress;
  /** Present once a succeeded deployment is (or was) watched after its rollout. */
  watch?: DeploymentWatch;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  updatedAt: Date;
}

/** Progress of a deployment that has not run a step yet. */
export const freshProgress: DeploymentProgress = { inconclusive: 0, migrationsApplied: [] };

/** No request waiting. */
export const noRequest: ControlRequest = { kind: 'none' };

/** Is the deployment running or rolling back? */
export function isActive(d: Pick<DeploymentRecord, 'state'>): boolean {
  return d.state === 'running' || d.state === 'rolling_back';
}

/** Has traffic reached the candidate? */
export function trafficShifted(d: Pick<DeploymentRecord, 'progress'>): boolean {
  return d.progress.trafficShiftedAt !== undefined;
}

/** Is the deployment held (paused) until a person acts? */
export function isPaused(d: Pick<DeploymentRecord, 'control'>): boolean {
  return d.control.kind === 'pause';
}
