import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Queryable } from '../store/db.js';
import { getDeployment } from '../store/repos/deployments.js';
import { appendEvent } from '../store/repos/events.js';
import { getProject } from '../store/repos/projects.js';
import { getRelease } from '../store/repos/releases.js';
import { saveReleaseNotes, type StoredReleaseNotes } from '../store/repos/release-notes.js';
import { groupCommits, notesMarkdown } from './conventional.js';
import { commitsBetween, resolveCommit } from './git-log.js';

/**
 * The commit of a release version: the one a push announced (release_commits), else a tag `v<version>` or
 * `<version>` in the project's repository.
 */
async function commitOf(db: Queryable, repo: string, project: string, service: string, version: string) {
  const { rows } = await db.query<{ sha: string }>(
    'select sha from release_commits where project = $1 and service = $2 and version = $3',
    [project, service, version],
  );
  const candidates = [rows[0]?.sha, `v${version}`, version].filter((r): r is string => Boolean(r));
  for (const ref of candidates) {
    const sha = await resolveCommit(repo, ref);
    if (sha) return sha;
  }
  return undefined;
}

/**
 * Release notes of a deployment's candidate against the stable release it replaces, from the git history of the
 * project's directory (config baseDir), stored with the release and announced by a `release.notes` event (so
 * notices can carry them). Undefined, with a reason logged, when there is no repository or no commit for the
 * candidate; a first release gets the whole history up to it (at most 1000 commits).
 */
export async function generateReleaseNotes(
  db: Queryable,
  logger: Logger,
  deploymentId: string,
): Promise<StoredReleaseNotes | undefined> {
  const d = await getDeployment(db, deploymentId);
  if (d?.kind !== 'deploy') return undefined;
  const project = await getProject(db, d.project);
  const [to, from] = await Promise.all([
    getRelease(db, d.toRelease),
    d.fromRelease ? getRelease(db, d.fromRelease) : undefined,
  ]);
  if (!project || !to) return undefined;
  const repo = project.config.baseDir;
  const toSha = await commitOf(db, repo, d.project, d.service, to.version);
  if (!toSha) {
    logger.info({ deployment: d.id, version: to.version }, 'no release notes: no commit known for the candidate');
    return undefined;
  }
  const fromSha = from ? await commitOf(db, repo, d.project, d.service, from.version) : undefined;
  try {
    const notes = groupCommits(await commitsBetween(repo, fromSha, toSha));
    const title = {
      service: d.service,
      version: to.version,
      ...(fromSha && from ? { fromVersion: from.version } : {}),
    };
    const stored = await saveReleaseNotes(db, {
      project: d.project,
      ...title,
      notes,
      markdown: notesMarkdown(title, notes),
    });
    await appendEvent(db, {
      project: d.project,
      deploymentId: d.id,
      service: d.service,
      environment: d.environment,
      kind: 'release.notes',
      message:
        `release notes of ${d.service} ${to.version}: ${notes.breaking.length} breaking, ` +
        `${notes.features.length} features, ${notes.fixes.length} fixes, ${notes.other.length} other`,
      data: { version: to.version, fromVersion: stored.fromVersion ?? null, markdown: stored.markdown.slice(0, 8000) },
    });
    return stored;
  } catch (e) {
    logger.warn({ deployment: d.id, err: messageOf(e) }, 'release notes could not be read from git');
    return undefined;
  }
}
