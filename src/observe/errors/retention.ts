import type { Queryable } from '../../store/db.js';

/** How many events each project keeps, and for how long. Issues and their counts stay. */
export interface Retention {
  maxEventsPerProject: number;
  maxAgeMs: number;
}

export const defaultRetention: Retention = { maxEventsPerProject: 100_000, maxAgeMs: 30 * 86_400_000 };

/** Delete events older than the age limit, then each project's oldest past the count limit. */
export async function pruneEvents(db: Queryable, r: Retention, now: Date): Promise<number> {
  const old = await db.query(`delete from error_events where received_at < $1`, [
    new Date(now.getTime() - r.maxAgeMs).toISOString(),
  ]);
  const over = await db.query(
    `delete from error_events e using (
       select project, event_id from (
         select project, event_id,
           row_number() over (partition by project order by received_at desc, event_id desc) as n
         from error_events) ranked
       where n > $1) doomed
     where e.project = doomed.project and e.event_id = doomed.event_id`,
    [r.maxEventsPerProject],
  );
  return old.rowCount + over.rowCount;
}
