/** The notification outbox (schema 016): deliveries, the dispatcher's cursor and what services answered. */
import type { Queryable } from '../db.js';
import { jsonParam } from '../params.js';
import { type EventPosition, eventRowsParam, type NewEvent, startOfEvents, toPosition } from './events.js';
import { optionalDate, optionalText } from './rows.js';

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed';

export interface NotifyDelivery {
  id: number;
  /** The idempotency key: event id, subscription index and notification service. */
  key: string;
  eventId: number;
  project?: string;
  environment?: string;
  service?: string;
  deploymentId?: string;
  trigger: string;
  /** The notification service's name and type. */
  target: string;
  targetType: string;
  /** The composed message (src/notify/message.ts); never a URL or token. */
  message: Record<string, unknown>;
  renderError?: string;
  state: DeliveryState;
  attempts: number;
  nextAt: Date;
  lastError?: string;
  lastStatus?: number;
  createdAt: Date;
  sentAt?: Date;
  /** When the last attempt ended (schema 026); none before the first, nor for deliveries ended before that schema. */
  lastAttemptAt?: Date;
}

export type NewNotifyDelivery = Pick<NotifyDelivery, 'key' | 'eventId' | 'trigger' | 'target' | 'targetType'> &
  Partial<Pick<NotifyDelivery, 'project' | 'environment' | 'service' | 'deploymentId' | 'renderError'>> & {
    message: object;
  };

const columns =
  'id, key, event_id, project, environment, service, deployment_id, trigger, target, target_type, message, ' +
  'render_error, state, attempts, next_at, last_error, last_status, created_at, sent_at, last_attempt_at';
/** The same columns of `notify_deliveries d` (in a statement that joins it). */
const columnsOfD = columns.replace(/(\w+)/g, 'd.$1');

function toDelivery(r: Record<string, unknown>): NotifyDelivery {
  return {
    id: Number(r.id),
    key: String(r.key),
    eventId: Number(r.event_id),
    project: optionalText(r.project),
    environment: optionalText(r.environment),
    service: optionalText(r.service),
    deploymentId: optionalText(r.deployment_id),
    trigger: String(r.trigger),
    target: String(r.target),
    targetType: String(r.target_type),
    message: (typeof r.message === 'string' ? JSON.parse(r.message) : r.message) as Record<string, unknown>,
    renderError: optionalText(r.render_error),
    state: r.state as DeliveryState,
    attempts: Number(r.attempts),
    nextAt: r.next_at as Date,
    lastError: optionalText(r.last_error),
    lastStatus: r.last_status === null || r.last_status === undefined ? undefined : Number(r.last_status),
    createdAt: r.created_at as Date,
    sentAt: optionalDate(r.sent_at),
    lastAttemptAt: optionalDate(r.last_attempt_at),
  };
}

/** Where the dispatcher stands in the events (see EventPosition), locked until the transaction ends (one at a time). */
export async function lockCursor(tx: Queryable): Promise<EventPosition> {
  const { rows } = await tx.query('select xid::text as xid, event_id from notify_cursor where id = 1 for update');
  return rows[0] ? toPosition(rows[0].xid, rows[0].event_id) : startOfEvents;
}

/** Where the dispatcher stands, without a lock (what a pass reads from; lockCursor checks it again before moving). */
export async function readCursor(db: Queryable): Promise<EventPosition> {
  const { rows } = await db.query('select xid::text as xid, event_id from notify_cursor where id = 1');
  return rows[0] ? toPosition(rows[0].xid, rows[0].event_id) : startOfEvents;
}

export async function setCursor(tx: Queryable, at: EventPosition): Promise<void> {
  await tx.query('update notify_cursor set xid = $1::xid8, event_id = $2 where id = 1', [at.xid.toString(), at.id]);
}

const deliveryRows = (list: NewNotifyDelivery[]) =>
  list.map((d) => ({
    key: d.key,
    event_id: d.eventId,
    project: d.project ?? null,
    environment: d.environment ?? null,
    service: d.service ?? null,
    deployment_id: d.deploymentId ?? null,
    trigger: d.trigger,
    target: d.target,
    target_type: d.targetType,
    message: d.message,
    render_error: d.renderError ?? null,
    urgent: urgentTriggers.includes(d.trigger),
  }));

/** The insert of deliveries given as `$1` (jsonb), keys that exist skipped; `condition` limits it further. */
const insertDeliveriesSql = (condition = 'true') =>
  `insert into notify_deliveries (key, event_id, project, environment, service, deployment_id, trigger, target,
     target_type, message, render_error, urgent)
   select key, event_id, project, environment, service, deployment_id, trigger, target, target_type, message,
     render_error, urgent
   from jsonb_to_recordset($1::jsonb) as x(key text, event_id bigint, project text, environment text, service text,
     deployment_id text, trigger text, target text, target_type text, message jsonb, render_error text,
     urgent boolean)
   where ${condition}
   order by event_id
   on conflict (key) do nothing`;

/** Insert deliveries (one statement) except those whose key exists (a re-read event); returns how many were new. */
export async function insertNotifyDeliveries(tx: Queryable, list: NewNotifyDelivery[]): Promise<number> {
  if (list.length === 0) return 0;
  const { rowCount } = await tx.query(insertDeliveriesSql(), [jsonParam(deliveryRows(list))]);
  return rowCount;
}

/**
 * What a dispatcher pass writes, in ONE statement: lock the cursor, and only if it still stands at `from` (no other
 * dispatcher moved it since the pass read it) insert the deliveries and move the cursor to `to` (when that is
 * further). Returns how many deliveries were new, or undefined when the cursor had moved (nothing written).
 * One statement rather than a transaction of three: on PGlite a transaction holds the whole store for every round
 * trip of it, and a deployment step's writes waited behind a burst's passes.
 */
export async function writeDispatch(
  db: Queryable,
  from: EventPosition,
  list: NewNotifyDelivery[],
  to: EventPosition,
): Promise<number | undefined> {
  const advance = to.xid > from.xid || (to.xid === from.xid && to.id > from.id);
  const { rows } = await db.query<{ unmoved: number; inserted: number }>(
    `with locked as (select xid, event_id from notify_cursor where id = 1 for update),
          unmoved as (select 1 from locked where xid = $2::xid8 and event_id = $3),
          inserted as (${insertDeliveriesSql('exists (select 1 from unmoved)')} returning 1),
          moved as (
            update notify_cursor set xid = $4::xid8, event_id = $5
             where id = 1 and $6 and exists (select 1 from unmoved) returning 1)
     select (select count(*) from unmoved)::int as unmoved, (select count(*) from inserted)::int as inserted`,
    [jsonParam(deliveryRows(list)), from.xid.toString(), from.id, to.xid.toString(), to.id, advance],
  );
  const row = rows[0];
  return row && Number(row.unmoved) > 0 ? Number(row.inserted) : undefined;
}

/**
 * Sent before anything else that is due: a failing deployment or an incident must not queue behind a burst
 * (the worker also puts them at the head of their notification service's queue in memory). Stored with each
 * delivery (`urgent`) when the dispatcher writes it.
 */
export const urgentTriggers = [
  'on-deployment-failed',
  'on-deployment-rolled-back',
  'on-incident-opened',
  'on-alert-firing',
];

/** Room per notification service (`project/target`) in a worker's queues, for `claimDue`. */
export interface ClaimRoom {
  /** Free places by `project/target` (a project-less delivery is `/target`). */
  rooms: Record<string, number>;
  /** The room of a service not in `rooms`. */
  otherwise: number;
  /** At most this many in all. */
  limit: number;
}

/** The claim's common table expressions and its update (see claimSql). */
const claimCtes = `queues(queue) as (
       (select queue from notify_deliveries where state = 'pending' order by queue limit 1)
       union all
       select (select d.queue from notify_deliveries d where d.state = 'pending' and d.queue > q.queue
               order by d.queue limit 1)
       from queues q where q.queue is not null
     ), candidates as (
       select c.id, c.urgent, c.next_at, q.queue, coalesce(r.value::int, $3) as room
       from queues q
       left join jsonb_each_text($2::jsonb) as r on r.key = q.queue
       cross join lateral (
         (select d.id, d.urgent, d.next_at from notify_deliveries d
          where d.state = 'pending' and d.queue = q.queue and d.urgent and d.next_at <= $1)
         union all
         (select d.id, d.urgent, d.next_at from notify_deliveries d
          where d.state = 'pending' and d.queue = q.queue and not d.urgent and d.next_at <= $1
          order by d.next_at, d.id limit coalesce(r.value::int, $3))
       ) c
       where q.queue is not null
     ), chosen as (
       -- Urgent deliveries take their queue's room first; the rest fill what is left of it.
       select id from (
         select id, urgent, next_at, room,
           row_number() over (partition by queue order by urgent desc, next_at, id) as place
         from candidates
       ) ranked
       where urgent or place <= room
       order by urgent desc, next_at, id limit $4
     )
     -- The chosen rows by primary key. Joined with chosen and checked with state = 'pending', the planner, without
     -- statistics on PGlite (which never analyses), read them through a partial index on that state: every pending
     -- row, in a bitmap hashed against the chosen, for each claim (~5 of a claim's 8 ms with 5,000 pending).
     -- coalesce() (state is never null) is what keeps the partial indexes out of its choice.
     update notify_deliveries d set state = 'sending', attempts = d.attempts + 1
     where d.id = any(array(select id from chosen)) and coalesce(d.state, '') = 'pending'
     returning ${columnsOfD}`;

/**
 * The claim's statement ($1 due time, $2 rooms as jsonb, $3 room of a service not listed, $4 limit); exported for
 * the test of its plan (schema 023: PGlite's planner, which has no statistics, read every pending row on each claim).
 */
export const claimSql = `with recursive ${claimCtes}`;

/**
 * Take due deliveries for one attempt each, in one statement: per notification service at most its room
 * (urgent triggers always, ahead of the rest), urgent first, then oldest first. Taking per service keeps
 * a stuck endpoint's backlog, however long and old, from filling the batch and starving the others. The cost
 * follows what is taken, not what waits: a skip scan of notify_deliveries_queue lists the queues that have pending
 * deliveries, and each queue is read from that index up to its room (schema 021). A delivery another worker took
 * meanwhile is left out (state is checked again when the row is updated). `ended`: attempt ends and their events to
 * write first, in the same statement (finishAndClaimSql), as finishAttempts would.
 */
export async function claimDue(
  db: Queryable,
  now: Date,
  room: ClaimRoom,
  ended?: { ends: AttemptEnd[]; events: readonly NewEvent[] },
): Promise<NotifyDelivery[]> {
  const params = [now, jsonParam(room.rooms), room.otherwise, room.limit];
  const { rows } =
    ended && (ended.ends.length > 0 || ended.events.length > 0)
      ? await db.query(finishAndClaimSql, [...params, endRowsParam(ended.ends), eventRowsParam(ended.events)])
      : await db.query(claimSql, params);
  return rows.map(toDelivery).sort((a, b) => {
    const rank = Number(urgentTriggers.includes(b.trigger)) - Number(urgentTriggers.includes(a.trigger));
    return rank || a.nextAt.getTime() - b.nextAt.getTime() || a.id - b.id;
  });
}

/** How an attempt ended: sent, failed for good, or pending again at `nextAt`. */
export interface AttemptEnd {
  id: number;
  state: 'sent' | 'failed' | 'pending';
  status?: number;
  error?: string;
  nextAt?: Date;
  /** The attempt never reached the receiver: it does not count against the delivery's attempts. */
  uncounted?: boolean;
}

/**
 * Record the ends of many attempts, and the events that tell of them, in one statement (the worker writes them in
 * batches). One statement is atomic without a transaction, and holds the store for that statement only: on PGlite
 * (one connection, in a thread of its own) a transaction held it across a round trip per statement, which a
 * deployment step's writes waited for.
 */
export async function finishAttempts(
  db: Queryable,
  ends: AttemptEnd[],
  events: readonly NewEvent[] = [],
): Promise<void> {
  if (ends.length === 0 && events.length === 0) return;
  await db.query(finishSql, [endRowsParam(ends), eventRowsParam(events)]);
}

/** The statement of finishAttempts ($1 the ends, $2 their events); exported for the test of its plan. */
export const finishSql = `with ${finishCtes('$1', '$2')} select 1`;

/** Ended attempts as the `finishCtes` read them (jsonb). */
function endRowsParam(ends: AttemptEnd[]): string {
  return jsonParam(
    ends.map((e) => ({
      id: e.id,
      state: e.state,
      status: e.status ?? null,
      error: e.error ?? null,
      next_at: e.nextAt?.toISOString() ?? null,
      uncounted: e.uncounted ?? false,
    })),
  );
}

/**
 * The common table expressions that write ended attempts (`ends`, jsonb) and the events that tell of them
 * (`events`): in finishAttempts alone, or ahead of a claim (finishAndClaimSql). Data-modifying, so they run to
 * completion whatever the statement's own query reads of them.
 */
function finishCtes(ends: string, events: string): string {
  return `finished as (
       update notify_deliveries d set state = x.state, last_status = x.status, last_error = x.error,
         next_at = coalesce(x.next_at, d.next_at), sent_at = case when x.state = 'sent' then now() else d.sent_at end,
         last_attempt_at = case when x.uncounted then d.last_attempt_at else now() end,
         attempts = case when x.uncounted then greatest(d.attempts - 1, 0) else d.attempts end
       from jsonb_to_recordset(${ends}::jsonb) as x(id bigint, state text, status integer, error text,
         next_at timestamptz, uncounted boolean)
       -- The rows by primary key whatever the plan: joined on d.id = x.id alone, a plan made while the outbox was
       -- small read all of it (an index scan of every row, hashed against the batch: PGlite never analyses, and
       -- keeps a prepared statement's plan). It was planned at each execution for that, which cost more than the
       -- statement's work (a claim and its batch of 20 ends: 4.2 against 3.4 ms); the claim reaches its rows so too.
       where d.id = x.id and d.id = any(array(select (e ->> 'id')::bigint from jsonb_array_elements(${ends}::jsonb) e))
     ), logged as (
       insert into events (project, deployment_id, service, environment, kind, message, data)
       select project, deployment_id, service, environment, kind, message, data
       from jsonb_to_recordset(${events}::jsonb) as x(project text, deployment_id text, service text,
         environment text, kind text, message text, data jsonb)
     )`;
}

/**
 * The claim with ended attempts written first, in the same statement ($5 the ends, $6 their events, as
 * finishAttempts takes them): the worker's pass carries the ends that wait for their batch, so a burst pays one
 * statement's fixed cost where it paid two. The claim reads the outbox as it was before the statement, so a delivery
 * whose end it writes (sending until then) is never claimed by it; one put back to pending is due later anyway.
 */
export const finishAndClaimSql = `with recursive ${finishCtes('$5', '$6')}, ${claimCtes}`;

/**
 * Claimed deliveries that were never attempted, or whose attempt the coordinator's stop cut short, go back to
 * pending, due now, without counting that attempt against them (the claim counted it).
 */
export async function releaseUnattempted(db: Queryable, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await db.query(
    `update notify_deliveries set state = 'pending', attempts = greatest(attempts - 1, 0), next_at = now()
     where id = any($1::bigint[]) and state = 'sending'`,
    [ids],
  );
  return rowCount;
}

/**
 * Claimed deliveries (`sending`) not among `held` go back to pending, due as before: at a start (nothing held) those
 * a stopped coordinator left mid-send, and later those the running worker lost track of. They are sent again (at least
 * once), with the same idempotency key so the receiver can drop the copy.
 */
export async function releaseInterrupted(db: Queryable, held: number[] = []): Promise<number> {
  const { rowCount } = await db.query(
    `update notify_deliveries set state = 'pending' where state = 'sending' and not (id = any($1::bigint[]))`,
    [held],
  );
  return rowCount;
}

/** One delivery by id. */
export async function getNotifyDelivery(db: Queryable, id: number): Promise<NotifyDelivery | undefined> {
  const { rows } = await db.query(`select ${columns} from notify_deliveries where id = $1`, [id]);
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

/**
 * A delivery that failed for good goes back to pending, due now, with its attempts counted from 0 again (someone fixed
 * the cause: it gets the whole retry budget, not one last attempt). Its last error stays until the next attempt ends.
 * Returns the delivery as it is now, or undefined when it was not failed (nothing changed).
 */
export async function retryFailedDelivery(db: Queryable, id: number): Promise<NotifyDelivery | undefined> {
  const { rows } = await db.query(
    `update notify_deliveries set state = 'pending', attempts = 0, next_at = now()
     where id = $1 and state = 'failed' returning ${columns}`,
    [id],
  );
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

export interface NotifyDeliveryFilter {
  project?: string;
  environment?: string;
  state?: DeliveryState;
  limit?: number;
}

/** Deliveries, newest first. */
export async function listNotifyDeliveries(db: Queryable, f: NotifyDeliveryFilter = {}): Promise<NotifyDelivery[]> {
  const { rows } = await db.query(
    `select ${columns} from notify_deliveries where ($1::text is null or project = $1)
       and ($2::text is null or environment = $2) and ($3::text is null or state = $3)
     order by id desc limit $4`,
    [f.project ?? null, f.environment ?? null, f.state ?? null, f.limit ?? 50],
  );
  return rows.map(toDelivery);
}

/** Whether any delivery is still to be sent (pending or mid-send): one look in the index of those, not a count. */
export async function hasUnsentDeliveries(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `select exists (select 1 from notify_deliveries where state in ('pending', 'sending')) as found`,
  );
  return Boolean(rows[0]?.found);
}

/** Deliveries by notification service type and state (for /metrics). */
export async function countNotifyDeliveries(
  db: Queryable,
): Promise<{ targetType: string; state: DeliveryState; n: number }[]> {
  const { rows } = await db.query<{ target_type: string; state: DeliveryState; n: number }>(
    'select target_type, state, count(*)::int as n from notify_deliveries group by target_type, state',
  );
  return rows.map((r) => ({ targetType: r.target_type, state: r.state, n: Number(r.n) }));
}

/**
 * What a notification service of a project answered that a later message needs (a Jira issue key), if recorded.
 * A ref recorded before refs had a project (schema 021 gave them '') is still found by the service's name.
 */
export async function getNotifyRef(
  db: Queryable,
  project: string | undefined,
  target: string,
  refKey: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>(
    `select value from notify_refs where project in ($1, '') and target = $2 and ref_key = $3
     order by project desc limit 1`,
    [project ?? '', target, refKey],
  );
  return rows[0]?.value;
}

export async function setNotifyRef(
  db: Queryable,
  project: string | undefined,
  target: string,
  refKey: string,
  value: string,
): Promise<void> {
  await db.query(
    `insert into notify_refs (project, target, ref_key, value) values ($1, $2, $3, $4)
     on conflict (project, target, ref_key) do update set value = excluded.value`,
    [project ?? '', target, refKey, value],
  );
}
