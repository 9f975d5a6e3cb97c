import { messageOf } from '../shared/errors.js';
import { activeStates, listDeployments } from '../store/repos/deployments.js';
import { listSupervised, markStopped, updateInstanceStatus } from '../store/repos/instances.js';
import type { EngineDeps } from './context.js';

/**
 * After a (re)start: hand every recorded instance back to the runtime. Instances meant to run
 * are adopted (dead ones are restarted by the runtime); instances that were being stopped when
 * the coordinator died are stopped now. Returns the ids of deployments to resume.
 */
export async function recoverInstances(deps: EngineDeps): Promise<void> {
  const records = await listSupervised(deps.db);
  const withHandle = records.filter((r) => r.handle);
  if (withHandle.length > 0) {
    await deps.runtime.adopt(withHandle.map((r) => ({ spec: r.spec, handle: r.handle! })));
    await settleAdopted(
      deps,
      withHandle.filter((r) => r.state === 'healthy').map((r) => r.id),
    );
    const byId = new Map(deps.runtime.list().map((s) => [s.instanceId, s]));
    for (const r of withHandle) {
      const s = byId.get(r.id);
      if (s) await updateInstanceStatus(deps.db, r.id, { state: s.state, restarts: s.restarts, address: s.address });
    }
  }
  for (const r of records) {
    if (r.desired !== 'stopped') continue;
    try {
      if (r.handle) await deps.runtime.stop(r.id);
      await markStopped(deps.db, r.id);
    } catch (e) {
      deps.logger.warn({ instance: r.id, err: messageOf(e) }, 'could not stop an instance left stopping');
    }
  }
  // Rows without a handle were recorded but never started: the deployment step that made them
  // starts them when it resumes; rows of finished deployments without a handle are dead records.
  const resumable = new Set((await listDeployments(deps.db, { states: activeStates, limit: 1000 })).map((d) => d.id));
  for (const r of records) {
    if (!r.handle && r.desired !== 'stopped' && !(r.deploymentId && resumable.has(r.deploymentId)))
      await markStopped(deps.db, r.id);
  }
}

/**
 * Wait (bounded) until instances that were healthy before the restart have had their first
 * health check, so routes are rebuilt from fresh verdicts rather than from "starting".
 */
async function settleAdopted(deps: EngineDeps, ids: string[], limitMs = 10_000): Promise<void> {
  const deadline = deps.clock.now() + limitMs;
  const wanted = new Set(ids);
  while (deps.clock.now() < deadline) {
    const pending = deps.runtime.list().filter((s) => wanted.has(s.instanceId) && s.state === 'starting');
    if (pending.length === 0) return;
    await deps.clock.sleep(deps.pollMs ?? 50);
  }
}

/** Ids of deployments that were running or rolling back when the coordinator stopped. */
export async function inFlightDeployments(deps: EngineDeps): Promise<string[]> {
  return (await listDeployments(deps.db, { states: activeStates, limit: 1000 })).map((d) => d.id);
}
