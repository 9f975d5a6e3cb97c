import { z } from 'zod';
import {
  incidentDurations,
  type Incident,
  type IncidentLinkDetail,
  incidentStates,
  severities,
} from '../model/incident.js';
import type { IncidentWithTimeline } from '../incidents/view.js';
import { linkKey } from '../store/repos/incident-link-details.js';

/** Shapes of incidents in the API (zod: validation, serialisation and OpenAPI). */

const isoTime = z.iso.datetime({ offset: true });

const linkView = z.object({
  kind: z.enum(['deployment', 'release', 'alert', 'issue']),
  ref: z.string().describe("a deployment, release or error issue id; an alert's rule name"),
  service: z.string().nullable().describe("a deployment's or release's service (null for alerts, issues, or gone)"),
  version: z.string().nullable().describe("a release's version; the version a deployment deployed"),
  fromVersion: z.string().nullable().describe("the version a deployment moved from (null for a service's first)"),
});

export const incidentView = z.object({
  id: z.string(),
  project: z.string(),
  environment: z.string().describe('`*` for a project-wide alert group'),
  service: z.string().nullable(),
  title: z.string(),
  severity: z.enum(severities),
  state: z.enum(incidentStates),
  source: z.enum(['rollback', 'watch', 'deployment', 'alert', 'manual']),
  alertGroup: z.string().nullable(),
  owner: z.string().nullable(),
  openedBy: z.string(),
  openedAt: isoTime,
  acknowledgedAt: isoTime.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: isoTime.nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.string().nullable(),
  timeToAcknowledgeMs: z.number().nullable(),
  timeToResolveMs: z.number().nullable(),
  links: z.array(linkView),
});

export const timelineEntryView = z.object({
  at: isoTime,
  category: z.enum(['deployment', 'verdict', 'alert', 'notification', 'incident', 'note', 'rollback', 'issue']),
  kind: z.string(),
  text: z.string(),
  by: z.string().nullable(),
  deploymentId: z.string().nullable(),
  figures: z.array(z.string()),
});

/** An incident as the API shows it; its links with their service and versions when `details` has them. */
export function presentIncident(
  i: Incident,
  details: Map<string, IncidentLinkDetail> = new Map(),
): z.infer<typeof incidentView> {
  const d = incidentDurations(i);
  return {
    id: i.id,
    project: i.project,
    environment: i.environment,
    service: i.service ?? null,
    title: i.title,
    severity: i.severity,
    state: i.state,
    source: i.source,
    alertGroup: i.alertGroup ?? null,
    owner: i.owner ?? null,
    openedBy: i.openedBy,
    openedAt: i.openedAt.toISOString(),
    acknowledgedAt: i.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: i.acknowledgedBy ?? null,
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    resolvedBy: i.resolvedBy ?? null,
    resolution: i.resolution ?? null,
    timeToAcknowledgeMs: d.timeToAcknowledgeMs ?? null,
    timeToResolveMs: d.timeToResolveMs ?? null,
    links: i.links.map((l) => {
      const d = details.get(linkKey(l));
      return { ...l, service: d?.service ?? null, version: d?.version ?? null, fromVersion: d?.fromVersion ?? null };
    }),
  };
}

/** An incident with its timeline. */
export function presentTimeline(
  v: IncidentWithTimeline,
  details: Map<string, IncidentLinkDetail> = new Map(),
): {
  incident: z.infer<typeof incidentView>;
  timeline: z.infer<typeof timelineEntryView>[];
} {
  return {
    incident: presentIncident(v.incident, details),
    timeline: v.timeline.map((e) => ({
      at: e.at.toISOString(),
      category: e.category,
      kind: e.kind,
      text: e.text,
      by: e.by ?? null,
      deploymentId: e.deploymentId ?? null,
      figures: e.figures ?? [],
    })),
  };
}
