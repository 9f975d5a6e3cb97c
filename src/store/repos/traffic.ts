import type { Queryable } from '../db.js';

export interface TrafficRecord {
  project: string;
  environment: string;
  service: string;
  releaseId: string;
  role: 'stable' | 'candidate';
  weight: number;
}

function toTraffic(row: Record<string, unknown>): TrafficRecord {
  return {
    project: String(row.project),
    environment: String(row.environment),
    service: String(row.service),
    releaseId: String(row.release_id),
    role: row.role as TrafficRecord['role'],
    weight: Number(row.weight),
  };
}

/** Current weights of a service (or of every service) in an environment. */
export async function listTraffic(
  db: Queryable,
  project: string,
  environment?: string,
  service?: string,
): Promise<TrafficRecord[]> {
  const { rows } = await db.query(
    `select project, environment, service, release_id, role, weight from traffic
     where project = $1 and ($2::text is null or environment = $2) and ($3::text is null or service = $3)
     order by environment, service, role desc`,
    [project, environment ?? null, service ?? null],
  );
  return rows.map(toTraffic);
}

/**
 * Replace a service's weights in an environment: exactly these releases, these roles.
 * A release absent from `entries` no longer takes traffic. One statement, so one commit and atomic without a
 * transaction: a route push reading between a delete and the inserts saw the service without a release (and a weight
 * change cost three commits in a row, bench/scale.ts).
 */
export async function replaceTraffic(
  db: Queryable,
  key: { project: string; environment: string; service: string },
  entries: { releaseId: string; role: 'stable' | 'candidate'; weight: number }[],
  /**
   * Fields merged into a deployment's progress in the same statement (a weight step records when traffic first
   * moved: a statement and a commit of its own, on the way of every such step, bench/scale.ts).
   */
  progress?: { deploymentId: string; fields: Record<string, unknown> },
): Promise<void> {
  // One row per release, the last entry winning as when they were written one by one (an upsert cannot touch a row
  // twice).
  const byRelease = new Map(entries.map((e) => [e.releaseId, e]));
  const rows = [...byRelease.values()];
  await db.query(
    `with gone as (
       delete from traffic
       where project = $1 and environment = $2 and service = $3 and not (release_id = any($4::text[]))
     ),
     progressed as (
       update deployments set progress = progress || $8::jsonb, updated_at = now()
       where $7::text is not null and id = $7
     )
     insert into traffic (project, environment, service, release_id, role, weight)
     select $1, $2, $3, e.release_id, e.role, e.weight
       from unnest($4::text[], $5::text[], $6::int[]) as e(release_id, role, weight)
     on conflict (project, environment, service, release_id)
       do update set role = excluded.role, weight = excluded.weight`,
    [
      key.project,
      key.environment,
      key.service,
      rows.map((e) => e.releaseId),
      rows.map((e) => e.role),
      rows.map((e) => e.weight),
      progress?.deploymentId ?? null,
      progress ? JSON.stringify(progress.fields) : null,
    ],
  );
}
