import { SlipwayError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { Db, Queryable } from '../store/db.js';
import { appendEvent, type EventRecord } from '../store/repos/events.js';
import {
  addLink,
  getIncident,
  insertIncident,
  type NewIncident,
  updateIncidentState,
} from '../store/repos/incidents.js';
import type { Incident, IncidentLink } from '../model/incident.js';
import { type IncidentRequest, transition } from './lifecycle.js';

/** The event kinds incidents emit; notifications and the status page follow these. */
export type IncidentEventKind = 'incident.opened' | 'incident.acknowledged' | 'incident.resolved' | 'incident.noted';

/** The data every incident event carries (never secrets: titles and notes are what people typed or the engine said). */
export function incidentEventData(i: Incident, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    incident: i.id,
    severity: i.severity,
    title: i.title,
    state: i.state,
    environment: i.environment,
    service: i.service ?? null,
    links: i.links,
    ...(i.owner ? { owner: i.owner } : {}),
    ...extra,
  };
}

/** Append an incident event in `db` (a transaction, so the change and its event commit together). */
export function emitIncidentEvent(
  db: Queryable,
  kind: IncidentEventKind,
  i: Incident,
  message: string,
  extra: Record<string, unknown> = {},
): Promise<EventRecord> {
  return appendEvent(db, {
    project: i.project,
    environment: i.environment,
    ...(i.service ? { service: i.service } : {}),
    kind,
    message,
    data: incidentEventData(i, extra),
  });
}

/** Open an incident and say so in one transaction; undefined when its source event (or alert group) already has one. */
export async function openIncident(
  db: Db,
  input: Omit<NewIncident, 'id'> & { id?: string },
): Promise<Incident | undefined> {
  return db.transaction(async (tx) => {
    const opened = await insertIncident(tx, { ...input, id: input.id ?? newId('inc') });
    if (!opened) return undefined;
    await emitIncidentEvent(
      tx,
      'incident.opened',
      opened,
      `incident ${opened.id} opened (${opened.severity}): ${opened.title}`,
      { source: opened.source, by: opened.openedBy },
    );
    return opened;
  });
}

async function existing(db: Queryable, id: string): Promise<Incident> {
  const i = await getIncident(db, id);
  if (!i) throw new SlipwayError('not_found', `no incident ${id}`);
  return i;
}

/**
 * Acknowledge or resolve (or add the resolution a resolved incident lacks); a request the lifecycle refuses is a
 * conflict naming why. Returns before and after.
 */
export async function changeIncident(
  db: Db,
  id: string,
  request: IncidentRequest,
): Promise<{ before: Incident; after: Incident }> {
  return db.transaction(async (tx) => {
    const before = await existing(tx, id);
    const decided = transition(before, request);
    if (!decided.ok) throw new SlipwayError('conflict', decided.reason);
    const after = await updateIncidentState(tx, id, before.state, decided.changes);
    if (!after) throw new SlipwayError('conflict', `incident ${id} changed meanwhile; look at it again`);
    if (before.state === 'resolved' && request.kind === 'resolve') {
      // A resolution added later is a note on the timeline, not a second resolution: nobody is told it resolved again.
      await emitIncidentEvent(tx, 'incident.noted', after, `resolution added by ${request.by}: ${request.resolution}`, {
        by: request.by,
        resolution: request.resolution,
      });
      return { before, after };
    }
    const kind = request.kind === 'acknowledge' ? 'incident.acknowledged' : 'incident.resolved';
    const message =
      request.kind === 'acknowledge'
        ? `incident ${id} acknowledged by ${request.by}${after.owner ? `; owner ${after.owner}` : ''}`
        : `incident ${id} resolved by ${request.by}${request.resolution ? `: ${request.resolution}` : ''}`;
    await emitIncidentEvent(tx, kind, after, message, {
      by: request.by,
      ...(request.kind === 'resolve' && request.resolution ? { resolution: request.resolution } : {}),
    });
    return { before, after };
  });
}

/** Add a note to the timeline (allowed in every state: a postmortem finding is a note too). */
export async function noteIncident(db: Db, id: string, by: string, text: string): Promise<EventRecord> {
  const i = await existing(db, id);
  return emitIncidentEvent(db, 'incident.noted', i, `${by}: ${text}`, { by, note: text });
}

/** Link things to an incident (idempotent); the links that were new. */
export async function linkIncident(db: Queryable, id: string, links: IncidentLink[]): Promise<IncidentLink[]> {
  const added: IncidentLink[] = [];
  for (const l of links) if (await addLink(db, id, l)) added.push(l);
  return added;
}
