/**
 * Where a follower of the events table may move its cursor after reading `seen` (ascending ids).
 * Ids come from a sequence: a row with a smaller id can still commit after a larger one (concurrent
 * writers on PostgreSQL), and a rolled-back insert leaves a gap forever. So the cursor passes a gap
 * only once the event after it is `settleMs` old; until then the events after the gap are read again
 * next time, which is harmless because handling an event is idempotent.
 */
export function advanceCursor(cursor: number, seen: { id: number; at: Date }[], now: number, settleMs: number): number {
  let c = cursor;
  for (const e of seen) {
    if (e.id <= c) continue;
    if (e.id !== c + 1 && now - e.at.getTime() < settleMs) break;
    c = e.id;
  }
  return c;
}
