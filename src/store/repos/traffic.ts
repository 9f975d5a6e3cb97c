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
 * A release absent from `entries` no longer takes traffic.
 */
export async function replaceTraffic(
  db: Queryable,
  key: { project: string; environment: string; service: string },
  entries: { releaseId: string; role: 'stable' | 'candidate'; weight: number }[],
): Promise<void> {
  const ids = entries.map((e) => e.releaseId);
  await db.query(
    `delete from traffic where project = $1 and environment = $2 and service = $3 and not (release_id = any($4))`,
    [key.project, key.environment, key.service, ids],
  );
  for (const e of entries) {
    await db.query(
      `insert into traffic (project, environment, service, release_id, role, weight) values ($1, $2, $3, $4, $5, $6)
       on conflict (project, environment, service, release_id) do update set role = excluded.role, weight =
         excluded.weight`,
      [key.project, key.environment, key.service, e.releaseId, e.role, e.weight],
    );
  }
}
