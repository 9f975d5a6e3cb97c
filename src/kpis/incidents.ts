import type { IncidentFact } from './model.js';

/** An event as the incident figures read it (a row of the events table). */
export interface IncidentEvent {
  kind: string;
  environment?: string;
  service?: string;
  at: Date;
  data: Record<string, unknown>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The deployment ids an event's `links` name: Slipway writes the incident's links as `[{ kind, ref }]`; the
 * documented contract for other writers is `{ deployments: [id] }`. Both are read.
 */
function linkedDeployments(links: unknown): string[] {
  if (Array.isArray(links))
    return links.flatMap((l) => (l?.kind === 'deployment' && typeof l.ref === 'string' ? [l.ref] : []));
  const named = (links as { deployments?: unknown } | null | undefined)?.deployments;
  return Array.isArray(named) ? named.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Fold `incident.opened` / `incident.resolved` events (oldest first) into incidents. The events are the contract
 * with the incidents capability: `data.incident` (or `data.id`) names it; the opened event carries severity, title,
 * environment, service and links (see linkedDeployments). A later event's links add to the opened one's (a
 * deployment may join an open incident). Other kinds are ignored; a resolution of an unknown incident too.
 */
export function foldIncidents(events: readonly IncidentEvent[]): IncidentFact[] {
  const incidents = new Map<string, IncidentFact>();
  for (const e of events) {
    const id = text(e.data.incident) ?? text(e.data.id);
    if (!id) continue;
    if (e.kind === 'incident.opened' && !incidents.has(id)) {
      const environment = text(e.data.environment) ?? e.environment;
      const service = text(e.data.service) ?? e.service;
      const severity = text(e.data.severity);
      const title = text(e.data.title);
      incidents.set(id, {
        id,
        openedAt: e.at.getTime(),
        deployments: [...new Set(linkedDeployments(e.data.links))],
        ...(environment ? { environment } : {}),
        ...(service ? { service } : {}),
        ...(severity ? { severity } : {}),
        ...(title ? { title } : {}),
      });
    } else if (e.kind === 'incident.resolved') {
      const incident = incidents.get(id);
      if (!incident) continue;
      if (incident.resolvedAt === undefined) incident.resolvedAt = e.at.getTime();
      addDeployments(incident, linkedDeployments(e.data.links));
    }
  }
  return [...incidents.values()];
}

/** Add deployment links an incident does not name yet (the store's incident_links, a later event's). */
export function addDeployments(incident: IncidentFact, ids: readonly string[]): void {
  for (const d of ids) if (!incident.deployments.includes(d)) incident.deployments.push(d);
}
