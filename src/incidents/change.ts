import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Incident } from '../model/incident.js';
import { messageOf } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { getDeployment } from '../store/repos/deployments.js';
import { listEvents } from '../store/repos/events.js';
import { getProject } from '../store/repos/projects.js';
import { getReleaseCommit } from '../store/repos/release-commits.js';
import { getRelease } from '../store/repos/releases.js';
import type { TriggeringChange } from './postmortem.js';

const run = promisify(execFile);
const sha = /^[0-9a-f]{7,64}$/i;

/** The deployment that triggered the incident: its source event's, or the first deployment linked to it. */
async function triggeringDeployment(db: Queryable, i: Incident): Promise<string | undefined> {
  if (i.sourceEvent !== undefined) {
    const [e] = await listEvents(db, { after: i.sourceEvent - 1, limit: 1 });
    if (e?.id === i.sourceEvent && e.deploymentId) return e.deploymentId;
  }
  return i.links.find((l) => l.kind === 'deployment')?.ref;
}

/**
 * The commits between two releases, from `git log` in the project's directory: both releases need a
 * recorded commit (pushes record theirs), and git and the repository must be there. Arguments go to
 * git as an array, never through a shell, and are checked to be commit ids first.
 */
export async function commitsBetween(dir: string, from: string, to: string): Promise<TriggeringChange['commits']> {
  if (!sha.test(from) || !sha.test(to)) return { unavailable: 'a recorded commit id is not a hexadecimal sha' };
  try {
    const { stdout } = await run('git', ['-C', dir, 'log', '--format=%H%x1f%an%x1f%s', `${from}..${to}`], {
      timeout: 10_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [hash, author, subject] = line.split('\x1f');
        return { sha: hash!, author: author ?? '', subject: subject ?? '' };
      });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') return { unavailable: 'git is not installed where the coordinator runs' };
    return { unavailable: `git log in ${dir} failed: ${(err.stderr || messageOf(e)).trim().split('\n')[0]}` };
  }
}

/** What changed to trigger the incident, when a deployment did. */
export async function triggeringChange(db: Queryable, i: Incident): Promise<TriggeringChange | undefined> {
  const id = await triggeringDeployment(db, i);
  const d = id ? await getDeployment(db, id) : undefined;
  if (!d) return undefined;
  const [from, to] = await Promise.all([
    d.fromRelease ? getRelease(db, d.fromRelease) : undefined,
    getRelease(db, d.toRelease),
  ]);
  const key = { project: d.project, service: d.service };
  const [fromCommit, toCommit] = await Promise.all([
    from ? getReleaseCommit(db, { ...key, version: from.version }) : undefined,
    to ? getReleaseCommit(db, { ...key, version: to.version }) : undefined,
  ]);
  let commits: TriggeringChange['commits'];
  if (!from) commits = { unavailable: 'the first release of the service has no previous one to compare with' };
  else if (!fromCommit || !toCommit)
    commits = {
      unavailable:
        `no commit is recorded for ${!fromCommit ? from.version : to!.version} ` +
        '(releases triggered by a push record theirs)',
    };
  else {
    const project = await getProject(db, d.project);
    commits = project
      ? await commitsBetween(project.config.baseDir, fromCommit.sha, toCommit.sha)
      : { unavailable: `project ${d.project} is not known` };
  }
  return {
    deploymentId: d.id,
    service: d.service,
    environment: d.environment,
    ...(from ? { fromVersion: from.version } : {}),
    toVersion: to?.version ?? d.toRelease,
    ...(d.progress.trafficShiftedAt !== undefined ? { trafficShiftedAt: new Date(d.progress.trafficShiftedAt) } : {}),
    commits,
  };
}

/** The version each of these deployments deployed, by deployment id (those it cannot find are left out). */
export async function deploymentVersions(db: Queryable, ids: string[]): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const id of new Set(ids)) {
    const d = await getDeployment(db, id);
    const release = d ? await getRelease(db, d.toRelease) : undefined;
    if (release) versions[id] = release.version;
  }
  return versions;
}
