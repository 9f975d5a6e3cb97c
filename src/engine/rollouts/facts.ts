/** What the component deployments of a rollout did, read from the store for next-step.ts. */
import type { DeploymentRecord } from '../../model/deployment.js';
import type { RolloutRecord } from '../../model/rollout.js';
import type { Queryable } from '../../store/db.js';
import { listDeployments, listRolloutDeployments } from '../../store/repos/deployments.js';
import { type ComponentFacts, type DeploymentFacts, rolloutRequester } from './next-step.js';

function factsOf(d: DeploymentRecord, requester?: string): DeploymentFacts {
  const reason = d.reason ?? d.error?.message;
  return {
    id: d.id,
    kind: d.kind,
    state: d.state,
    ...(reason ? { reason: reason.split('\n')[0]! } : {}),
    ...(d.requestedBy ? { requestedBy: d.requestedBy } : {}),
    aborting: d.state === 'rolling_back' || d.control.kind === 'abort',
    ...(requester && d.control.kind === 'abort' && d.control.by === requester ? { abortedByRollout: true } : {}),
  };
}

/** A deployment somebody else started that moved (or is moving) the service off the rollout's release. */
function movedIt(d: DeploymentRecord): boolean {
  if (d.kind === 'rollback') return d.state !== 'cancelled' && d.state !== 'queued';
  return d.state === 'running' || d.state === 'rolling_back' || d.state === 'succeeded';
}

/** Per component: the rollout's own deployment and rollback, and the first outside move after it succeeded. */
export async function rolloutFacts(db: Queryable, r: RolloutRecord): Promise<Map<string, ComponentFacts>> {
  const ours = await listRolloutDeployments(db, r.id);
  const facts = new Map<string, ComponentFacts>();
  for (const c of r.components) {
    const mine = ours.filter((d) => d.service === c.service);
    const deployment = mine.filter((d) => d.kind === 'deploy').at(-1);
    const rollback = mine.filter((d) => d.kind === 'rollback').at(-1);
    let outside: DeploymentRecord | undefined;
    if (deployment?.state === 'succeeded' && deployment.finishedAt && !rollback) {
      const since = deployment.finishedAt.getTime();
      const recent = await listDeployments(db, {
        project: r.project,
        service: c.service,
        environment: r.environment,
        limit: 20,
      });
      outside = recent
        .filter((d) => d.settings.rollout !== r.id && (d.startedAt ?? d.createdAt).getTime() >= since && movedIt(d))
        .at(-1); // newest first: the last is the first move after the rollout's
    }
    facts.set(c.service, {
      ...(deployment ? { deployment: factsOf(deployment, rolloutRequester(r)) } : {}),
      ...(rollback ? { rollback: factsOf(rollback) } : {}),
      ...(outside ? { outside: factsOf(outside) } : {}),
    });
  }
  return facts;
}
