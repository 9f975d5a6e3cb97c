import type { ErrorWindowReader } from '../../signals/errors/error-source.js';
import type { ErrorWindow } from '../../signals/signal-source.js';
import type { Queryable } from '../../store/db.js';

/** Issues per window the judge looks at: the ones with most events. */
const maxIssues = 20;

/** The errors source's reader over the ingest's tables. */
export class StoredErrorWindows implements ErrorWindowReader {
  constructor(private readonly db: Queryable) {}

  async window(q: Parameters<ErrorWindowReader['window']>[0]): Promise<ErrorWindow> {
    const range = [q.project, q.environment, q.release, new Date(q.from).toISOString(), new Date(q.to).toISOString()];
    const [issues, total, sessions] = await Promise.all([
      this.db.query(
        `select e.issue_id, count(*)::int as n, bool_or(e.unhandled) as unhandled, i.title, i.culprit, i.level,
           exists (select 1 from error_issue_counts c where c.issue_id = e.issue_id and c.environment = $2 and
             c.release = $6) as seen_in_other
         from error_events e join error_issues i on i.id = e.issue_id
         where e.project = $1 and e.environment = $2 and e.release = $3 and e.received_at >= $4 and e.received_at < $5
         group by e.issue_id, i.title, i.culprit, i.level order by n desc limit ${maxIssues}`,
        [...range, q.other],
      ),
      this.db.query<{ n: number }>(
        `select count(*)::int as n from error_events
         where project = $1 and environment = $2 and release = $3 and received_at >= $4 and received_at < $5`,
        range,
      ),
      // Sessions are kept per hour: the hours the window touches.
      this.db.query<{ sessions: number; crashed: number }>(
        `select coalesce(sum(sessions), 0)::int as sessions, coalesce(sum(crashed), 0)::int as crashed
         from release_sessions where project = $1 and environment = $2 and release = $3
           and bucket >= date_trunc('hour', $4::timestamptz) and bucket < $5`,
        range,
      ),
    ]);
    return {
      events: Number(total.rows[0]?.n ?? 0),
      issues: issues.rows.map((r) => ({
        id: String(r.issue_id),
        title: String(r.title),
        ...(r.culprit ? { culprit: String(r.culprit) } : {}),
        level: String(r.level),
        unhandled: Boolean(r.unhandled),
        count: Number(r.n),
        seenInOther: Boolean(r.seen_in_other),
      })),
      sessions: Number(sessions.rows[0]?.sessions ?? 0),
      crashedSessions: Number(sessions.rows[0]?.crashed ?? 0),
    };
  }
}
