import type { DeploymentFact, IncidentFact } from './model.js';

/**
 * Which deployments were rolled back: by the engine during the rollout (state rolled_back), or afterwards — its
 * post-deploy watch rolled it back, or a rollback deployment later moved its service away from its release.
 */
export function rolledBackDeployments(deployments: readonly DeploymentFact[]): Set<string> {
  const reverted = new Set<string>();
  for (const d of deployments) {
    if (d.kind !== 'deploy') continue;
    if (d.state === 'rolled_back' || d.watchRolledBack) reverted.add(d.id);
    else if (d.state === 'succeeded' && deployments.some((r) => revertedBy(d, r))) reverted.add(d.id);
  }
  return reverted;
}

function revertedBy(d: DeploymentFact, r: DeploymentFact): boolean {
  return (
    r.kind === 'rollback' &&
    r.state === 'succeeded' &&
    r.environment === d.environment &&
    r.service === d.service &&
    r.fromRelease === d.toRelease &&
    r.startedAt >= d.finishedAt
  );
}

/**
 * Change failures, the Four Keys way: deployments that caused a failure — rolled back (see above), regressed in
 * their post-deploy watch (rolled back or only reported), failed (the rollout could not finish cleanly), or named by
 * an incident they could have caused. A deployment that started after the incident opened and joined it (the
 * watch's rollback, a fix) is the response, not a cause: it counts only when it went wrong itself.
 */
export function changeFailures(
  deployments: readonly DeploymentFact[],
  incidents: readonly IncidentFact[],
): Set<string> {
  const failures = rolledBackDeployments(deployments);
  const caused = (d: DeploymentFact) => incidents.some((i) => i.deployments.includes(d.id) && d.startedAt < i.openedAt);
  for (const d of deployments) {
    if (d.kind !== 'deploy') continue;
    if (d.state === 'failed' || d.regressed || caused(d)) failures.add(d.id);
  }
  return failures;
}
