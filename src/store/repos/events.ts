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
     where id > $1 and id <> all($2::bigint[]) order by id limit $3`,
    [f.after, f.except, f.limit],
  );
  return rows.map(toEvent);
}

/**
 * Events of these kinds after `after`, oldest first, and how far the read got: the id of the last event
 * returned when `limit` was reached, else the newest event id seen (so a reader that keeps a cursor skips
 * the other kinds without reading them).
 */
export async function listEventsOfKinds(
  db: Queryable,
  f: { after: number; kinds: string[]; limit: number },
): Promise<{ events: EventRecord[]; readTo: number }> {
  const newest = await lastEventId(db);
  const { rows } = await db.query(
    `select id, project, deployment_id, service, environment, kind, message, data, at from events
     where id > $1 and id <= $2 and kind = any($3::text[]) order by id limit $4`,
    [f.after, newest, f.kinds, f.limit],
  );
  const events = rows.map(toEvent);
  return { events, readTo: events.length === f.limit ? events.at(-1)!.id : Math.max(f.after, newest) };
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
