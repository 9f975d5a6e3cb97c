import type { Queryable } from '../db.js';
import { type EventPosition, startOfEvents, toPosition } from './events.js';

/** Where a follower of the events table stands (the start when it never ran). */
export async function getEventCursor(db: Queryable, name: string): Promise<EventPosition> {
  const { rows } = await db.query('select after_xid::text as xid, after_id from event_cursors where name = $1', [name]);
  return rows[0] ? toPosition(rows[0].xid, rows[0].after_id) : startOfEvents;
}

/** Move a follower's cursor forward (never back). */
export async function setEventCursor(db: Queryable, name: string, at: EventPosition): Promise<void> {
  await db.query(
    `insert into event_cursors (name, after_xid, after_id) values ($1, $2::xid8, $3)
     on conflict (name) do update
       set after_xid = excluded.after_xid, after_id = excluded.after_id, updated_at = now()
       where (event_cursors.after_xid, event_cursors.after_id) < (excluded.after_xid, excluded.after_id)`,
    [name, at.xid.toString(), at.id],
  );
}
