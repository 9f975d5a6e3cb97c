/** The facts of one event that templates and messages use, gathered from the store when it is dispatched. */
import type { Queryable } from '../store/db.js';
import { getDeployment } from '../store/repos/deployments.js';
import type { EventRecord } from '../store/repos/events.js';
import { getReleaseCommit } from '../store/repos/release-commits.js';
import { getReleaseNotes } from '../store/repos/release-notes.js';
import { getRelease } from '../store/repos/releases.js';
import { getServiceState } from '../store/repos/service-state.js';
import { listVerdicts } from '../store/repos/verdicts.js';
import { figuresOf } from './figures.js';
import { notesTriggers } from './filled-by.js';
import { notesSummary } from './notes-summary.js';
import { rolledBackBy } from './rolled-back-by.js';
import type { TemplateValues } from './template.js';
import type { TriggerName } from './triggers.js';

const text = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);

function nested(data: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = data[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function compact(values: Record<string, string | undefined>): TemplateValues {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as TemplateValues;
}

const withNotes: ReadonlySet<TriggerName> = new Set(notesTriggers);

/** Everything a template may name for this event; a name this event has no value for is absent. */
export async function valuesOf(
  db: Queryable,
  event: EventRecord,
  trigger: TriggerName,
  linkBase: string,
): Promise<TemplateValues> {
  const data = event.data;
  const alert = nested(data, 'alert');
  const incident = nested(data, 'incident');
  const values: Record<string, string | undefined> = {
    trigger,
    project: event.project,
    environment: event.environment ?? text(data.environment),
    service: event.service ?? text(data.service),
    message: event.message,
    reason: text(data.reason),
    state: text(data.state),
    by: text(data.by),
    'alert.rule': text(data.rule ?? alert.rule),
    'alert.severity': text(data.severity ?? alert.severity),
    'alert.value': text(data.value ?? alert.value),
    'alert.threshold': text(data.threshold ?? alert.threshold),
    // The alert rules write groupKey (src/observe/alerts); group is accepted too.
    'alert.group': text(data.groupKey ?? data.group ?? alert.groupKey ?? alert.group),
    'freeze.startsAt': text(data.startsAt),
    'freeze.message': text(data.freezeMessage),
  };
  if (event.kind.startsWith('incident.')) {
    values['incident.id'] = text(data.incident ?? data.incidentId ?? data.id ?? incident.id);
    values['incident.severity'] = text(data.severity ?? incident.severity);
    values['incident.title'] = text(data.title ?? incident.title);
    values['alert.severity'] = undefined;
  }
  if (event.deploymentId) {
    const d = await getDeployment(db, event.deploymentId);
    values.deployment = event.deploymentId;
    // The dashboard's page of the deployment: a person opens the link in a browser (the API needs a token).
    values.link = `${linkBase}/deployments/${encodeURIComponent(event.deploymentId)}`;
    if (d) {
      const [from, to] = await Promise.all([
        d.fromRelease ? getRelease(db, d.fromRelease) : undefined,
        getRelease(db, d.toRelease),
      ]);
      values.from = from?.version;
      values.to = to?.version ?? text(data.version);
      // The commit a push announced for the candidate: GitHub deployments are made for it.
      if (to)
        values.commit = (
          await getReleaseCommit(db, { project: d.project, service: d.service, version: to.version })
        )?.sha;
      // A rollback's messages name who rolled it back, not who started the deployment.
      values.by = (await rolledBackBy(db, event)) ?? values.by ?? d.requestedBy;
      values.reason ??= d.reason;
      const verdict = (await listVerdicts(db, d.id, 20)).find((v) => v.outcome !== 'running');
      if (verdict) {
        values['verdict.outcome'] = verdict.outcome;
        values['verdict.score'] = String(Math.round(verdict.score));
        values['verdict.reason'] = verdict.reason;
        values['verdict.figures'] = figuresOf(verdict.metrics);
      }
    }
  }
  // An incident's message links to the incident's page, its timeline, rather than to one deployment it involves.
  if (event.kind.startsWith('incident.') && values['incident.id'])
    values.link = `${linkBase}/incidents/${encodeURIComponent(values['incident.id'])}`;
  if (maintenanceKinds.has(event.kind)) await maintenanceValues(db, event, values, linkBase);
  if (withNotes.has(trigger) && event.project && values.service && values.to) {
    const version = values.to;
    const notes = await getReleaseNotes(db, { project: event.project, service: values.service, version });
    if (notes) {
      const path = [event.project, 'release-notes', values.service, version].map(encodeURIComponent).join('/');
      values['release.notesLink'] = `${linkBase}/api/v1/projects/${path}`;
      values['release.notes'] = notesSummary(notes.notes, values['release.notesLink']);
    }
  }
  return compact(values);
}

/** A scheduled deployment's events that tell of it before any deployment exists (maintenanceValues). */
const maintenanceKinds = new Set([
  'maintenance.notice',
  'deployment.schedule.cancelled',
  'deployment.schedule.failed',
  'deployment.schedule.waiting',
]);

/**
 * A scheduled deployment's notice: no deployment exists yet, so the versions are the scheduled one and the
 * release stable in the environment now, and the link is the public status page.
 */
async function maintenanceValues(
  db: Queryable,
  event: EventRecord,
  values: Record<string, string | undefined>,
  linkBase: string,
): Promise<void> {
  const data = event.data;
  values.to = text(data.version);
  if (event.kind === 'deployment.schedule.cancelled') {
    // The same trigger as the notice (the same subscribers); templates tell them apart by this value.
    values['maintenance.cancelled'] = 'cancelled';
    values.by = text(data.cancelledBy);
  } else if (event.kind === 'deployment.schedule.failed') {
    values['maintenance.cancelled'] = 'failed';
    values.reason = text(data.error);
    values.by ??= text(data.requestedBy);
  } else if (event.kind === 'deployment.schedule.waiting') {
    values['maintenance.waitsBehind'] = text(data.blocking);
    values['maintenance.until'] = text(data.waitUntil);
    values.by ??= text(data.requestedBy);
  } else values.by ??= text(data.requestedBy);
  values['maintenance.at'] = text(data.runAt);
  const { environment, service } = values;
  if (event.project && environment && service) {
    const state = await getServiceState(db, event.project, environment, service);
    const stable = state?.stableRelease ? await getRelease(db, state.stableRelease) : undefined;
    values.from = stable?.version;
  }
  if (event.project) {
    // The public status page (no login: a notice goes to stakeholders too), which lists the maintenance announced.
    values.link = `${linkBase}/status/${encodeURIComponent(event.project)}`;
  }
}
