import type { Queryable } from '../db.js';

/** A finished deployment as the delivery figures read it. */
export interface DeploymentOutcome {
  id: string;
  environment: string;
  service: string;
  kind: 'deploy' | 'rollback';
  state: 'succeeded' | 'rolled_back' | 'failed';
  fromRelease?: string;
  toRelease: string;
  startedAt: Date;
  finishedAt: Date;
  /** When traffic first moved to its candidate (ms since the epoch); absent: it never served. */
  trafficShiftedAt?: number;
  regressed: boolean;
  watchRolledBack: boolean;
}

/**
 * Deployments that finished in [since, until + grace): the grace lets a rollback made just after the period still
 * count against a deployment inside it. Cancelled ones never ran and are left out, and so are restarts (the stable
 * release started again after `slipway down`): they change nothing.
 */
export async function listDeploymentOutcomes(
  db: Queryable,
  f: { project: string; since: Date; until: Date; graceMs: number; environment?: string; service?: string },
): Promise<DeploymentOutcome[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select id, environment, service, kind, state, from_release, to_release,
            coalesce(started_at, created_at) as started_at, finished_at,
            (progress->>'trafficShiftedAt')::double precision as traffic_shifted_at,
            coalesce(watch->>'state' = 'regressed', false) as regressed,
            coalesce(watch->>'state' = 'regressed' and watch->>'rollback' is not null, false) as watch_rolled_back
       from deployments
      where project = $1 and state in ('succeeded', 'rolled_back', 'failed') and finished_at is not null
        and settings->>'restart' is null
        and finished_at >= $2 and finished_at < $3::timestamptz + make_interval(secs => $4::double precision / 1000)
        and ($5::text is null or environment = $5) and ($6::text is null or service = $6)
      order by finished_at, id`,
    [f.project, f.since, f.until, f.graceMs, f.environment ?? null, f.service ?? null],
  );
  return rows.map((r) => ({
    id: String(r.id),
    environment: String(r.environment),
    service: String(r.service),
    kind: r.kind as DeploymentOutcome['kind'],
    state: r.state as DeploymentOutcome['state'],
    ...(r.from_release ? { fromRelease: String(r.from_release) } : {}),
    toRelease: String(r.to_release),
    startedAt: r.started_at as Date,
    finishedAt: r.finished_at as Date,
    ...(r.traffic_shifted_at === null ? {} : { trafficShiftedAt: Number(r.traffic_shifted_at) }),
    regressed: r.regressed === true,
    watchRolledBack: r.watch_rolled_back === true,
  }));
}

/**
 * When each environment's first deployment started (before `until`; restarts and cancelled ones too are only ever
 * after one): the delivery figures measure up time from then.
 */
export async function listFirstDeployments(
  db: Queryable,
  f: { project: string; until: Date; environment?: string; service?: string },
): Promise<{ environment: string; startedAt: Date }[]> {
  const { rows } = await db.query<{ environment: string; started_at: Date }>(
    `select environment, min(started_at) as started_at from deployments
      where project = $1 and started_at is not null and started_at < $2
        and ($3::text is null or environment = $3) and ($4::text is null or service = $4)
      group by environment`,
    [f.project, f.until, f.environment ?? null, f.service ?? null],
  );
  return rows.map((r) => ({ environment: String(r.environment), startedAt: r.started_at }));
}

/** `incident.*` events of a project up to `until`, oldest first (the incidents capability writes them). */
export async function listIncidentEvents(
  db: Queryable,
  f: { project: string; until: Date },
): Promise<{ kind: string; environment?: string; service?: string; at: Date; data: Record<string, unknown> }[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select kind, environment, service, at, data from events
      where project = $1 and kind in ('incident.opened', 'incident.resolved') and at < $2
      order by id`,
    [f.project, f.until],
  );
  return rows.map((r) => ({
    kind: String(r.kind),
    ...(r.environment ? { environment: String(r.environment) } : {}),
    ...(r.service ? { service: String(r.service) } : {}),
    at: r.at as Date,
    data: (r.data ?? {}) as Record<string, unknown>,
  }));
}

/**
 * The deployments linked to a project's incidents, as the store keeps them: an incident's events carry its links
 * when written, but a deployment that joins an open incident later is only a row of incident_links.
 */
export async function listIncidentDeploymentLinks(
  db: Queryable,
  f: { project: string },
): Promise<{ incident: string; deployment: string }[]> {
  const { rows } = await db.query<{ incident_id: string; ref: string }>(
    `select l.incident_id, l.ref from incident_links l join incidents i on i.id = l.incident_id
      where i.project = $1 and l.kind = 'deployment' order by l.added_at, l.ref`,
    [f.project],
  );
  return rows.map((r) => ({ incident: String(r.incident_id), deployment: String(r.ref) }));
}

/** Lead times for changes (commit → succeeded) of deployments that finished in the period, per environment. */
export async function listPeriodLeadTimes(
  db: Queryable,
  f: { project: string; since: Date; until: Date; environment?: string; service?: string },
): Promise<{ environment: string; leadTimeMs: number }[]> {
  // The Four Keys lead time query, on Slipway's tables: the change's commit time to its deployment's end.
  const { rows } = await db.query<Record<string, unknown>>(
    `select d.environment, extract(epoch from (d.finished_at - c.committed_at)) * 1000 as lead_ms
       from deployments d
       join releases r on r.id = d.to_release
       join release_commits c on c.project = r.project and c.service = r.service and c.version = r.version
      where d.project = $1 and d.kind = 'deploy' and d.state = 'succeeded'
        and d.finished_at >= $2 and d.finished_at < $3
        and ($4::text is null or d.environment = $4) and ($5::text is null or d.service = $5)`,
    [f.project, f.since, f.until, f.environment ?? null, f.service ?? null],
  );
  return rows.map((r) => ({ environment: String(r.environment), leadTimeMs: Number(r.lead_ms) }));
}
