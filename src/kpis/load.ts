import type { Queryable } from '../store/db.js';
import { availabilityTotals } from '../store/repos/availability.js';
import {
  listDeploymentOutcomes,
  listFirstDeployments,
  listIncidentDeploymentLinks,
  listIncidentEvents,
  listPeriodLeadTimes,
} from '../store/repos/delivery-records.js';
import { computeKpis } from './compute.js';
import { addDeployments, foldIncidents } from './incidents.js';
import type { DeploymentFact, IncidentFact, Kpis } from './model.js';

/** Which figures to read: a project's environments over [since, until), optionally one service. */
export interface KpiQuery {
  project: string;
  environments: string[];
  since: Date;
  until: Date;
  service?: string;
}

/** One environment's figures. */
export interface EnvironmentKpis {
  environment: string;
  service?: string;
  kpis: Kpis;
}

/** A rollback this long after the period still counts against a deployment inside it. */
const rollbackGraceMs = 7 * 86_400_000;

/** Read the store and compute the figures per environment (in the order asked). */
export async function loadKpis(db: Queryable, q: KpiQuery): Promise<EnvironmentKpis[]> {
  const range = { project: q.project, since: q.since, until: q.until, service: q.service };
  const only = q.environments.length === 1 ? q.environments[0] : undefined;
  const [outcomes, incidentEvents, links, leadTimes, availability, firsts] = await Promise.all([
    listDeploymentOutcomes(db, { ...range, graceMs: rollbackGraceMs, environment: only }),
    listIncidentEvents(db, { project: q.project, until: q.until }),
    listIncidentDeploymentLinks(db, { project: q.project }),
    listPeriodLeadTimes(db, { ...range, environment: only }),
    availabilityTotals(db, { ...range, environment: only }),
    listFirstDeployments(db, { project: q.project, until: q.until, environment: only, service: q.service }),
  ]);
  const deployments: DeploymentFact[] = outcomes.map((o) => ({
    ...o,
    startedAt: o.startedAt.getTime(),
    finishedAt: o.finishedAt.getTime(),
  }));
  const incidents = foldIncidents(incidentEvents);
  const byId = new Map(incidents.map((i) => [i.id, i]));
  for (const l of links) {
    const incident = byId.get(l.incident);
    if (incident) addDeployments(incident, [l.deployment]);
  }
  return q.environments.map((environment) => {
    const scoped = deployments.filter((d) => d.environment === environment);
    const ids = new Set(scoped.map((d) => d.id));
    const a = availability.find((x) => x.environment === environment);
    const first = firsts.find((x) => x.environment === environment);
    return {
      environment,
      ...(q.service ? { service: q.service } : {}),
      kpis: computeKpis({
        since: q.since.getTime(),
        until: q.until.getTime(),
        deployments: scoped,
        incidents: incidents.filter((i) => inScope(i, environment, q.service, ids)),
        leadTimesMs: leadTimes.filter((l) => l.environment === environment).map((l) => l.leadTimeMs),
        availability: a ?? { probes: 0, probeFailures: 0, requests: 0, errors5xx: 0 },
        firstDeployedAt: first ? first.startedAt.getTime() : null,
      }),
    };
  });
}

/** An incident counts for an environment (and service) it names, or that one of its deployments belongs to. */
function inScope(i: IncidentFact, environment: string, service: string | undefined, ids: Set<string>): boolean {
  if (i.deployments.some((d) => ids.has(d))) return true;
  return i.environment === environment && (service === undefined || i.service === service);
}
