/**
 * Followers of the events table order events by the transaction that wrote them (schema 020: events.xid, and the
 * cursors of the notification dispatcher and of event_cursors). A store restored into another PostgreSQL cluster
 * (a dump restored elsewhere) keeps the old cluster's transaction ids, which may lie ahead of the new cluster's:
 * every new event would then sort before the cursors, and nothing would be notified or followed until the new
 * cluster's ids caught up. A stored position at or past the snapshot's xmax (the first transaction id not given out
 * when the statement began; unlike the current transaction's id, no transaction begun meanwhile can pass it) can
 * only come from such a restore. Those move to transaction 0, where events keep their id order before every new
 * event, so a cursor (0, id) still stands right after the events it had read.
 */
import type { Db } from './db.js';

/** Move stored event positions from another cluster's transaction ids to 0; returns how many events moved. */
export async function realignEventTransactions(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ ahead: boolean }>(
      `select exists (select 1 from events where xid >= pg_snapshot_xmax(pg_current_snapshot()))
         or exists (select 1 from notify_cursor where xid >= pg_snapshot_xmax(pg_current_snapshot()))
         or exists (select 1 from event_cursors where after_xid >= pg_snapshot_xmax(pg_current_snapshot())) as ahead`,
    );
    if (!rows[0]?.ahead) return 0;
    const { rowCount } = await tx.query(
      `update events set xid = '0' where xid >= pg_snapshot_xmax(pg_current_snapshot())`,
    );
    await tx.query(`update notify_cursor set xid = '0' where xid >= pg_snapshot_xmax(pg_current_snapshot())`);
    await tx.query(
      `update event_cursors set after_xid = '0' where after_xid >= pg_snapshot_xmax(pg_current_snapshot())`,
    );
    return rowCount;
  });
}
