import { changeFailures, rolledBackDeployments } from './change-failures.js';
import type { AvailabilityFact, DeploymentFact, IncidentFact, Kpis } from './model.js';
import { targets } from './model.js';
import { judgeMtbf } from './mtbf.js';
import { judgeMttr, restoreSummary } from './mttr.js';
import { restoreWindows } from './restore-windows.js';
import { check, share, summarize } from './summarize.js';

/** What one scope's figures are computed from. */
export interface KpiInputs {
  since: number;
  until: number;
  /** Deployments that finished in the period (rollbacks a little after it too: they revert ones inside). */
  deployments: DeploymentFact[];
  /** Incidents opened before `until` (resolved or not). */
  incidents: IncidentFact[];
  /** Lead times (commit → succeeded) of deployments that finished in the period. */
  leadTimesMs: number[];
  availability: AvailabilityFact;
  /**
   * When the scope's first deployment started, at any time before `until` (null: never deployed). MTBF's up time
   * runs from then, or from an earlier incident, when later than `since`: before it there was nothing to fail.
   */
  firstDeployedAt: number | null;
}

const day = 86_400_000;
const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;

/**
 * The delivery figures of one scope over [since, until), each against the seed's target. Denominators are the
 * deployments (kind deploy) that finished in the period; rollback deployments are how people revert, not changes.
 */
export function computeKpis(input: KpiInputs): Kpis {
  const { since, until } = input;
  const inPeriod = (t: number) => t >= since && t < until;
  const changes = input.deployments.filter((d) => d.kind === 'deploy' && inPeriod(d.finishedAt));
  const reverted = rolledBackDeployments(input.deployments);
  const rolledBack = changes.filter((d) => reverted.has(d.id));
  const failed = changes.filter((d) => d.state === 'failed').length;
  // The breakdown is by what became of each deployment, so its "rolled back" is the rollback frequency's count: a
  // rollout that succeeded and was then rolled back (by its post-deploy watch, or a later `slipway rollback`) is
  // rolled back, not ok, and not a success. Deployment frequency still counts it: the release was shipped.
  const shipped = changes.filter((d) => d.state === 'succeeded').length;
  const succeeded = changes.filter((d) => d.state === 'succeeded' && !reverted.has(d.id)).length;
  const failures = [...changeFailures(input.deployments, input.incidents)].filter((id) =>
    changes.some((d) => d.id === id),
  );

  const incidents = input.incidents.filter((i) => i.openedAt < until && (i.resolvedAt ?? Infinity) >= since);
  const resolved = incidents.filter((i) => i.resolvedAt !== undefined && inPeriod(i.resolvedAt));
  const openIncidents = incidents.filter((i) => i.resolvedAt === undefined || i.resolvedAt >= until);
  const incidentTimes = {
    restoredMs: resolved.map((i) => i.resolvedAt! - i.openedAt),
    openMs: openIncidents.map((i) => until - i.openedAt),
  };
  const bad = new Set(changeFailures(input.deployments, input.incidents));
  const windows = restoreWindows(input.deployments, bad).filter((w) => w.from < until && (w.to ?? until) >= since);
  const deploymentTimes = {
    restoredMs: windows.filter((w) => w.to !== undefined && inPeriod(w.to)).map((w) => w.to! - w.from),
    openMs: windows.filter((w) => w.to === undefined || w.to >= until).map((w) => until - w.from),
  };
  const mttr = judgeMttr(incidentTimes, deploymentTimes);

  // A failure is an incident, or a bad-deployment window no incident names (the same outage counts once).
  const linked = new Set(incidents.flatMap((i) => i.deployments));
  const unlinked = windows.filter((w) => !w.deployments.some((d) => linked.has(d)));
  const failureCount =
    incidents.filter((i) => inPeriod(i.openedAt)).length + unlinked.filter((w) => inPeriod(w.from)).length;
  // Up time is the observed time less the outages: from when the scope first existed (its first deployment, or an
  // incident before it) if that is inside the period, so a week-old environment is not credited with a month up.
  const observedFrom = Math.max(since, Math.min(input.firstDeployedAt ?? until, ...incidents.map((i) => i.openedAt)));
  const observedMs = Math.max(0, until - observedFrom);
  const clip = (from: number, to: number | undefined) =>
    Math.max(0, Math.min(to ?? until, until) - Math.max(from, observedFrom));
  const downMs =
    incidents.reduce((a, i) => a + clip(i.openedAt, i.resolvedAt), 0) +
    unlinked.reduce((a, w) => a + clip(w.from, w.to), 0);
  const upMs = observedMs - Math.min(downMs, observedMs);
  const mtbf = judgeMtbf(upMs, failureCount);
  const periodMs = until - since;

  const a = input.availability;
  const uptime = share(a.probes - a.probeFailures, a.probes);
  const successRate = share(succeeded, changes.length);
  const rollbackRate = share(rolledBack.length, changes.length);
  return {
    deployments: { finished: changes.length, succeeded, rolledBack: rolledBack.length, failed },
    deploymentFrequency: { perDay: shipped / (periodMs / day), succeeded: shipped },
    leadTime: summarize(input.leadTimesMs),
    changeFailureRate: { value: share(failures.length, changes.length), failedChanges: failures.length },
    timeToRestore: {
      incidents: restoreSummary(incidentTimes.restoredMs, incidentTimes.openMs),
      deployments: restoreSummary(deploymentTimes.restoredMs, deploymentTimes.openMs),
      ...mttr,
    },
    successRate: {
      value: successRate,
      check: check(successRate, { atLeast: targets.successRate }, `≥ ${pct(targets.successRate)}`),
    },
    rollbackFrequency: {
      value: rollbackRate,
      rollbacks: rolledBack.length,
      check: check(rollbackRate, { atMost: targets.rollbackRate }, `≤ ${pct(targets.rollbackRate)}`),
    },
    mtbf: { valueMs: mtbf.valueMs, failures: failureCount, upMs, check: mtbf.check },
    availability: {
      uptime,
      probes: a.probes,
      probeFailures: a.probeFailures,
      errorShare: share(a.errors5xx, a.requests),
      requests: a.requests,
      check: check(uptime, { atLeast: targets.uptime }, `≥ ${pct(targets.uptime)}`),
    },
    incidents: {
      opened: incidents.filter((i) => inPeriod(i.openedAt)).length,
      open: openIncidents.length,
    },
  };
}
