import { serviceIn } from '../config/resolve.js';
import { newId } from '../shared/ids.js';
import type { DeploymentRecord } from '../model/deployment.js';
import {
  activeDeployment,
  insertDeployment,
  isActiveDeploymentConflict,
  listDeployments,
  patchProgress,
} from '../store/repos/deployments.js';
import { getRelease } from '../store/repos/releases.js';
import { getServiceState } from '../store/repos/service-state.js';
import { returnPlan } from '../strategies/build.js';
import type { EngineDeps } from './context.js';
import { describeActive, environmentEnvSetting, projectConfig, requestAbort } from './deployments.js';
import { EngineError } from './errors.js';

export interface RollbackRequest {
  project: string;
  service: string;
  environment: string;
  requestedBy?: string;
  /** Why, when something other than a person asked (the post-deploy watch); recorded on the rollback deployment. */
  reason?: string;
  /** A component of this rollout is being reverted because the release as a whole is. */
  rollout?: string;
}

/**
 * `slipway rollback`: a deployment in flight is aborted (it rolls itself back); otherwise the
 * previous release comes back as a deployment of its own. Its plan reuses warm instances of the
 * previous release, so while they are warm the switch is one route change.
 */
export async function requestRollback(
  deps: EngineDeps,
  req: RollbackRequest,
): Promise<{ deployment: DeploymentRecord; aborted: boolean }> {
  const active = await activeDeployment(deps.db, req.project, req.service, req.environment);
  if (active) {
    if (active.state === 'rolling_back') return { deployment: active, aborted: false };
    const deployment = await requestAbort(
      deps,
      active.id,
      `rollback requested${req.requestedBy ? ` by ${req.requestedBy}` : ''}`,
      req.requestedBy,
    );
    return { deployment, aborted: true };
  }

  const config = await projectConfig(deps, req.project);
  const service = serviceIn(config, req.service, req.environment);
  const state = await getServiceState(deps.db, req.project, req.environment, req.service);
  if (!state?.stableRelease)
    throw new EngineError(
      'conflict',
      `${req.service} has never been deployed to ${req.environment}; there is nothing to roll back`,
    );
  if (!state.previousRelease)
    throw new EngineError('conflict', `${req.service} in ${req.environment} has no previous release to roll back to`);
  const [current, previous] = await Promise.all([
    getRelease(deps.db, state.stableRelease),
    getRelease(deps.db, state.previousRelease),
  ]);

  const revert =
    config.database?.revertOnRollback && config.database.service === req.service
      ? await expandsOf(deps, req, current!.id)
      : [];
  const plan = returnPlan(service.instances);
  try {
    const deployment = await insertDeployment(deps.db, {
      id: newId('dep'),
      project: req.project,
      service: req.service,
      environment: req.environment,
      kind: 'rollback',
      fromRelease: current!.id,
      toRelease: previous!.id,
      strategy: 'rollback',
      // Once the release that applied them is stopped, its expands go too (database.revertOnRollback).
      plan: revert.length > 0 ? { ...plan, steps: [...plan.steps, { kind: 'revertMigrations' }] } : plan,
      requestedBy: req.requestedBy,
      ...(req.reason ? { reason: req.reason } : {}),
      state: 'running',
      settings: {
        instances: service.instances,
        health: service.health,
        startTimeoutMs: service.health.startTimeoutMs,
        drainTimeoutMs: service.drainTimeoutMs,
        strategyConfig: { type: 'blue-green', keepOldForMs: 0 },
        ...(req.rollout ? { rollout: req.rollout } : {}),
        ...(revert.length > 0 ? { revertMigrationsOnRollback: true } : {}),
        ...environmentEnvSetting(service, previous!.spec),
      },
    });
    if (revert.length === 0) return { deployment, aborted: false };
    // The step reads them from progress, as a failed deployment's rollback does (and after a restart).
    await patchProgress(deps.db, deployment.id, { migrationsApplied: revert });
    return {
      deployment: { ...deployment, progress: { ...deployment.progress, migrationsApplied: revert } },
      aborted: false,
    };
  } catch (e) {
    if (!isActiveDeploymentConflict(e)) throw e;
    const winner = await activeDeployment(deps.db, req.project, req.service, req.environment);
    throw new EngineError(
      'conflict',
      `${req.service} in ${req.environment} is being deployed by ` +
        `${winner ? await describeActive(deps, winner) : 'another request'}; run the rollback again to abort it`,
    );
  }
}

/** The expand migrations the deployment that made `release` stable applied, if it applied any. */
async function expandsOf(deps: EngineDeps, req: RollbackRequest, release: string): Promise<string[]> {
  const done = await listDeployments(deps.db, {
    project: req.project,
    service: req.service,
    environment: req.environment,
    states: ['succeeded'],
    limit: 20,
  });
  return done.find((d) => d.toRelease === release && d.kind !== 'rollback')?.progress.migrationsApplied ?? [];
}
