import { gunzipSync } from 'node:zlib';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';

/** One release in one environment of an issue. `isNew`: the first release this environment saw the issue in. */
export interface IssueCount {
  release: string;
  environment: string;
  events: number;
  users: number;
  firstSeen: Date;
  lastSeen: Date;
  isNew: boolean;
}

export interface IssueRecord {
  id: string;
  project: string;
  title: string;
  culprit?: string;
  exceptionType?: string;
  level: string;
  unhandled: boolean;
  status: IssueStatus;
  statusChangedAt?: Date;
  firstSeen: Date;
  lastSeen: Date;
  firstRelease: string;
  /** All events, every environment (the counts below are limited to what was asked and may be seen). */
  events: number;
  regressedAt?: Date;
  regressedRelease?: string;
  counts: IssueCount[];
}

export interface IssueFilter {
  project: string;
  /** Environments to include; '*' for all. */
  environments: string[] | '*';
  release?: string;
  status?: IssueStatus;
  id?: string;
  limit?: number;
}

/** Issues with events in the filter's scope, most recently seen first, with their counts per release/environment. */
export async function listIssues(db: Queryable, f: IssueFilter): Promise<IssueRecord[]> {
  const envs = f.environments === '*' ? null : f.environments;
  const { rows } = await db.query(
    `select i.*, max(c.last_seen) as seen_in_scope from error_issues i join error_issue_counts c on c.issue_id = i.id
     where i.project = $1 and ($2::text[] is null or c.environment = any($2::text[])) and ($3::text is null or
       c.release = $3) and ($4::text is null or i.status = $4) and ($5::text is null or i.id = $5)
     group by i.id order by seen_in_scope desc limit $6`,
    [f.project, envs, f.release ?? null, f.status ?? null, f.id ?? null, f.limit ?? 100],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const counts = await db.query(
    `select c.issue_id, c.release, c.environment, c.event_count, c.first_seen, c.last_seen,
       (select count(*) from error_issue_users u where u.issue_id = c.issue_id and u.release = c.release and
         u.environment = c.environment)::int as users,
       not exists (select 1 from error_issue_counts o where o.issue_id = c.issue_id and o.environment = c.environment
         and o.first_seen < c.first_seen) as is_new
     from error_issue_counts c where c.issue_id = any($1::text[]) and ($2::text[] is null or c.environment =
       any($2::text[]))
     order by c.last_seen desc`,
    [ids, envs],
  );
  const byIssue = new Map<string, IssueCount[]>();
  for (const c of counts.rows) {
    const list = byIssue.get(String(c.issue_id)) ?? [];
    list.push({
      release: String(c.release),
      environment: String(c.environment),
      events: Number(c.event_count),
      users: Number(c.users),
      firstSeen: c.first_seen as Date,
      lastSeen: c.last_seen as Date,
      isNew: Boolean(c.is_new),
    });
    byIssue.set(String(c.issue_id), list);
  }
  return rows.map((r) => ({
    id: String(r.id),
    project: String(r.project),
    title: String(r.title),
    culprit: optionalText(r.culprit),
    exceptionType: optionalText(r.exception_type),
    level: String(r.level),
    unhandled: Boolean(r.unhandled),
    status: r.status as IssueStatus,
    statusChangedAt: optionalDate(r.status_changed_at),
    firstSeen: r.first_seen as Date,
    lastSeen: r.last_seen as Date,
    firstRelease: String(r.first_release),
    events: Number(r.event_count),
    regressedAt: optionalDate(r.regressed_at),
    regressedRelease: optionalText(r.regressed_release),
    counts: byIssue.get(String(r.id)) ?? [],
  }));
}

/** The project and environments an issue has events in (for authorization), or undefined. */
export async function issueScope(
  db: Queryable,
  id: string,
): Promise<{ project: string; environments: string[] } | undefined> {
  const { rows } = await db.query<{ project: string; environment: string | null }>(
    `select i.project, c.environment from error_issues i left join error_issue_counts c on c.issue_id = i.id
     where i.id = $1`,
    [id],
  );
  if (rows.length === 0) return undefined;
  return { project: rows[0]!.project, environments: rows.flatMap((r) => (r.environment ? [r.environment] : [])) };
}

/** Set an issue's status; returns the status it had, or undefined when there is no such issue. */
export async function setIssueStatus(
  db: Queryable,
  id: string,
  status: IssueStatus,
  release?: string,
): Promise<IssueStatus | undefined> {
  const { rows } = await db.query<{ before: IssueStatus }>(
    `update error_issues i set status = $2, status_changed_at = now(), resolved_release = $3
     from error_issues old where i.id = $1 and old.id = i.id returning old.status as before`,
    [id, status, status === 'resolved' ? (release ?? null) : null],
  );
  return rows[0]?.before;
}

/**
 * The latest event of an issue among the given environments: its stored bytes (gunzipped: the event's JSON, or the
 * SDK's envelope that held it; src/observe/errors/stored-event.ts reads either) and where it came from.
 */
export async function latestIssueEvent(
  db: Queryable,
  issueId: string,
  environments: string[] | '*',
): Promise<{ eventId: string; environment: string; release: string; receivedAt: Date; payload: Buffer } | undefined> {
  const { rows } = await db.query(
    `select event_id, environment, release, received_at, payload from error_events
     where issue_id = $1 and ($2::text[] is null or environment = any($2::text[]))
     order by received_at desc limit 1`,
    [issueId, environments === '*' ? null : environments],
  );
  const r = rows[0];
  return r
    ? {
        eventId: String(r.event_id),
        environment: String(r.environment),
        release: String(r.release),
        receivedAt: r.received_at as Date,
        payload: gunzipSync(r.payload as Buffer),
      }
    : undefined;
}
