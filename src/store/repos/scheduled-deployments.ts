import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

/** A deployment asked for a later time. */
export interface ScheduledDeployment {
  id: string;
  project: string;
  service: string;
  environment: string;
  version: string;
  runAt: Date;
  notifyBeforeMs: number;
  state: 'pending' | 'started' | 'failed' | 'cancelled';
  /** What the deploy request carries besides the release (strategy, emergency). */
  request: { strategy?: string; emergency?: { reason: string } };
  requestedBy?: string;
  deploymentId?: string;
  error?: string;
  noticedAt?: Date;
  /** Set by a cancel: who called it off and, when they said, why. */
  cancelledBy?: string;
  cancelReason?: string;
  /** Still pending, its time come, behind this running deployment of its service (set by markWaiting). */
  waitingBehind?: string;
  waitingSince?: Date;
  /** When it stops waiting and fails (kept from the first wait, so every leader keeps the same bound). */
  waitUntil?: Date;
  createdAt: Date;
}

const columns =
  'id, project, service, environment, version, run_at, notify_before_ms, state, request, requested_by, ' +
  'deployment_id, error, noticed_at, cancelled_by, cancel_reason, waiting_behind, waiting_since, wait_until, ' +
  'created_at';

function toScheduled(r: Record<string, unknown>): ScheduledDeployment {
  return {
    id: String(r.id),
    project: String(r.project),
    service: String(r.service),
    environment: String(r.environment),
    version: String(r.version),
    runAt: r.run_at as Date,
    notifyBeforeMs: Number(r.notify_before_ms),
    state: r.state as ScheduledDeployment['state'],
    request: (r.request ?? {}) as ScheduledDeployment['request'],
    requestedBy: optionalText(r.requested_by),
    deploymentId: optionalText(r.deployment_id),
    error: optionalText(r.error),
    noticedAt: optionalDate(r.noticed_at),
    cancelledBy: optionalText(r.cancelled_by),
    cancelReason: optionalText(r.cancel_reason),
    waitingBehind: optionalText(r.waiting_behind),
    waitingSince: optionalDate(r.waiting_since),
    waitUntil: optionalDate(r.wait_until),
    createdAt: r.created_at as Date,
  };
}

/**
 * A pending schedule a new one would clash with: the same version of the service in the environment (at any time),
 * else another version of it there at the same time; that one first. Called in the transaction that inserts one, after
 * locking the table against other inserts (lockSchedules), so two clashing requests at once cannot both pass.
 */
export async function clashingSchedule(
  db: Queryable,
  s: Pick<ScheduledDeployment, 'project' | 'service' | 'environment' | 'version' | 'runAt'>,
): Promise<ScheduledDeployment | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${columns} from scheduled_deployments
      where project = $1 and service = $2 and environment = $3 and state = 'pending'
        and (version = $4 or run_at = $5)
      order by version = $4 desc, run_at limit 1`,
    [s.project, s.service, s.environment, s.version, s.runAt],
  );
  return rows[0] ? toScheduled(rows[0]) : undefined;
}

/** Hold other schedules' inserts until this transaction ends (reads and the scheduler's claims go on). */
export async function lockSchedules(tx: Queryable): Promise<void> {
  await tx.query('lock table scheduled_deployments in share row exclusive mode');
}

export async function insertScheduled(
  db: Queryable,
  s: Pick<
    ScheduledDeployment,
    'id' | 'project' | 'service' | 'environment' | 'version' | 'runAt' | 'notifyBeforeMs' | 'request' | 'requestedBy'
  >,
): Promise<ScheduledDeployment> {
  const { rows } = await db.query<Record<string, unknown>>(
    `insert into scheduled_deployments (id, project, service, environment, version, run_at, notify_before_ms, state,
       request, requested_by)
     values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) returning ${columns}`,
    [
      s.id,
      s.project,
      s.service,
      s.environment,
      s.version,
      s.runAt,
      s.notifyBeforeMs,
      JSON.stringify(s.request),
      s.requestedBy ?? null,
    ],
  );
  return toScheduled(rows[0]!);
}

export async function getScheduled(db: Queryable, id: string): Promise<ScheduledDeployment | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${columns} from scheduled_deployments where id = $1`,
    [id],
  );
  return rows[0] ? toScheduled(rows[0]) : undefined;
}

/** A project's scheduled deployments, soonest first; pending ones only unless `all`. */
export async function listScheduled(
  db: Queryable,
  f: { project: string; environment?: string; all?: boolean; limit?: number },
): Promise<ScheduledDeployment[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${columns} from scheduled_deployments
      where project = $1 and ($2::text is null or environment = $2) and ($3 or state = 'pending')
      order by run_at, id limit $4`,
    [f.project, f.environment ?? null, f.all ?? false, f.limit ?? 100],
  );
  return rows.map(toScheduled);
}

/** Pending ones whose time has come (run) or whose notice is due and not yet sent (notice). */
export async function listDue(
  db: Queryable,
  now: Date,
): Promise<{ run: ScheduledDeployment[]; notice: ScheduledDeployment[] }> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${columns} from scheduled_deployments
      where state = 'pending' and (run_at <= $1
        or (noticed_at is null and run_at - make_interval(secs => notify_before_ms / 1000.0) <= $1))
      order by run_at, id`,
    [now],
  );
  const all = rows.map(toScheduled);
  return {
    run: all.filter((s) => s.runAt <= now),
    notice: all.filter((s) => !s.noticedAt && s.runAt.getTime() - s.notifyBeforeMs <= now.getTime()),
  };
}

/** When the next pending one falls due (its notice, else its start); undefined when none is pending. */
export async function nextDueAt(db: Queryable): Promise<Date | undefined> {
  const { rows } = await db.query<{ at: Date | null }>(
    `select min(case when noticed_at is null
                  then least(run_at, run_at - make_interval(secs => notify_before_ms / 1000.0))
                  else run_at end) as at
       from scheduled_deployments where state = 'pending'`,
  );
  return rows[0]?.at ? new Date(rows[0].at) : undefined;
}

/**
 * Claim a pending one: true for exactly one caller, however many race (so it starts at most once). A cancel keeps
 * who called it off and why.
 */
export async function claimScheduled(
  db: Queryable,
  id: string,
  to: 'started' | 'cancelled',
  cancelled: { by?: string; reason?: string } = {},
): Promise<boolean> {
  const { rows } = await db.query(
    `update scheduled_deployments set state = $2, cancelled_by = $3, cancel_reason = $4, updated_at = now()
      where id = $1 and state = 'pending' returning id`,
    [
      id,
      to,
      to === 'cancelled' ? (cancelled.by ?? null) : null,
      to === 'cancelled' ? (cancelled.reason ?? null) : null,
    ],
  );
  return rows.length === 1;
}

/**
 * Record that a pending one waits behind deployment `behind`: true for exactly one caller per deployment it waits
 * behind (so its event is recorded once), false when it is no longer pending or already waits behind that one. The
 * first wait sets since and until; a later one (behind the next deployment) keeps them.
 */
export async function markWaiting(
  db: Queryable,
  id: string,
  wait: { behind: string; since: Date; until: Date },
): Promise<boolean> {
  const { rows } = await db.query(
    `update scheduled_deployments set waiting_behind = $2, waiting_since = coalesce(waiting_since, $3),
       wait_until = coalesce(wait_until, $4), updated_at = now()
      where id = $1 and state = 'pending' and waiting_behind is distinct from $2 returning id`,
    [id, wait.behind, wait.since, wait.until],
  );
  return rows.length === 1;
}

/**
 * Put back a claim whose start the engine refused because another deployment began in between (the claimer's own
 * claim: started, no deployment, no error), so it waits instead; true when it was put back.
 */
export async function unclaimScheduled(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query(
    `update scheduled_deployments set state = 'pending', updated_at = now()
      where id = $1 and state = 'started' and deployment_id is null and error is null returning id`,
    [id],
  );
  return rows.length === 1;
}

/** Mark the notice sent; true for exactly one caller. */
export async function markNoticed(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await db.query(
    `update scheduled_deployments set noticed_at = $2, updated_at = now()
      where id = $1 and noticed_at is null and state = 'pending' returning id`,
    [id, at],
  );
  return rows.length === 1;
}

/** Record how a claimed one ended: the deployment it created, or why it could not. */
export async function finishScheduled(
  db: Queryable,
  id: string,
  outcome: { deploymentId: string } | { error: string },
): Promise<void> {
  await db.query(
    `update scheduled_deployments set deployment_id = $2, error = $3, updated_at = now(),
       state = case when $3::text is null then state else 'failed' end
      where id = $1`,
    [id, 'deploymentId' in outcome ? outcome.deploymentId : null, 'error' in outcome ? outcome.error : null],
  );
}
