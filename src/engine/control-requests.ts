import type { ControlRequest, DeploymentRecord } from '../model/deployment.js';
import { getDeployment, setControl } from '../store/repos/deployments.js';
import type { EngineDeps } from './context.js';
import { EngineError } from './errors.js';
import { decideControl, replaceable, type ControlVerb } from './model/control.js';

/**
 * Record a control request on a running deployment: decided by `decideControl` on the stored
 * record, then written with a compare-and-set, so a request that raced another (or the executor
 * acknowledging one) is decided again on the fresh record instead of overwriting it.
 */
export async function requestControl(
  deps: Pick<EngineDeps, 'db'>,
  id: string,
  request: Exclude<ControlRequest, { kind: 'none' }>,
): Promise<{ deployment: DeploymentRecord; changed: boolean }> {
  const verb: ControlVerb = request.kind;
  for (let attempt = 0; attempt < 5; attempt++) {
    const d = await getDeployment(deps.db, id);
    if (!d) throw new EngineError('not_found', `no deployment ${id}`);
    const decision = decideControl(verb, d);
    if (decision.kind === 'refuse') throw new EngineError('conflict', decision.why);
    if (decision.kind === 'unchanged') return { deployment: d, changed: false };
    const updated = await setControl(deps.db, id, request, replaceable[verb]);
    if (updated) return { deployment: updated, changed: true };
  }
  throw new EngineError('conflict', `deployment ${id} kept changing while the ${verb} was recorded; try again`);
}
