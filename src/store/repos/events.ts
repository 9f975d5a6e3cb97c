import type { Queryable } from '../db.js';

export interface EventRecord {
  id: number;
  project?: string;
  deploymentId?: string;
  service?: string;
  environment?: string;
  /** Dotted name, e.g. deployment.step.started, instance.crashed, traffic.shifted. */
  kind: string;
  message: string;
  data: Record<string, unknown>;
  at: Date;
}

export type NewEvent = Omit<EventRecord, 'id' | 'at'>;

export function toEvent(row: Record<string, unknown>): EventRecord {
  return {
    id: Number(row.id),
    project: (row.project ?? undefined) as string | undefined,
    deploymentId: (row.deployment_id ?? undefined) as string | undefined,
    service: (row.service ?? undefined) as string | undefined,
    environment: (row.environment ?? undefined) as string | undefined,
    kind: String(row.kind),
    message: String(row.message),
    data: (row.data ?? {}) as Record<string, unknown>,
    at: row.at as Date,
  };
}

/** Append an event; returns it with its id. */
export async function appendEvent(db: Queryable, e: NewEvent): Promise<EventRecord> {
  const { rows } = await db.query(
    `insert into events (project, deployment_id, service, environment, kind, message, data) values ($1, $2, $3, $4,
      $5, $6, $7)
     returning id, project, deployment_id, service, environment, kind, message, data, at`,
    [
      e.project ?? null,
      e.deploymentId ?? null,
      e.service ?? null,
      e.environment ?? null,
      e.kind,
      e.message,
      JSON.stringify(e.data),
    ],
  );
  return toEvent(rows[0]!);
}

export interface EventFilter {
  project?: string;
  deploymentId?: string;
  service?: string;
  environment?: string;
  /** Only events with a larger id. */
  after?: number;
  limit?: number;
}

/** Events in id order (oldest first). */
export async function listEvents(db: Queryable, f: EventFilter = {}): Promise<EventRecord[]> {
  const { rows } = await db.query(
    `select id, project, deployment_id, service, environment, kind, message, data, at from events
     where ($1::text is null or project = $1) and ($2::text is null or deployment_id = $2) and ($3::text is null or
       service = $3)
       and ($4::text is null or environment = $4) and id > $5
     order by id limit $6`,
    [f.project ?? null, f.deploymentId ?? null, f.service ?? null, f.environment ?? null, f.after ?? 0, f.limit ?? 500],
  );
  return rows.map(toEvent);
}

/** A deployment's newest event of one kind before event `before` (events_by_deployment serves it). */
export async function lastDeploymentEvent(
  db: Queryable,
  f: { deploymentId: string; kind: string; before: number },
): Promise<EventRecord | undefined> {
  const { rows } = await db.query(
    `select id, project, deployment_id, service, environment, kind, message, data, at from events
     where deployment_id = $1 and id < $3 and kind = $2 order by id desc limit 1`,
    [f.deploymentId, f.kind, f.before],
  );
  return rows[0] ? toEvent(rows[0]) : undefined;
}

/**
 * Events after `after` (oldest first) but those in `except`: a tail that reads the same window again for late commits
 * gets only what it has not seen, instead of parsing the window's rows every time.
 */
export async function listEventsExcept(
  db: Queryable,
  f: { after: number; except: number[]; limit: number },
): Promise<EventRecord[]> {
  const { rows } = await db.query(
    `select id, project, deployment_id, service, environment, kind, message, data, at from events
     where id > $1 and id not in (select unnest($2::bigint[])) order by id limit $3`,
    [f.after, f.except, f.limit],
  );
  return rows.map(toEvent);
}

/**
 * Where a follower of the events table stands: it has handled every event at or before (xid, id), in the order of
 * the transactions that wrote them (schema 020). Events stored before that schema are transaction 0.
 */
export interface EventPosition {
  xid: bigint;
  id: number;
}

export const startOfEvents: EventPosition = { xid: 0n, id: 0 };

export const comparePositions = (a: EventPosition, b: EventPosition): number =>
  a.xid === b.xid ? a.id - b.id : a.xid < b.xid ? -1 : 1;

/** A position as stored (xid8 travels as text: it does not fit a JS number). */
export const toPosition = (xid: unknown, id: unknown): EventPosition => ({ xid: BigInt(String(xid)), id: Number(id) });

/** An event and its place in the order followers read. */
export interface FollowedEvent extends EventRecord {
  position: EventPosition;
}

/**
 * The xid below which every transaction that could write events has ended: the snapshot's oldest running xid, not
 * counting those that pg_stat_activity shows in other databases of the server (they cannot write this database's
 * events: a long migration or load in an application's database on the same server must not hold Slipway's
 * followers back for its whole duration). An xid whose backend is not seen (it just ended, or its database is not
 * visible to this role) still counts, so the bound is never too high. backend_xid is a 32-bit xid: compared with
 * the low 32 bits of the snapshot's xid8 (running xids are within 2^31 of each other).
 */
const finishedBound = `with snap as (select pg_current_snapshot() as s),
  bound as (
    select coalesce(
      (select min(x) from pg_snapshot_xip(snap.s) x
        where not exists (
          select 1 from pg_stat_activity a
          where a.backend_xid is not null and a.datname is distinct from current_database()
            and a.backend_xid::text::bigint = x::text::bigint % 4294967296)),
      pg_snapshot_xmax(snap.s)) as xmin
    from snap)`;

/**
 * Events after `after` (of these kinds, if given) whose transactions had all ended when read: those below the
 * bound (`finishedBound`). Every transaction of this database still running, or yet to start, has an xid at or above
 * it, so no event can
 * later appear before the returned position — reading by id alone, a lower id committed after a higher one was
 * passed unread and lost. Returns the events oldest first, how far the read got (the last event returned when
 * `limit` was reached, else the xmin itself: the other kinds up to it are skipped unread), and whether events of
 * these kinds wait behind a transaction still running (`heldBack`: read again soon, not at the next poll).
 */
export async function listFinishedEvents(
  db: Queryable,
  f: { after: EventPosition; kinds?: string[]; limit: number },
): Promise<{ events: FollowedEvent[]; readTo: EventPosition; heldBack: boolean }> {
  const { rows } = await db.query(
    `${finishedBound}
     select bound.xmin::text as bound, exists (
         select 1 from events where xid >= bound.xmin and ($3::text[] is null or kind = any($3::text[]))
       ) as held_back,
       e.id, e.xid::text as xid, e.project, e.deployment_id, e.service, e.environment, e.kind, e.message, e.data, e.at
     from bound left join lateral (
       select * from events
       where (xid, id) > ($1::xid8, $2::bigint) and xid < bound.xmin and ($3::text[] is null or kind = any($3::text[]))
       order by xid, id limit $4
     ) e on true`,
    [f.after.xid.toString(), f.after.id, f.kinds ?? null, f.limit],
  );
  const first = rows[0]!;
  const events = rows
    .filter((r) => r.id !== null && r.id !== undefined)
    .map((r) => ({ ...toEvent(r), position: toPosition(r.xid, r.id) }));
  const bound = { xid: BigInt(String(first.bound)), id: 0 };
  const readTo =
    events.length === f.limit ? events.at(-1)!.position : comparePositions(bound, f.after) > 0 ? bound : f.after;
  return { events, readTo, heldBack: Boolean(first.held_back) };
}

/** Whether any event is stored after `after` (a cheap look before a follower's pass). */
export async function hasEventsAfter(db: Queryable, after: EventPosition): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    'select exists (select 1 from events where (xid, id) > ($1::xid8, $2::bigint)) as found',
    [after.xid.toString(), after.id],
  );
  return Boolean(rows[0]?.found);
}

/** The position of the newest stored event (where a follower that starts "now" begins). */
export async function newestEventPosition(db: Queryable): Promise<EventPosition> {
  const { rows } = await db.query('select xid::text as xid, id from events order by xid desc, id desc limit 1');
  return rows[0] ? toPosition(rows[0].xid, rows[0].id) : startOfEvents;
}

/** The id of the newest stored event, 0 when there is none (where a stream that starts "now" begins). */
export async function lastEventId(db: Queryable): Promise<number> {
  const { rows } = await db.query('select coalesce(max(id), 0) as id from events');
  return Number(rows[0]?.id ?? 0);
}

/**
 * Append several events in one statement and return them stored, in the list's order (ids ascend in that order: the
 * rows are inserted by their position in the list).
 */
export async function appendEventsReturning(db: Queryable, list: readonly NewEvent[]): Promise<EventRecord[]> {
  if (list.length === 0) return [];
  const { rows } = await db.query(
    `insert into events (project, deployment_id, service, environment, kind, message, data)
     select project, deployment_id, service, environment, kind, message, data
     from rows from (jsonb_to_recordset($1::jsonb) as (project text, deployment_id text, service text,
       environment text, kind text, message text, data jsonb)) with ordinality as x(project, deployment_id, service,
       environment, kind, message, data, n)
     order by n
     returning id, project, deployment_id, service, environment, kind, message, data, at`,
    [JSON.stringify(list.map(eventRow))],
  );
  return rows.map(toEvent).sort((a, b) => a.id - b.id);
}

/** Events as the jsonb parameter of an insert from jsonb_to_recordset (appendEvents, finishAttempts). */
export function eventRowsParam(list: readonly NewEvent[]): string {
  return JSON.stringify(list.map(eventRow));
}

function eventRow(e: NewEvent) {
  return {
    project: e.project ?? null,
    deployment_id: e.deploymentId ?? null,
    service: e.service ?? null,
    environment: e.environment ?? null,
    kind: e.kind,
    message: e.message,
    data: e.data,
  };
}

/** Append several events in one statement (a batch of error issues), read in the list's order. */
export async function appendEvents(db: Queryable, list: NewEvent[]): Promise<void> {
  if (list.length === 0) return;
  await db.query(
    `insert into events (project, deployment_id, service, environment, kind, message, data)
     select project, deployment_id, service, environment, kind, message, data
     from jsonb_to_recordset($1::jsonb) as x(project text, deployment_id text, service text, environment text,
       kind text, message text, data jsonb)`,
    [JSON.stringify(list.map(eventRow))],
  );
}
