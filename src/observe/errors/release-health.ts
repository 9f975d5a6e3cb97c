import type { Queryable } from '../../store/db.js';

/** One release in one environment per hour, and over the whole window. */
export interface ReleaseHealth {
  series: {
    release: string;
    environment: string;
    hour: string;
    sessions: number;
    crashed: number;
    errored: number;
    users: number;
    crashedUsers: number;
  }[];
  releases: {
    release: string;
    environment: string;
    sessions: number;
    crashFreeSessions: number | null;
    users: number;
    crashFreeUsers: number | null;
  }[];
}

/** Crash-free sessions and users from SDK sessions over the last `hours`. */
export async function releaseHealth(
  db: Queryable,
  q: { project: string; environments: string[] | '*'; release?: string; hours: number; now?: Date },
): Promise<ReleaseHealth> {
  const since = new Date((q.now ?? new Date()).getTime() - q.hours * 3_600_000).toISOString();
  const params = [q.project, q.environments === '*' ? null : q.environments, q.release ?? null, since];
  const where = `project = $1 and ($2::text[] is null or environment = any($2::text[])) and ($3::text is null or
    release = $3) and bucket >= $4`;
  const [sessions, users, totals] = await Promise.all([
    db.query(
      `select release, environment, bucket, sessions, crashed, errored from release_sessions where ${where}`,
      params,
    ),
    db.query(
      `select release, environment, bucket, count(*)::int as users, count(*) filter (where crashed)::int as crashed
       from release_session_users where ${where} group by release, environment, bucket`,
      params,
    ),
    db.query(
      `select release, environment, count(distinct user_hash)::int as users,
         count(distinct user_hash) filter (where crashed)::int as crashed
       from release_session_users where ${where} group by release, environment`,
      params,
    ),
  ]);
  const key = (r: Record<string, unknown>) =>
    `${r.release}\u0001${r.environment}\u0001${(r.bucket as Date).toISOString()}`;
  const userRows = new Map(users.rows.map((r) => [key(r), r]));
  const series = sessions.rows.map((r) => ({
    release: String(r.release),
    environment: String(r.environment),
    hour: (r.bucket as Date).toISOString(),
    sessions: Number(r.sessions),
    crashed: Number(r.crashed),
    errored: Number(r.errored),
    users: Number(userRows.get(key(r))?.users ?? 0),
    crashedUsers: Number(userRows.get(key(r))?.crashed ?? 0),
  }));
  series.sort((a, b) => a.hour.localeCompare(b.hour) || a.release.localeCompare(b.release));
  const releases = new Map<string, ReleaseHealth['releases'][number] & { crashed: number }>();
  for (const s of series) {
    const k = `${s.release}\u0001${s.environment}`;
    const r = releases.get(k) ?? {
      release: s.release,
      environment: s.environment,
      sessions: 0,
      crashed: 0,
      crashFreeSessions: null,
      users: 0,
      crashFreeUsers: null,
    };
    r.sessions += s.sessions;
    r.crashed += s.crashed;
    releases.set(k, r);
  }
  for (const t of totals.rows) {
    const r = releases.get(`${t.release}\u0001${t.environment}`);
    if (!r) continue;
    r.users = Number(t.users);
    r.crashFreeUsers = r.users === 0 ? null : 1 - Number(t.crashed) / r.users;
  }
  return {
    series,
    releases: [...releases.values()].map(({ crashed, ...r }) => ({
      ...r,
      crashFreeSessions: r.sessions === 0 ? null : 1 - crashed / r.sessions,
    })),
  };
}
