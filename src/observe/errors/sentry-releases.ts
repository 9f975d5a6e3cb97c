import { SlipwayError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Db } from '../../store/db.js';
import { appendEvents, type EventRecord } from '../../store/repos/events.js';
import { knownProjects, sentryReleaseEvents } from '../../store/repos/sentry-releases.js';
import type { NewDeploy, NewRelease, ReleaseUpdate } from './sentry-release-input.js';

type Commit = NonNullable<NewRelease['commits']>[number];
type HeadRef = NonNullable<NewRelease['refs']>[number];

export interface SentryDeploy {
  id: string;
  environment: string;
  name: string | null;
  url: string | null;
  dateStarted: string | null;
  dateFinished: string;
  projects: string[];
}

/** A Sentry release as `sentry-cli` made it here: the version, its projects, metadata, commits and deploys. */
export interface SentryRelease {
  /** The id of the event that created it: a number, as Sentry's release ids are. */
  id: number;
  version: string;
  projects: string[];
  ref: string | null;
  url: string | null;
  dateCreated: Date;
  dateStarted: string | null;
  dateReleased: string | null;
  commits: Commit[];
  refs: HeadRef[];
  deploys: SentryDeploy[];
}

const fieldNames = ['ref', 'url', 'dateStarted', 'dateReleased', 'commits', 'refs'] as const;

/** The fields a request set (null clears, absent keeps), for the event. */
function changes(input: ReleaseUpdate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldNames) if (input[f] !== undefined) out[f] = input[f];
  return out;
}

/** A release's state from its events (one per project per change: applying a change twice changes nothing). */
export function foldRelease(events: EventRecord[]): SentryRelease | undefined {
  let r: SentryRelease | undefined;
  const seenDeploys = new Map<string, SentryDeploy>();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    if (e.kind === 'sentry.release.created' && !r)
      r = {
        id: e.id,
        version: String(d.version),
        projects: [],
        ref: null,
        url: null,
        dateCreated: e.at,
        dateStarted: null,
        dateReleased: null,
        commits: [],
        refs: [],
        deploys: [],
      };
    if (!r) continue;
    if (e.project && !r.projects.includes(e.project)) r.projects.push(e.project);
    if (e.kind === 'sentry.deploy.recorded') {
      const deploy = d.deploy as SentryDeploy;
      const known = seenDeploys.get(deploy.id);
      if (known) {
        if (e.project && !known.projects.includes(e.project)) known.projects.push(e.project);
      } else {
        const copy = { ...deploy, projects: e.project ? [e.project] : [] };
        seenDeploys.set(deploy.id, copy);
        r.deploys.push(copy);
      }
      continue;
    }
    const set = (d.set ?? {}) as Record<string, unknown>;
    for (const f of fieldNames) if (f in set) (r as unknown as Record<string, unknown>)[f] = set[f] ?? defaults[f];
  }
  return r;
}

const defaults: Record<(typeof fieldNames)[number], unknown> = {
  ref: null,
  url: null,
  dateStarted: null,
  dateReleased: null,
  commits: [],
  refs: [],
};

/** The release of `version`, or a 404 naming it. */
export async function requireRelease(db: Db, version: string): Promise<SentryRelease> {
  const r = foldRelease(await sentryReleaseEvents(db, version));
  if (!r) throw new SlipwayError('not_found', `no release "${version}": create it first (sentry-cli releases new)`);
  return r;
}

/** 400 naming the first project slug that is not a Slipway project. */
async function checkProjects(db: Db, projects: string[], field: string): Promise<void> {
  const known = await knownProjects(db, projects);
  const i = projects.findIndex((p) => !known.has(p));
  if (i >= 0)
    throw new SlipwayError(
      'invalid_input',
      `body.${field}[${i}]: "${projects[i]}" is not a project of this coordinator (Sentry project slugs are ` +
        `Slipway project names)`,
      { issues: [{ path: `body.${field}[${i}]`, message: 'unknown project' }] },
    );
}

const describe = (set: Record<string, unknown>) =>
  Object.keys(set)
    .map((k) => (Array.isArray(set[k]) ? `${k} (${(set[k] as unknown[]).length})` : k))
    .join(', ');

/**
 * Create a release, or — when the version exists, as Sentry answers 208 then — add the projects
 * and fields given. One event per project, in one statement.
 */
export async function createRelease(
  db: Db,
  organization: string,
  input: NewRelease,
): Promise<{ created: boolean; release: SentryRelease }> {
  const projects = [...new Set(input.projects)];
  await checkProjects(db, projects, 'projects');
  const existing = foldRelease(await sentryReleaseEvents(db, input.version));
  const set = changes(input);
  const kind = existing ? 'sentry.release.updated' : 'sentry.release.created';
  await appendEvents(
    db,
    projects.map((project) => ({
      project,
      kind,
      message: existing
        ? `Sentry release ${input.version} named again for ${projects.join(', ')}`
        : `Sentry release ${input.version} created for ${projects.join(', ')}`,
      data: { version: input.version, organization, set },
    })),
  );
  // Projects of an existing release not named again keep it too: record the change there as well.
  const others = existing?.projects.filter((p) => !projects.includes(p)) ?? [];
  if (others.length > 0 && Object.keys(set).length > 0)
    await appendEvents(
      db,
      others.map((project) => updateEvent(project, input.version, organization, set)),
    );
  return { created: !existing, release: await requireRelease(db, input.version) };
}

function updateEvent(project: string, version: string, organization: string, set: Record<string, unknown>) {
  const what = describe(set);
  return {
    project,
    kind: 'sentry.release.updated',
    message: `Sentry release ${version} updated${what ? `: ${what}` : ''}`,
    data: { version, organization, set },
  };
}

/** Update a release (finalize sets dateReleased; set-commits sets commits or refs; projects may be added). */
export async function updateRelease(
  db: Db,
  organization: string,
  version: string,
  input: ReleaseUpdate,
): Promise<SentryRelease> {
  const r = await requireRelease(db, version);
  const added = [...new Set(input.projects ?? [])].filter((p) => !r.projects.includes(p));
  await checkProjects(db, added, 'projects');
  const set = changes(input);
  await appendEvents(
    db,
    [...r.projects, ...added].map((project) => updateEvent(project, version, organization, set)),
  );
  return requireRelease(db, version);
}

/** Record a deploy of a release to an environment, as an event in each of its projects (or those named). */
export async function recordDeploy(
  db: Db,
  organization: string,
  version: string,
  input: NewDeploy,
  now = new Date(),
): Promise<SentryDeploy> {
  const r = await requireRelease(db, version);
  const projects = input.projects?.length ? [...new Set(input.projects)] : r.projects;
  const outside = projects.findIndex((p) => !r.projects.includes(p));
  if (outside >= 0)
    throw new SlipwayError(
      'invalid_input',
      `body.projects[${outside}]: release ${version} does not include project "${projects[outside]}" ` +
        `(its projects: ${r.projects.join(', ')})`,
    );
  const deploy: SentryDeploy = {
    id: newId('dep'),
    environment: input.environment,
    name: input.name ?? null,
    url: input.url ?? null,
    dateStarted: input.dateStarted ?? null,
    dateFinished: input.dateFinished ?? now.toISOString(),
    projects,
  };
  await appendEvents(
    db,
    projects.map((project) => ({
      project,
      environment: input.environment,
      kind: 'sentry.deploy.recorded',
      message: `release ${version} deployed to ${input.environment}${deploy.name ? ` (${deploy.name})` : ''}`,
      data: { version, organization, deploy: { ...deploy, projects: undefined } },
    })),
  );
  return deploy;
}
