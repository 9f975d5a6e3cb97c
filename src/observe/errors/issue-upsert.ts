import type { Queryable } from '../../store/db.js';
import { jsonParam } from '../../store/params.js';

/** One issue's share of a batch, as the upsert reads it (snake_case: it goes through jsonb_to_recordset). */
export interface IssueUpsert {
  id: string;
  project: string;
  fingerprint: string;
  title: string;
  culprit: string | null;
  exception_type: string | null;
  level: string;
  unhandled: boolean;
  first_seen: string;
  last_seen: string;
  first_release: string;
  last_release: string;
  last_environment: string;
  event_count: number;
}

/**
 * Insert new issues and add to existing ones in one statement. A resolved issue seen again is
 * reopened (regressed: marked with this batch's time, so the returned row tells); an ignored
 * one stays ignored. Returns, per `project\u0001fingerprint`, the stored id and what happened.
 */
export async function upsertIssues(
  tx: Queryable,
  issues: IssueUpsert[],
  now: Date,
): Promise<Map<string, { id: string; inserted: boolean; regressed: boolean; count: number }>> {
  const { rows } = await tx.query<{
    id: string;
    project: string;
    fingerprint: string;
    inserted: boolean;
    regressed: boolean;
    event_count: number;
  }>(
    `insert into error_issues as i (id, project, fingerprint, title, culprit, exception_type, level, unhandled,
       first_seen, last_seen, first_release, event_count)
     select id, project, fingerprint, title, culprit, exception_type, level, unhandled, first_seen, last_seen,
       first_release, event_count
     from jsonb_to_recordset($1::jsonb) as x(id text, project text, fingerprint text, title text, culprit text,
       exception_type text, level text, unhandled boolean, first_seen timestamptz, last_seen timestamptz,
       first_release text, last_release text, event_count bigint)
     on conflict (project, fingerprint) do update set
       last_seen = greatest(i.last_seen, excluded.last_seen),
       event_count = i.event_count + excluded.event_count,
       unhandled = i.unhandled or excluded.unhandled,
       status = case when i.status = 'resolved' then 'unresolved' else i.status end,
       status_changed_at = case when i.status = 'resolved' then $2::timestamptz else i.status_changed_at end,
       regressed_at = case when i.status = 'resolved' then $2::timestamptz else i.regressed_at end,
       regressed_release = case when i.status = 'resolved' then excluded.first_release else i.regressed_release end
     returning id, project, fingerprint, (xmax = 0) as inserted,
       coalesce(regressed_at = $2::timestamptz, false) as regressed, event_count`,
    [jsonParam(issues), now.toISOString()],
  );
  return new Map(
    rows.map((r) => [
      `${r.project}\u0001${r.fingerprint}`,
      { id: r.id, inserted: r.inserted, regressed: r.regressed && !r.inserted, count: Number(r.event_count) },
    ]),
  );
}
