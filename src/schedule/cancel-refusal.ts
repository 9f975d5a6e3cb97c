import type { DeploymentRecord } from '../model/deployment.js';
import type { Queryable } from '../store/db.js';
import { getDeployment } from '../store/repos/deployments.js';
import { getRelease } from '../store/repos/releases.js';
import type { ScheduledDeployment } from '../store/repos/scheduled-deployments.js';
import { getServiceState } from '../store/repos/service-state.js';

/**
 * Why a scheduled deployment that is no longer pending cannot be cancelled, and what to do instead. Once started, the
 * advice follows its deployment's state: abort it by id while it is queued or runs (the service name could reach a
 * later deployment), and once it ended, how it ended and, if its release still serves, the rollback that undoes it.
 */
export async function cancelRefusal(db: Queryable, s: ScheduledDeployment): Promise<string> {
  const what = `scheduled deployment ${s.id} (${s.service} ${s.version} to ${s.environment})`;
  if (s.state === 'failed') return `${what} has already failed, it did not start: ${s.error ?? 'no reason recorded'}`;
  if (s.state === 'cancelled') return `${what} is already cancelled`;
  if (!s.deploymentId)
    return (
      `${what} is starting (the coordinator claimed it at its time): its deployment is named in a moment by ` +
      `slipway scheduled --all; stop it with slipway abort <that dep_… id>`
    );
  const d = await getDeployment(db, s.deploymentId);
  const started = `${what} has already started as deployment ${s.deploymentId}`;
  if (!d || d.state === 'running') return `${started}: stop it with slipway abort ${s.deploymentId}`;
  if (d.state === 'queued') return `${started}, queued behind another: call it off with slipway abort ${d.id}`;
  if (d.state === 'rolling_back') return `${started}, which is rolling back already: nothing to stop`;
  return `${started}, which ${await ended(db, d)}`;
}

/** How a finished deployment ended, and the rollback that undoes it while its release is still the one serving. */
async function ended(db: Queryable, d: DeploymentRecord): Promise<string> {
  const at = d.finishedAt ? ` at ${d.finishedAt.toISOString()}` : '';
  // Its first line: a failure's reason goes on with the instance's log lines.
  const why = d.reason ? ` (${d.reason.split('\n')[0]})` : '';
  if (d.state === 'cancelled') return `was cancelled before it ran${why}: nothing to stop`;
  if (d.state !== 'succeeded') return `${d.state.replace('_', ' ')}${at}${why}: nothing to stop`;
  const now = await getServiceState(db, d.project, d.environment, d.service);
  if (now?.stableRelease !== d.toRelease) {
    const serving = now?.stableRelease ? await getRelease(db, now.stableRelease) : undefined;
    return (
      `succeeded${at}; ${d.environment} has moved on since (it serves ${d.service} ` +
      `${serving?.version ?? 'nothing'}): see slipway history ${d.service} --env ${d.environment}`
    );
  }
  const previous = d.fromRelease ? await getRelease(db, d.fromRelease) : undefined;
  if (!previous) return `succeeded${at}; there is no earlier release of ${d.service} in ${d.environment} to go back to`;
  return (
    `succeeded${at}; to undo it: slipway rollback ${d.service} --env ${d.environment} ` +
    `(back to ${previous.version})`
  );
}
