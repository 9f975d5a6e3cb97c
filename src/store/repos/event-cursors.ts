import type { Queryable } from '../db.js';

/** The last event id a follower of the events table has handled (0 when it never ran). */
export async function getEventCursor(db: Queryable, name: string): Promise<number> {
  const { rows } = await db.query<{ after_id: number }>('select after_id from event_cursors where name = $1', [name]);
  return rows[0] ? Number(rows[0].after_id) : 0;
}

/** Move a follower's cursor forward (never back). */
export async function setEventCursor(db: Queryable, name: string, afterId: number): Promise<void> {
  await db.query(
    `insert into event_cursors (name, after_id) values ($1, $2)
     on conflict (name) do update
       set after_id = greatest(event_cursors.after_id, excluded.after_id), updated_at = now()`,
    [name, afterId],
  );
}
