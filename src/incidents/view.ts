import { type Incident, incidentDurations } from '../model/incident.js';
import { SlipwayError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { timelineFacts } from '../store/repos/incident-timeline.js';
import { getIncident } from '../store/repos/incidents.js';
import type { VerdictRecord } from '../store/repos/verdicts.js';
import { buildTimeline, type TimelineEntry } from './timeline.js';

/** An incident with its timeline and durations, as `incident show` and the postmortem read it. */
export interface IncidentWithTimeline {
  incident: Incident;
  timeline: TimelineEntry[];
  /** The verdicts that decided something, with their figures (the postmortem quotes the failing one). */
  verdicts: VerdictRecord[];
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
}

/** Read an incident and build its timeline from what the store recorded. */
export async function incidentTimeline(db: Queryable, id: string, now = new Date()): Promise<IncidentWithTimeline> {
  const incident = await getIncident(db, id);
  if (!incident) throw new SlipwayError('not_found', `no incident ${id}`);
  const facts = await timelineFacts(db, incident, incident.resolvedAt ?? now);
  return {
    incident,
    timeline: buildTimeline(facts.events, facts.verdicts),
    verdicts: facts.verdicts,
    ...incidentDurations(incident),
  };
}
