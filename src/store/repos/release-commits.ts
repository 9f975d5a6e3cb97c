import type { Queryable } from '../db.js';

/** The commit a release was built from. */
export interface ReleaseCommit {
  project: string;
  service: string;
  version: string;
  sha: string;
  committedAt: Date;
  /** The webhook delivery that announced it. */
  delivery?: string;
}

/** Remember the commit of a release version; the first record wins (a re-pushed commit keeps its time). */
export async function recordReleaseCommit(db: Queryable, c: ReleaseCommit): Promise<void> {
  await db.query(
    `insert into release_commits (project, service, version, sha, committed_at, delivery) values ($1, $2, $3, $4, $5,
      $6)
     on conflict (project, service, version) do nothing`,
    [c.project, c.service, c.version, c.sha, c.committedAt, c.delivery ?? null],
  );
}

/** A succeeded deployment of a release whose commit is known: lead time for changes = committedAt → finishedAt. */
export interface LeadTimeRecord {
  deployment: string;
  service: string;
  environment: string;
  version: string;
  sha: string;
  committedAt: Date;
  finishedAt: Date;
  leadTimeMs: number;
}

/** Lead times of a project's succeeded deployments, newest first. */
export async function listLeadTimes(
  db: Queryable,
  f: { project: string; environment?: string; service?: string; limit?: number },
): Promise<LeadTimeRecord[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select d.id, d.service, d.environment, r.version, c.sha, c.committed_at, d.finished_at
       from deployments d
       join releases r on r.id = d.to_release
       join release_commits c on c.project = r.project and c.service = r.service and c.version = r.version
      where d.project = $1 and d.kind = 'deploy' and d.state = 'succeeded' and d.finished_at is not null
        and ($2::text is null or d.environment = $2) and ($3::text is null or d.service = $3)
      order by d.finished_at desc, d.id desc limit $4`,
    [f.project, f.environment ?? null, f.service ?? null, f.limit ?? 20],
  );
  return rows.map((row) => {
    const committedAt = row.committed_at as Date;
    const finishedAt = row.finished_at as Date;
    return {
      deployment: String(row.id),
      service: String(row.service),
      environment: String(row.environment),
      version: String(row.version),
      sha: String(row.sha),
      committedAt,
      finishedAt,
      leadTimeMs: finishedAt.getTime() - committedAt.getTime(),
    };
  });
}

/** The commit recorded for a release version, if a push announced it. */
export async function getReleaseCommit(
  db: Queryable,
  key: { project: string; service: string; version: string },
): Promise<ReleaseCommit | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    'select sha, committed_at from release_commits where project = $1 and service = $2 and version = $3',
    [key.project, key.service, key.version],
  );
  const row = rows[0];
  return row ? { ...key, sha: String(row.sha), committedAt: row.committed_at as Date } : undefined;
}
