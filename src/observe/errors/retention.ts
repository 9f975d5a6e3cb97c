import type { Queryable } from '../../store/db.js';

/** How many events each project keeps, and for how long. Issues and their counts stay. */
export interface Retention {
  maxEventsPerProject: number;
  maxAgeMs: number;
}

export const defaultRetention: Retention = { maxEventsPerProject: 100_000, maxAgeMs: 30 * 86_400_000 };

/**
 * Delete events older than the age limit, then each project's oldest past the count limit. Every 30 s on a table
 * of up to 100,000 events per project: a project under its limit costs one count on an index, and one over it a
 * sort of its excess only (the events since the last prune), not a ranking of the whole table (a window function
 * over every row, as this did before, grew with the table and held PGlite's one connection meanwhile).
 */
export async function pruneEvents(db: Queryable, r: Retention, now: Date): Promise<number> {
  const old = await db.query(`delete from error_events where received_at < $1`, [
    new Date(now.getTime() - r.maxAgeMs).toISOString(),
  ]);
  let removed = old.rowCount;
  // The projects that have events: a skip scan of the primary key (project first), one index probe per project.
  const { rows } = await db.query<{ project: string; n: number }>(
    `with recursive projects(project) as (
       (select project from error_events order by project limit 1)
       union all
       select (select e.project from error_events e where e.project > p.project order by e.project limit 1)
         from projects p where p.project is not null)
     select project, (select count(*) from error_events e where e.project = projects.project)::int as n
       from projects where project is not null`,
  );
  for (const { project, n } of rows) {
    const excess = Number(n) - r.maxEventsPerProject;
    if (excess <= 0) continue;
    const over = await db.query(
      `delete from error_events where project = $1 and event_id in (
         select event_id from error_events where project = $1 order by received_at, event_id limit $2)`,
      [project, excess],
    );
    removed += over.rowCount;
  }
  return removed;
}
