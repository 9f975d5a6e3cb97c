import { escapeUnstorable } from '../../shared/storable-text.js';
import { newId } from '../../shared/ids.js';
import type { Queryable } from '../../store/db.js';
import { jsonParam } from '../../store/params.js';
import { upsertIssues, type IssueUpsert } from './issue-upsert.js';
import type { Accepted, AcceptedEvent } from './accepted.js';
import { type InsertShape, insertEvents, insertShapes } from './event-insert.js';
import { storeSessions, storeTransactions } from './store-sessions.js';

/** An issue that a batch opened or reopened: what `error.issue.new` / `error.issue.regressed` carry. */
export interface IssueChange {
  kind: 'new' | 'regressed';
  issueId: string;
  project: string;
  environment: string;
  release: string;
  title: string;
  count: number;
}

const maxStoredText = 500;
const clip = (s: string | undefined) => (s === undefined ? null : escapeUnstorable(s.slice(0, maxStoredText)));

/**
 * Digest a batch of accepted envelopes in one transaction: drop events already stored (SDKs
 * retry), group the rest into issues, store events, per-release counts and affected users, then
 * sessions and transactions. Returns the issues it opened or reopened. `shape`: how the driver of `tx` takes the
 * events best (event-insert.ts).
 */
export async function digestBatch(
  tx: Queryable,
  batch: Accepted[],
  now: Date,
  shape: InsertShape = insertShapes.pglite,
): Promise<IssueChange[]> {
  const seen = new Set<string>();
  const fresh: { a: Accepted; e: AcceptedEvent }[] = [];
  for (const a of batch)
    for (const e of a.events) {
      const k = `${a.project}\u0001${e.eventId}`;
      if (!seen.has(k)) fresh.push({ a, e });
      seen.add(k);
    }
  let changes: IssueChange[] = [];
  if (fresh.length > 0) {
    // Both columns of the primary key, so the lookup is an index probe per id, not a scan of every stored event.
    const { rows } = await tx.query<{ project: string; event_id: string }>(
      `select project, event_id from error_events where project = any($1::text[]) and event_id = any($2::text[])`,
      [[...new Set(fresh.map((f) => f.a.project))], fresh.map((f) => f.e.eventId)],
    );
    const stored = new Set(rows.map((r) => `${r.project}\u0001${r.event_id}`));
    const events = fresh.filter((f) => !stored.has(`${f.a.project}\u0001${f.e.eventId}`));
    if (events.length > 0) changes = await storeEvents(tx, events, now, shape);
  }
  await storeSessions(tx, batch);
  await storeTransactions(tx, batch);
  return changes;
}

async function storeEvents(tx: Queryable, events: { a: Accepted; e: AcceptedEvent }[], now: Date, shape: InsertShape) {
  const issues = new Map<string, IssueUpsert>();
  const grouped = events.map(({ a, e }) => {
    const g = e.grouping;
    const key = `${a.project}\u0001${g.fingerprint}`;
    const at = e.timestamp.getTime() > now.getTime() ? now : e.timestamp;
    let issue = issues.get(key);
    if (!issue) {
      issue = {
        id: newId('iss'),
        project: a.project,
        fingerprint: g.fingerprint,
        title: clip(g.title)!,
        culprit: clip(g.culprit),
        exception_type: clip(g.exceptionType),
        level: e.level,
        unhandled: e.unhandled,
        first_seen: at.toISOString(),
        last_seen: at.toISOString(),
        first_release: e.release,
        last_release: e.release,
        last_environment: a.environment,
        event_count: 0,
      };
      issues.set(key, issue);
    }
    issue.event_count++;
    issue.unhandled ||= e.unhandled;
    if (at.toISOString() > issue.last_seen) {
      issue.last_seen = at.toISOString();
      issue.last_release = e.release;
      issue.last_environment = a.environment;
    }
    return { a, e, key, at };
  });
  const ids = await upsertIssues(tx, [...issues.values()], now);
  const counts = new Map<
    string,
    { issue_id: string; release: string; environment: string; n: number; first: string; last: string }
  >();
  const users = new Map<
    string,
    { issue_id: string; release: string; environment: string; user_hash: string; first: string; last: string }
  >();
  const rows = grouped.map(({ a, e, key, at }) => {
    const issueId = ids.get(key)!.id;
    const ck = `${issueId}\u0001${e.release}\u0001${a.environment}`;
    const c = counts.get(ck) ?? {
      issue_id: issueId,
      release: e.release,
      environment: a.environment,
      n: 0,
      first: at.toISOString(),
      last: at.toISOString(),
    };
    c.n++;
    if (at.toISOString() < c.first) c.first = at.toISOString();
    if (at.toISOString() > c.last) c.last = at.toISOString();
    counts.set(ck, c);
    if (e.userHash) {
      const uk = `${ck}\u0001${e.userHash}`;
      const u = users.get(uk);
      const t = at.toISOString();
      if (u) {
        if (t < u.first) u.first = t;
        if (t > u.last) u.last = t;
      } else
        users.set(uk, {
          issue_id: issueId,
          release: e.release,
          environment: a.environment,
          user_hash: e.userHash,
          first: t,
          last: t,
        });
    }
    return {
      project: a.project,
      eventId: e.eventId,
      issueId,
      environment: a.environment,
      release: e.release,
      level: e.level,
      unhandled: e.unhandled,
      payload: e.payload,
    };
  });
  await insertEvents(tx, rows, now, shape);
  await tx.query(
    `insert into error_issue_counts (issue_id, release, environment, event_count, first_seen, last_seen)
     select issue_id, release, environment, n, first, last
     from jsonb_to_recordset($1::jsonb) as x(issue_id text, release text, environment text, n bigint, first timestamptz,
       last timestamptz)
     on conflict (issue_id, release, environment) do update set event_count = error_issue_counts.event_count +
       excluded.event_count, last_seen = greatest(error_issue_counts.last_seen, excluded.last_seen)`,
    [jsonParam([...counts.values()])],
  );
  if (users.size > 0)
    await tx.query(
      `insert into error_issue_users as u (issue_id, release, environment, user_hash, first_seen, last_seen)
       select * from jsonb_to_recordset($1::jsonb) as x(issue_id text, release text, environment text, user_hash text,
         first timestamptz, last timestamptz)
       on conflict (issue_id, release, environment, user_hash) do update set
         first_seen = least(u.first_seen, excluded.first_seen), last_seen = greatest(u.last_seen, excluded.last_seen)`,
      [jsonParam([...users.values()])],
    );
  const changes: IssueChange[] = [];
  for (const [key, issue] of issues) {
    const r = ids.get(key)!;
    if (!r.inserted && !r.regressed) continue;
    changes.push({
      kind: r.inserted ? 'new' : 'regressed',
      issueId: r.id,
      project: issue.project,
      environment: issue.last_environment,
      release: issue.last_release,
      title: issue.title,
      count: r.count,
    });
  }
  return changes;
}
