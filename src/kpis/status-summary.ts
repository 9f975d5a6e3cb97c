import type { Queryable } from '../store/db.js';
import { availabilityTotals, recentProbeFailures } from '../store/repos/availability.js';
import { listIncidentEvents } from '../store/repos/delivery-records.js';
import { listScheduled } from '../store/repos/scheduled-deployments.js';
import { byUrgency } from './incident-order.js';
import { foldIncidents } from './incidents.js';
import type { IncidentFact } from './model.js';
import { share } from './summarize.js';

/** An environment as stakeholders see it. */
export type EnvironmentState = 'operational' | 'degraded' | 'incident';

export interface EnvironmentStatus {
  environment: string;
  state: EnvironmentState;
  /** Why, in a sentence a customer may read. */
  summary: string;
  /** Share of synthetic requests answered over the last 30 days (null: not probed). */
  uptime30d: number | null;
  /** By severity (sev1 first), then start time (oldest first): see incident-order.ts. */
  openIncidents: IncidentFact[];
  /**
   * When maintenance is announced there: scheduled deployments still pending whose notice went out (oldest first).
   * The maintenance notice links to this page, so those it told can follow it.
   */
  maintenance: { at: string }[];
}

/** How far back a failed probe makes an environment degraded. */
export const degradedWindowMs = 5 * 60_000;

/**
 * The state of one environment: `incident` while an incident is open there, `degraded` when a synthetic request
 * failed in the last minutes or a rollback is under way, `operational` otherwise.
 */
export function environmentState(s: { openIncidents: number; recentProbeFailures: number; rollingBack: number }): {
  state: EnvironmentState;
  summary: string;
} {
  if (s.openIncidents > 0)
    return { state: 'incident', summary: `${s.openIncidents} open incident${s.openIncidents === 1 ? '' : 's'}` };
  if (s.recentProbeFailures > 0 || s.rollingBack > 0)
    return {
      state: 'degraded',
      summary: s.rollingBack > 0 ? 'a change is being rolled back' : 'some requests failed in the last minutes',
    };
  return { state: 'operational', summary: 'all systems operational' };
}

/** Every environment's status, in the order given. */
export async function loadStatusSummary(
  db: Queryable,
  q: { project: string; environments: string[]; now: Date },
): Promise<EnvironmentStatus[]> {
  const [events, uptime, rollingBack, pending] = await Promise.all([
    listIncidentEvents(db, { project: q.project, until: new Date(q.now.getTime() + 1) }),
    availabilityTotals(db, { project: q.project, since: new Date(q.now.getTime() - 30 * 86_400_000), until: q.now }),
    db.query<{ environment: string; n: number }>(
      `select environment, count(*)::int as n from deployments where project = $1 and state = 'rolling_back'
        group by environment`,
      [q.project],
    ),
    listScheduled(db, { project: q.project }),
  ]);
  const open = foldIncidents(events).filter((i) => i.resolvedAt === undefined);
  return Promise.all(
    q.environments.map(async (environment) => {
      const recent = await recentProbeFailures(db, {
        project: q.project,
        environment,
        since: new Date(q.now.getTime() - degradedWindowMs),
      });
      const openIncidents = byUrgency(open.filter((i) => i.environment === environment));
      const a = uptime.find((u) => u.environment === environment);
      return {
        environment,
        ...environmentState({
          openIncidents: openIncidents.length,
          recentProbeFailures: recent.probeFailures,
          rollingBack: Number(rollingBack.rows.find((r) => r.environment === environment)?.n ?? 0),
        }),
        uptime30d: a ? share(a.probes - a.probeFailures, a.probes) : null,
        openIncidents,
        maintenance: pending
          .filter((s) => s.environment === environment && s.noticedAt)
          .map((s) => ({ at: s.runAt.toISOString() })),
      };
    }),
  );
}
