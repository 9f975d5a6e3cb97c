/**
 * Whether a release of the project may enter an environment, decided for the release as a whole
 * before anything moves: every component's release is resolved (immutable), and freezes, promotion
 * rules (required environments, soak) and approvals are checked for each component that would move.
 * One refusal names everything the release still waits for.
 */
import { environmentEnvFor, serviceIn } from '../../config/resolve.js';
import type { ProjectConfig } from '../../config/model.js';
import type { RolloutComponent } from '../../model/rollout.js';
import { messageOf } from '../../shared/errors.js';
import { activeDeployment } from '../../store/repos/deployments.js';
import { getRelease } from '../../store/repos/releases.js';
import { activeRollout } from '../../store/repos/rollouts.js';
import { getServiceState } from '../../store/repos/service-state.js';
import type { EngineDeps } from '../context.js';
import { describeActive, preflightOf, refuseOutsidePipeline } from '../deployments.js';
import { EngineError } from '../errors.js';
import { ensureRelease, releaseSpecFor } from '../releases.js';
import { componentLevels } from './order.js';

export interface ReleaseRequest {
  project: string;
  environment: string;
  version: string;
  /** Only these services (default: every service of the project). */
  services?: string[];
  requestedBy?: string;
  /** Through a freeze (admins only, checked by the API); carried by every component deployment. */
  emergency?: { reason: string };
}

/** The components of the release, in order, or an error saying why it may not go. */
export async function admitRelease(
  deps: EngineDeps,
  config: ProjectConfig,
  req: ReleaseRequest,
): Promise<RolloutComponent[]> {
  if (!config.environments.some((e) => e.name === req.environment))
    serviceIn(config, config.services[0]!.name, req.environment); // throws naming the declared environments
  const services = req.services ?? config.services.map((s) => s.name);
  for (const s of services) serviceIn(config, s, req.environment); // unknown services: not found, with a hint

  const levels = componentLevels(config, services);
  const components: RolloutComponent[] = [];
  for (const name of services) {
    const service = serviceIn(config, name, req.environment);
    const spec = await releaseSpecFor(deps.db, req.project, service, req.version);
    const release = await ensureRelease(deps.db, req.project, spec, environmentEnvFor(service, spec));
    const state = await getServiceState(deps.db, req.project, req.environment, name);
    const from = state?.stableRelease ? await getRelease(deps.db, state.stableRelease) : undefined;
    components.push({
      service: name,
      level: levels.get(name) ?? 0,
      release: release.id,
      ...(from ? { from: from.id, fromVersion: from.version } : {}),
      phase: from?.id === release.id ? 'unchanged' : 'pending',
    });
  }
  const moving = components.filter((c) => c.phase === 'pending');
  if (moving.length === 0)
    throw new EngineError(
      'conflict',
      `release ${req.version} is already live in ${req.environment} (${services.join(', ')}); nothing to deploy`,
    );

  const running = await activeRollout(deps.db, req.project, req.environment);
  if (running)
    throw new EngineError(
      'conflict',
      `release ${running.version} is still ${running.state === 'running' ? 'rolling out' : 'rolling back'} in ` +
        `${req.environment} (${running.id}); wait for it to finish`,
      { rollout: running.id },
    );
  const busy: string[] = [];
  for (const c of moving) {
    const active = await activeDeployment(deps.db, req.project, c.service, req.environment);
    if (active) busy.push(`${c.service} is being deployed by ${await describeActive(deps, active)}`);
  }
  if (busy.length > 0) throw new EngineError('conflict', `${busy.join('; ')}; wait for it to finish`);

  const waits: string[] = [];
  for (const c of moving) {
    try {
      await refuseOutsidePipeline(deps, config, { ...req, service: c.service });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      const message = messageOf(e);
      if (!waits.includes(message)) waits.push(message); // a freeze says the same for every component
    }
  }
  if (waits.length > 0)
    throw new EngineError('conflict', `release ${req.version} may not enter ${req.environment}: ${waits.join('; ')}`, {
      waits,
    });
  // Every moving component's own files (a frontend build, its budget), before the first one moves.
  for (const c of moving) {
    const service = serviceIn(config, c.service, req.environment);
    await preflightOf(deps, config, service, req.version, req.environment, c.fromVersion);
  }
  return components;
}
