import type { Queryable } from '../db.js';
import { optionalText } from './rows.js';

/** Which release serves a service in an environment, and the one before it (for `slipway rollback`). */
export interface ServiceStateRecord {
  project: string;
  environment: string;
  service: string;
  stableRelease?: string;
  previousRelease?: string;
  updatedAt: Date;
}

function toState(row: Record<string, unknown>): ServiceStateRecord {
  return {
    project: String(row.project),
    environment: String(row.environment),
    service: String(row.service),
    stableRelease: optionalText(row.stable_release),
    previousRelease: optionalText(row.previous_release),
    updatedAt: row.updated_at as Date,
  };
}

/** The state of one service in one environment, if it was ever deployed there. */
export async function getServiceState(
  db: Queryable,
  project: string,
  environment: string,
  service: string,
): Promise<ServiceStateRecord | undefined> {
  const { rows } = await db.query(
    `select * from service_state where project = $1 and environment = $2 and service = $3`,
    [project, environment, service],
  );
  return rows[0] ? toState(rows[0]) : undefined;
}

/** Every service state of a project. */
export async function listServiceStates(db: Queryable, project: string): Promise<ServiceStateRecord[]> {
  const { rows } = await db.query(`select * from service_state where project = $1 order by environment, service`, [
    project,
  ]);
  return rows.map(toState);
}

/** Record a new stable release; the old one becomes `previous` (unless it is the same release). */
export async function setStable(
  db: Queryable,
  project: string,
  environment: string,
  service: string,
  releaseId: string,
): Promise<void> {
  await db.query(
    `insert into service_state (project, environment, service, stable_release) values ($1, $2, $3, $4)
     on conflict (project, environment, service) do update set
       previous_release = case when service_state.stable_release = excluded.stable_release then
         service_state.previous_release else service_state.stable_release end,
       stable_release = excluded.stable_release, updated_at = now()`,
    [project, environment, service, releaseId],
  );
}

/**
 * Promote a release: it becomes the stable one (setStable) and the only one in the service's route weights, at 100.
 * One statement, so atomic and one commit: it was a transaction of four round trips (BEGIN, the two writes, COMMIT),
 * the most of any step of a deployment (bench/scale.ts).
 */
export async function promoteStable(
  db: Queryable,
  key: { project: string; environment: string; service: string },
  releaseId: string,
): Promise<void> {
  await db.query(
    `with stable as (
       insert into service_state (project, environment, service, stable_release) values ($1, $2, $3, $4)
       on conflict (project, environment, service) do update set
         previous_release = case when service_state.stable_release = excluded.stable_release then
           service_state.previous_release else service_state.stable_release end,
         stable_release = excluded.stable_release, updated_at = now()
     ),
     gone as (
       delete from traffic where project = $1 and environment = $2 and service = $3 and release_id <> $4
     )
     insert into traffic (project, environment, service, release_id, role, weight)
     values ($1, $2, $3, $4, 'stable', 100)
     on conflict (project, environment, service, release_id) do update set role = 'stable', weight = 100`,
    [key.project, key.environment, key.service, releaseId],
  );
}
