import type { SentryDeploy, SentryRelease } from '../../observe/errors/sentry-releases.js';
import type { Queryable } from '../../store/db.js';
import { releaseErrorStats, slipwayReleasesOf } from '../../store/repos/sentry-releases.js';

/** A deploy as Sentry's API answers it ("Create a Deploy", "List a Release's Deploys"). */
export function presentDeploy(d: SentryDeploy) {
  return {
    id: d.id,
    environment: d.environment,
    name: d.name,
    url: d.url,
    dateStarted: d.dateStarted,
    dateFinished: d.dateFinished,
  };
}

/**
 * A release as Sentry's API answers it (the fields sentry-cli reads: version, dateCreated,
 * dateReleased, projects, newGroups, lastEvent, deployCount, lastDeploy, commitCount…), its
 * errors counted from Slipway's own issues, and in `data.slipwayReleases` the Slipway releases
 * (one per service) that carry the same version.
 */
export async function presentRelease(db: Queryable, r: SentryRelease) {
  const [stats, linked] = await Promise.all([
    releaseErrorStats(db, r.version, r.projects),
    slipwayReleasesOf(db, r.version, r.projects),
  ]);
  const last = r.commits.at(-1);
  const authors = new Map<string, { name: string | null; email: string }>();
  for (const c of r.commits)
    if (c.author_email) authors.set(c.author_email, { name: c.author_name ?? null, email: c.author_email });
  const lastDeploy = r.deploys.at(-1);
  return {
    id: r.id,
    version: r.version,
    shortVersion: r.version,
    status: 'open',
    ref: r.ref,
    url: r.url,
    dateCreated: r.dateCreated.toISOString(),
    dateStarted: r.dateStarted,
    dateReleased: r.dateReleased,
    firstEvent: stats.firstEvent?.toISOString() ?? null,
    lastEvent: stats.lastEvent?.toISOString() ?? null,
    newGroups: stats.newGroups,
    owner: null,
    commitCount: r.commits.length,
    lastCommit: last
      ? { id: last.id, message: last.message ?? null, dateCreated: last.timestamp ?? null, repository: last.repository }
      : null,
    authors: [...authors.values()],
    deployCount: r.deploys.length,
    lastDeploy: lastDeploy ? presentDeploy(lastDeploy) : null,
    projects: r.projects.map((slug) => ({
      id: slug,
      slug,
      name: slug,
      newGroups: 0,
      platform: null,
      platforms: [],
      hasHealthData: false,
    })),
    data: { refs: r.refs, slipwayReleases: linked },
  };
}
