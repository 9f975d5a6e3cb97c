import type { StrategyConfig } from '../../config/model.js';
import type { HealthCheck } from '../../runtimes/runtime.js';
import type { Plan } from '../../strategies/plan.js';
import type { Queryable } from '../db.js';
import { isUniqueViolation } from '../sql-errors.js';
import { optionalDate, optionalText } from './rows.js';

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

/** Settings fixed when the deployment was created, so a resumed one behaves the same. */
export interface DeploymentOptions {
  instances: number;
  health: HealthCheck;
  startTimeoutMs: number;
  drainTimeoutMs: number;
  /** The strategy as configured when the deployment was requested (a queued one is re-planned with it). */
  strategyConfig: StrategyConfig;
  /** KEY=VALUE overrides given with --set (already part of the release spec; kept for the record). */
  sets?: Record<string, string>;
  /** Has traffic reached the candidate? Decides between `failed` and `rolled_back`. */
  trafficShifted?: boolean;
  /** Set by `abort`/`rollback` before the executor notices, so a restart still rolls back. */
  abortRequested?: { reason: string; by?: string; outcome: 'rolled_back' | 'failed' };
  /** The plan that was running when the rollback started, and the step it had reached. */
  forward?: { plan: Plan; step: number };
  /** How the rollback ends: `failed` (the candidate never worked) or `rolled_back` (undone on purpose or after serving). */
  outcome?: 'rolled_back' | 'failed';
  /** When the candidate first got traffic (ms since epoch): the canary analysis measures from here. */
  trafficShiftedAt?: number;
  /** `slipway pause` (or an inconclusive analysis): no new step starts until `slipway resume`. */
  paused?: { reason: string; by?: string; at: number };
  /** How many times `slipway resume` was run: a step paused until resumed ends when this grows. */
  resumes?: number;
  /** `slipway promote`: skip the remaining canary steps and shift everything to the candidate. */
  promoteRequested?: { by?: string; at: number };
  /** Analyze steps that ended inconclusive so far. */
  inconclusive?: number;
  /** Expand migrations this deployment applied (ids), for a configured revert on rollback. */
  migrationsApplied?: string[];
  /** Deployed through a freeze with --emergency: shown wherever the deployment appears. */
  emergency?: { reason: string; by?: string };
  /** Revert migrationsApplied when rolling back (database.revertOnRollback at request time). */
  revertMigrationsOnRollback?: boolean;
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
  options: DeploymentOptions;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  updatedAt: Date;
}

const columns =
  'id, project, service, environment, kind, from_release, to_release, strategy, state, plan, step, step_started_at, reason, error, requested_by, options, created_at, started_at, finished_at, updated_at';

function toDeployment(row: Record<string, unknown>): DeploymentRecord {
  return {
    id: String(row.id),
    project: String(row.project),
    service: String(row.service),
    environment: String(row.environment),
    kind: row.kind as DeploymentRecord['kind'],
    fromRelease: optionalText(row.from_release),
    toRelease: String(row.to_release),
    strategy: String(row.strategy),
    state: row.state as DeploymentState,
    plan: row.plan as Plan,
    step: Number(row.step),
    stepStartedAt: optionalDate(row.step_started_at),
    reason: optionalText(row.reason),
    error: (row.error ?? undefined) as DeploymentError | undefined,
    requestedBy: optionalText(row.requested_by),
    options: row.options as DeploymentOptions,
    createdAt: row.created_at as Date,
    startedAt: optionalDate(row.started_at),
    finishedAt: optionalDate(row.finished_at),
    updatedAt: row.updated_at as Date,
  };
}

export type NewDeployment = Pick<
  DeploymentRecord,
  | 'id'
  | 'project'
  | 'service'
  | 'environment'
  | 'kind'
  | 'fromRelease'
  | 'toRelease'
  | 'strategy'
  | 'plan'
  | 'requestedBy'
  | 'options'
> & { state: 'queued' | 'running' };

/** Insert a deployment. A second active one for the same service and environment violates a unique index (SQLSTATE 23505). */
export async function insertDeployment(db: Queryable, d: NewDeployment): Promise<DeploymentRecord> {
  const { rows } = await db.query(
    `insert into deployments (id, project, service, environment, kind, from_release, to_release, strategy, state, plan, requested_by, options, started_at, step_started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, case when $9 = 'running' then now() end, case when $9 = 'running' then now() end)
     returning ${columns}`,
    [
      d.id,
      d.project,
      d.service,
      d.environment,
      d.kind,
      d.fromRelease ?? null,
      d.toRelease,
      d.strategy,
      d.state,
      JSON.stringify(d.plan),
      d.requestedBy ?? null,
      JSON.stringify(d.options),
    ],
  );
  return toDeployment(rows[0]!);
}

/** One deployment, or undefined. */
export async function getDeployment(db: Queryable, id: string): Promise<DeploymentRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from deployments where id = $1`, [id]);
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

export interface DeploymentFilter {
  project?: string;
  service?: string;
  environment?: string;
  states?: DeploymentState[];
  limit?: number;
}

/** Deployments matching the filter, newest first. */
export async function listDeployments(db: Queryable, f: DeploymentFilter = {}): Promise<DeploymentRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from deployments
     where ($1::text is null or project = $1) and ($2::text is null or service = $2) and ($3::text is null or environment = $3)
       and ($4::text[] is null or state = any($4))
     order by created_at desc, id desc limit $5`,
    [f.project ?? null, f.service ?? null, f.environment ?? null, f.states ?? null, f.limit ?? 50],
  );
  return rows.map(toDeployment);
}

/** The running or rolling-back deployment of a service in an environment. */
export async function activeDeployment(
  db: Queryable,
  project: string,
  service: string,
  environment: string,
): Promise<DeploymentRecord | undefined> {
  const [d] = await listDeployments(db, { project, service, environment, states: activeStates, limit: 1 });
  return d;
}

/** The oldest queued deployment of a service in an environment. */
export async function nextQueued(
  db: Queryable,
  project: string,
  service: string,
  environment: string,
): Promise<DeploymentRecord | undefined> {
  const { rows } = await db.query(
    `select ${columns} from deployments where project = $1 and service = $2 and environment = $3 and state = 'queued' order by created_at, id limit 1`,
    [project, service, environment],
  );
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

/** Move to step `step` (the previous one is done). */
export async function advanceStep(db: Queryable, id: string, step: number): Promise<void> {
  await db.query(`update deployments set step = $2, step_started_at = now(), updated_at = now() where id = $1`, [
    id,
    step,
  ]);
}

/** Change state and/or replace the plan; `fields` are only the ones that change. */
export async function updateDeployment(
  db: Queryable,
  id: string,
  fields: Partial<
    Pick<DeploymentRecord, 'state' | 'plan' | 'step' | 'reason' | 'error' | 'options' | 'fromRelease'>
  > & { finished?: boolean; started?: boolean },
): Promise<DeploymentRecord> {
  const { rows } = await db.query(
    `update deployments set
       state = coalesce($2, state),
       plan = coalesce($3::jsonb, plan),
       step = coalesce($4, step),
       step_started_at = case when $4::int is not null then now() else step_started_at end,
       reason = coalesce($5, reason),
       error = coalesce($6::jsonb, error),
       options = coalesce($7::jsonb, options),
       from_release = coalesce($8, from_release),
       finished_at = case when $9 then now() else finished_at end,
       started_at = case when $10 then now() else started_at end,
       updated_at = now()
     where id = $1 returning ${columns}`,
    [
      id,
      fields.state ?? null,
      fields.plan ? JSON.stringify(fields.plan) : null,
      fields.step ?? null,
      fields.reason ?? null,
      fields.error ? JSON.stringify(fields.error) : null,
      fields.options ? JSON.stringify(fields.options) : null,
      fields.fromRelease ?? null,
      fields.finished ?? false,
      fields.started ?? false,
    ],
  );
  if (!rows[0]) throw new Error(`deployment ${id} vanished`);
  return toDeployment(rows[0]);
}

/**
 * Change some option keys atomically (a jsonb merge in the database), so the API (pause,
 * promote, abort) and the executor never overwrite each other's changes. `remove` drops keys.
 */
export async function patchOptions(
  db: Queryable,
  id: string,
  set: Partial<DeploymentOptions>,
  remove: (keyof DeploymentOptions)[] = [],
): Promise<DeploymentRecord> {
  const { rows } = await db.query(
    `update deployments set options = (options || $2::jsonb) - $3::text[], updated_at = now() where id = $1 returning ${columns}`,
    [id, JSON.stringify(set), remove],
  );
  if (!rows[0]) throw new Error(`deployment ${id} vanished`);
  return toDeployment(rows[0]);
}

/** Is this error the one-active-deployment index refusing a second one? */
export function isActiveDeploymentConflict(e: unknown): boolean {
  return isUniqueViolation(e, 'deployments_one_active');
}

/** When a release first finished a successful deployment in an environment (promotion rules), if it did. */
export async function firstSucceededAt(
  db: Queryable,
  project: string,
  service: string,
  environment: string,
  releaseId: string,
): Promise<Date | undefined> {
  const { rows } = await db.query<{ at: Date | null }>(
    `select min(finished_at) as at from deployments
     where project = $1 and service = $2 and environment = $3 and to_release = $4 and state = 'succeeded'`,
    [project, service, environment, releaseId],
  );
  return rows[0]?.at ?? undefined;
}
