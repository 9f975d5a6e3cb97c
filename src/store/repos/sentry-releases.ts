import type { Queryable } from '../db.js';
import { type EventRecord, toEvent } from './events.js';

/**
 * Sentry releases and deploys (src/observe/errors/sentry-releases.ts) are kept as events, one per
 * Slipway project the release names: they show in each project's event stream, are read back by
 * version, and need no table of their own.
 */
export const sentryReleaseKinds = ['sentry.release.created', 'sentry.release.updated', 'sentry.deploy.recorded'];

/** The events of one Sentry release version, oldest first. */
export async function sentryReleaseEvents(db: Queryable, version: string): Promise<EventRecord[]> {
  const { rows } = await db.query(
    `select id, project, deployment_id, service, environment, kind, message, data, at from events
     where kind = any($1::text[]) and data->>'version' = $2 order by id`,
    [sentryReleaseKinds, version],
  );
  return rows.map(toEvent);
}

/** Which of `names` are projects this coordinator knows. */
export async function knownProjects(db: Queryable, names: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>('select name from projects where name = any($1::text[])', [names]);
  return new Set(rows.map((r) => r.name));
}

/** Slipway releases (one per service) that carry this version in these projects: what a Sentry release links to. */
export async function slipwayReleasesOf(
  db: Queryable,
  version: string,
  projects: string[],
): Promise<{ id: string; project: string; service: string }[]> {
  const { rows } = await db.query<{ id: string; project: string; service: string }>(
    `select id, project, service from releases where version = $1 and project = any($2::text[])
     order by project, service`,
    [version, projects],
  );
  return rows;
}

/** What the error tracker saw of a release: first and last event, and the issues it was first seen in. */
export async function releaseErrorStats(
  db: Queryable,
  version: string,
  projects: string[],
): Promise<{ firstEvent: Date | null; lastEvent: Date | null; newGroups: number }> {
  const { rows } = await db.query<{ first: Date | null; last: Date | null; new_groups: number }>(
    `select (select min(c.first_seen) from error_issue_counts c join error_issues i on i.id = c.issue_id
               where c.release = $1 and i.project = any($2::text[])) as first,
            (select max(c.last_seen) from error_issue_counts c join error_issues i on i.id = c.issue_id
               where c.release = $1 and i.project = any($2::text[])) as last,
            (select count(*) from error_issues where first_release = $1 and project = any($2::text[]))::int
              as new_groups`,
    [version, projects],
  );
  const r = rows[0]!;
  return { firstEvent: r.first ?? null, lastEvent: r.last ?? null, newGroups: Number(r.new_groups) };
}
