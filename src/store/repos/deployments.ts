import {
  activeStates,
  freshProgress,
  type ControlKind,
  type ControlRequest,
  type DeploymentError,
  type DeploymentProgress,
  type DeploymentRecord,
  type DeploymentSettings,
  type DeploymentState,
  type DeploymentWatch,
} from '../../model/deployment.js';
import type { Plan } from '../../model/plan.js';
import type { Queryable } from '../db.js';
import { StoreError } from '../errors.js';
import { isUniqueViolation } from '../sql-errors.js';
import { optionalDate, optionalText } from './rows.js';

export {
  activeStates,
  finalStates,
  type DeploymentRecord,
  type DeploymentState,
  type DeploymentError,
} from '../../model/deployment.js';

const columns =
  'id, project, service, environment, kind, from_release, to_release, strategy, state, plan, step, step_started_at, ' +
  'reason, error, requested_by, settings, control, progress, watch, created_at, started_at, finished_at, updated_at';

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
    settings: row.settings as DeploymentSettings,
    control: row.control as ControlRequest,
    progress: { ...freshProgress, ...(row.progress as Partial<DeploymentProgress>) },
    ...(row.watch ? { watch: row.watch as DeploymentWatch } : {}),
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
  | 'settings'
> & { state: 'queued' | 'running'; reason?: string };

/** Insert a deployment. A second active one for the same service and environment violates a unique index (SQLSTATE
 * 23505). */
export async function insertDeployment(db: Queryable, d: NewDeployment): Promise<DeploymentRecord> {
  const { rows } = await db.query(
    `insert into deployments (id, project, service, environment, kind, from_release, to_release, strategy, state, plan,
       requested_by, settings, progress, reason, started_at, step_started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
       case when $9 = 'running' then now() end, case when $9 = 'running' then now() end)
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
      JSON.stringify(d.settings),
      JSON.stringify(freshProgress),
      d.reason ?? null,
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
     where ($1::text is null or project = $1) and ($2::text is null or service = $2)
       and ($3::text is null or environment = $3) and ($4::text[] is null or state = any($4))
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

/** The deployments that move or revert the components of a rollout, oldest first. */
export async function listRolloutDeployments(db: Queryable, rollout: string): Promise<DeploymentRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from deployments where settings ->> 'rollout' = $1 order by created_at, id`,
    [rollout],
  );
  return rows.map(toDeployment);
}

/** The oldest queued deployment of a service in an environment. */
export async function nextQueued(
  db: Queryable,
  project: string,
  service: string,
  environment: string,
): Promise<DeploymentRecord | undefined> {
  const { rows } = await db.query(
    `select ${columns} from deployments where project = $1 and service = $2 and environment = $3 and state = 'queued'
     order by created_at, id limit 1`,
    [project, service, environment],
  );
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

/** The fields `updateDeployment` may change; only the ones given change. */
export type DeploymentUpdate = Partial<
  Pick<DeploymentRecord, 'state' | 'plan' | 'step' | 'reason' | 'error' | 'fromRelease' | 'control' | 'progress'>
> & { finished?: boolean; started?: boolean };

/** Change state, plan, step, control or progress (each replaced whole); `fields` are only the ones that change. */
export async function updateDeployment(db: Queryable, id: string, fields: DeploymentUpdate): Promise<DeploymentRecord> {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  const { rows } = await db.query(
    `update deployments set
       state = coalesce($2, state),
       plan = coalesce($3::jsonb, plan),
       step = coalesce($4, step),
       step_started_at = case when $4::int is not null then now() else step_started_at end,
       reason = coalesce($5, reason),
       error = coalesce($6::jsonb, error),
       from_release = coalesce($7, from_release),
       control = coalesce($8::jsonb, control),
       progress = coalesce($9::jsonb, progress),
       finished_at = case when $10 then now() else finished_at end,
       started_at = case when $11 then now() else started_at end,
       updated_at = now()
     where id = $1 returning ${columns}`,
    [
      id,
      fields.state ?? null,
      json(fields.plan),
      fields.step ?? null,
      fields.reason ?? null,
      json(fields.error),
      fields.fromRelease ?? null,
      json(fields.control),
      json(fields.progress),
      fields.finished ?? false,
      fields.started ?? false,
    ],
  );
  if (!rows[0]) throw new StoreError('not_found', `deployment ${id} vanished`);
  return toDeployment(rows[0]);
}

/**
 * Replace the control request, but only while the deployment is running and its current request
 * is one of `whenKinds` (a compare-and-set, so the API, the judge and the executor never
 * overwrite each other's requests). Undefined when the condition did not hold.
 */
export async function setControl(
  db: Queryable,
  id: string,
  request: ControlRequest,
  whenKinds: readonly ControlKind[],
): Promise<DeploymentRecord | undefined> {
  const { rows } = await db.query(
    `update deployments set control = $2::jsonb, updated_at = now()
     where id = $1 and state = 'running' and control ->> 'kind' = any($3::text[])
     returning ${columns}`,
    [id, JSON.stringify(request), whenKinds],
  );
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

/** Merge some progress fields (a jsonb merge in the database, so concurrent writers keep each other's fields). */
export async function patchProgress(
  db: Queryable,
  id: string,
  fields: Partial<DeploymentProgress>,
): Promise<DeploymentRecord> {
  const { rows } = await db.query(
    `update deployments set progress = progress || $2::jsonb, updated_at = now() where id = $1 returning ${columns}`,
    [id, JSON.stringify(fields)],
  );
  if (!rows[0]) throw new StoreError('not_found', `deployment ${id} vanished`);
  return toDeployment(rows[0]);
}

/**
 * Record a deployment's post-deploy watch. `whenState` makes it a compare-and-set on the watch's
 * current state (e.g. end only a watch still `watching`); undefined when that did not hold.
 */
export async function setWatch(
  db: Queryable,
  id: string,
  watch: DeploymentWatch,
  whenState?: DeploymentWatch['state'],
): Promise<DeploymentRecord | undefined> {
  const { rows } = await db.query(
    `update deployments set watch = $2::jsonb, updated_at = now()
     where id = $1 and ($3::text is null or watch ->> 'state' = $3) returning ${columns}`,
    [id, JSON.stringify(watch), whenState ?? null],
  );
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

/** Deployments whose post-deploy watch is running, optionally of one service in one environment. */
export async function listWatching(
  db: Queryable,
  where: { project?: string; service?: string; environment?: string } = {},
): Promise<DeploymentRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from deployments where watch ->> 'state' = 'watching'
       and ($1::text is null or project = $1) and ($2::text is null or service = $2)
       and ($3::text is null or environment = $3)
     order by finished_at`,
    [where.project ?? null, where.service ?? null, where.environment ?? null],
  );
  return rows.map(toDeployment);
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

/** The latest finished deployment (not a rollback) of a release to an environment: how its last try there ended. */
export async function lastFinishedDeploymentOf(
  db: Queryable,
  project: string,
  service: string,
  environment: string,
  releaseId: string,
): Promise<DeploymentRecord | undefined> {
  const { rows } = await db.query(
    `select ${columns} from deployments
     where project = $1 and service = $2 and environment = $3 and to_release = $4 and kind = 'deploy'
       and finished_at is not null
     order by finished_at desc, id desc limit 1`,
    [project, service, environment, releaseId],
  );
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

/** What the overview shows of each service in each environment: its deployment in flight and its last other one. */
export interface LatestDeployments {
  active: DeploymentRecord[];
  last: DeploymentRecord[];
}

/**
 * For each (service, environment) pair: the running or rolling-back deployment, and the newest one that is neither
 * that nor queued. Two queries whatever the history's length: each pair reads one index entry
 * (deployments_by_service) instead of the project's whole history.
 */
export async function latestDeployments(
  db: Queryable,
  project: string,
  pairs: { service: string; environment: string }[],
): Promise<LatestDeployments> {
  const [active, last] = await Promise.all([
    db.query(`select ${columns} from deployments where project = $1 and state = any($2::text[])`, [
      project,
      activeStates,
    ]),
    db.query(
      `select d.* from unnest($2::text[], $3::text[]) as k(service, environment)
       cross join lateral (
         select ${columns} from deployments
         where project = $1 and service = k.service and environment = k.environment
           and state <> all($4::text[])
         order by created_at desc, id desc limit 1
       ) d`,
      [project, pairs.map((p) => p.service), pairs.map((p) => p.environment), [...activeStates, 'queued']],
    ),
  ]);
  return { active: active.rows.map(toDeployment), last: last.rows.map(toDeployment) };
}
