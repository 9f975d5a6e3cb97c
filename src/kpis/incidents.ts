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
 * Fold `incident.opened` / `incident.resolved` events (oldest first) into incidents. The events are the contract
 * with the incidents capability: `data.incident` (or `data.id`) names it; the opened event carries severity, title,
 * environment, service and `links.deployments`. Other kinds are ignored; a resolution of an unknown incident too.
 */
export function foldIncidents(events: readonly IncidentEvent[]): IncidentFact[] {
  const incidents = new Map<string, IncidentFact>();
  for (const e of events) {
    const id = text(e.data.incident) ?? text(e.data.id);
    if (!id) continue;
    if (e.kind === 'incident.opened' && !incidents.has(id)) {
      const links = (e.data.links ?? {}) as { deployments?: unknown };
      const deployments = Array.isArray(links.deployments)
        ? links.deployments.filter((x): x is string => typeof x === 'string')
        : [];
      const environment = text(e.data.environment) ?? e.environment;
      const service = text(e.data.service) ?? e.service;
      const severity = text(e.data.severity);
      const title = text(e.data.title);
      incidents.set(id, {
        id,
        openedAt: e.at.getTime(),
        deployments,
        ...(environment ? { environment } : {}),
        ...(service ? { service } : {}),
        ...(severity ? { severity } : {}),
        ...(title ? { title } : {}),
      });
    } else if (e.kind === 'incident.resolved') {
      const incident = incidents.get(id);
      if (incident && incident.resolvedAt === undefined) incident.resolvedAt = e.at.getTime();
    }
  }
  return [...incidents.values()];
}
