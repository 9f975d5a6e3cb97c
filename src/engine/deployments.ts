import type { ProjectConfig, ReleaseSpec, ResolvedService, StrategyConfig, StrategyType } from '../config/model.js';
import { environmentEnvFor, serviceIn } from '../config/resolve.js';
import { defaultStrategy } from '../config/strategy.js';
import { formatDuration } from '../shared/duration.js';
import { newId } from '../shared/ids.js';
import type { DeploymentRecord, DeploymentSettings } from '../model/deployment.js';
import type { Plan } from '../model/plan.js';
import {
  activeDeployment,
  getDeployment,
  insertDeployment,
  isActiveDeploymentConflict,
  updateDeployment,
} from '../store/repos/deployments.js';
import { listInstances } from '../store/repos/instances.js';
import { getProject } from '../store/repos/projects.js';
import { getRelease } from '../store/repos/releases.js';
import { getServiceState } from '../store/repos/service-state.js';
import { buildPlan } from '../strategies/build.js';
import { activeFreeze } from './pipeline/freeze.js';
import { outsideWindows } from './pipeline/windows.js';
import { promotionWaits } from './pipeline/promotion.js';
import { approvalStatus } from './pipeline/approval-status.js';
import type { EngineDeps } from './context.js';
import { requestControl } from './control-requests.js';
import { EngineError } from './errors.js';
import { ensureRelease, releaseSpecFor } from './releases.js';

export interface DeployRequest {
  project: string;
  service: string;
  environment: string;
  version: string;
  /** Use this strategy type (with its defaults) instead of the configured one. */
  strategy?: StrategyType;
  /** KEY=VALUE environment overrides for this release. */
  sets?: Record<string, string>;
  /** Wait behind a running deployment instead of being refused. */
  queue?: boolean;
  requestedBy?: string;
  /** Deploy through a freeze window (the API allows it to admins only); marked everywhere it appears. */
  emergency?: { reason: string };
  /** A component of this rollout: its pipeline rules were checked for the release as a whole when it began. */
  rollout?: string;
}

/** The project's config as last applied, or a not-found error naming it. */
export async function projectConfig(deps: EngineDeps, project: string): Promise<ProjectConfig> {
  const record = await getProject(deps.db, project);
  if (!record)
    throw new EngineError(
      'not_found',
      `project "${project}" is not known to this coordinator; apply its slipway.yaml first (slipway deploy does)`,
    );
  return record.config;
}

/** One line naming a running deployment, for refusals. */
export async function describeActive(deps: EngineDeps, d: DeploymentRecord): Promise<string> {
  const [from, to] = await Promise.all([
    d.fromRelease ? getRelease(deps.db, d.fromRelease) : undefined,
    getRelease(deps.db, d.toRelease),
  ]);
  const age = d.startedAt ? `, started ${formatDuration(deps.clock.now() - d.startedAt.getTime())} ago` : '';
  return (
    `${d.id} (${from?.version ?? 'nothing'} → ${to?.version}, ${d.state.replace('_', ' ')}, step ` +
    `${Math.min(d.step + 1, d.plan.steps.length)}/${d.plan.steps.length}${age})`
  );
}

/**
 * Create a deployment: resolve the release (immutable), plan it with the strategy, and record
 * it as running — or queued behind the running one when asked. The store's unique index makes
 * "one deployment per service and environment" hold even under concurrent requests.
 */
export async function createDeployment(deps: EngineDeps, req: DeployRequest): Promise<DeploymentRecord> {
  const config = await projectConfig(deps, req.project);
  const service = serviceIn(config, req.service, req.environment);
  const spec = await releaseSpecFor(deps.db, req.project, service, req.version, req.sets);
  const release = await ensureRelease(deps.db, req.project, spec, environmentEnvFor(service, spec));
  const configured: StrategyConfig = req.strategy
    ? req.strategy === service.strategy.type
      ? service.strategy
      : defaultStrategy(req.strategy)
    : service.strategy;
  const strategy = req.emergency ? stricterForEmergency(configured) : configured;
  const state = await getServiceState(deps.db, req.project, req.environment, req.service);
  // A component of a rollout was checked, with the others, when the release was admitted.
  if (!req.rollout) {
    await refuseOutsidePipeline(deps, config, req);
    const stable = state?.stableRelease ? await getRelease(deps.db, state.stableRelease) : undefined;
    await preflightOf(deps, config, service, req.version, req.environment, stable?.version);
  }

  const active = await activeDeployment(deps.db, req.project, req.service, req.environment);
  if (active && !req.queue) {
    throw new EngineError(
      'conflict',
      `${req.service} in ${req.environment} is already being deployed by ${await describeActive(deps, active)}; ` +
        `wait for it to finish, or pass --queue`,
      {
        deployment: active.id,
      },
    );
  }
  // The stable release with no instance meant to run (all stopped by `slipway down`) is started again as a first
  // deployment would start it: from nothing, so no step stops "old" instances that are its new ones.
  const restoring =
    state?.stableRelease === release.id &&
    (
      await listInstances(deps.db, {
        project: req.project,
        service: req.service,
        environment: req.environment,
        releaseId: release.id,
        live: true,
      })
    ).length === 0;
  if (!active && state?.stableRelease === release.id && !restoring) {
    throw new EngineError(
      'conflict',
      `${req.service} ${req.version} is already the stable release in ${req.environment}; nothing to deploy`,
      { release: release.id },
    );
  }

  const settings: DeploymentSettings = {
    instances: service.instances,
    health: {
      path: service.health.path,
      intervalMs: service.health.intervalMs,
      timeoutMs: service.health.timeoutMs,
      healthyThreshold: service.health.healthyThreshold,
      unhealthyThreshold: service.health.unhealthyThreshold,
    },
    startTimeoutMs: service.health.startTimeoutMs,
    drainTimeoutMs: service.drainTimeoutMs,
    strategyConfig: strategy,
    ...(req.emergency
      ? { emergency: { reason: req.emergency.reason, ...(req.requestedBy ? { by: req.requestedBy } : {}) } }
      : {}),
    ...(config.database?.service === req.service && config.database.revertOnRollback
      ? { revertMigrationsOnRollback: true }
      : {}),
    ...(req.sets && Object.keys(req.sets).length > 0 ? { sets: req.sets } : {}),
    ...(req.rollout ? { rollout: req.rollout } : {}),
    ...(restoring ? { restart: true as const } : {}),
    ...environmentEnvSetting(service, spec),
  };
  const base = {
    id: newId('dep'),
    project: req.project,
    service: req.service,
    environment: req.environment,
    kind: 'deploy' as const,
    toRelease: release.id,
    strategy: strategy.type,
    requestedBy: req.requestedBy,
    settings,
  };
  const fromRelease = restoring ? undefined : state?.stableRelease;
  const plan = planOf(deps, config, req.service, req.environment, strategy, service.instances, Boolean(fromRelease));
  try {
    return await insertDeployment(deps.db, { ...base, fromRelease, plan, state: active ? 'queued' : 'running' });
  } catch (e) {
    if (!isActiveDeploymentConflict(e)) throw e;
    const winner = await activeDeployment(deps.db, req.project, req.service, req.environment);
    if (req.queue) return insertDeployment(deps.db, { ...base, fromRelease, plan, state: 'queued' });
    throw new EngineError(
      'conflict',
      `${req.service} in ${req.environment} is already being deployed by ` +
        `${winner ? await describeActive(deps, winner) : 'another request'}; pass --queue to wait`,
      // As the refusal above: callers that wait instead of failing (scheduled deployments) learn which one.
      winner ? { deployment: winner.id } : undefined,
    );
  }
}

/**
 * A queued deployment whose turn came: re-plan it against what is stable now (the one before it
 * may have changed that), then run it — or cancel it when its release is already stable.
 */
export async function startQueued(deps: EngineDeps, d: DeploymentRecord): Promise<DeploymentRecord | undefined> {
  const state = await getServiceState(deps.db, d.project, d.environment, d.service);
  if (state?.stableRelease === d.toRelease) {
    await updateDeployment(deps.db, d.id, {
      state: 'cancelled',
      reason: 'its release became stable while it was queued',
      finished: true,
    });
    return undefined;
  }
  const current = (await getProject(deps.db, d.project))?.config;
  const plan = planOf(
    deps,
    current,
    d.service,
    d.environment,
    d.settings.strategyConfig,
    d.settings.instances,
    Boolean(state?.stableRelease),
  );
  try {
    return await updateDeployment(deps.db, d.id, {
      state: 'running',
      plan,
      step: 0,
      fromRelease: state?.stableRelease,
      started: true,
    });
  } catch (e) {
    if (isActiveDeploymentConflict(e)) return undefined; // another one started first; it will hand over when done
    throw e;
  }
}

/** Record an abort so the executor rolls the deployment back (durable across restarts). */
export async function requestAbort(
  deps: EngineDeps,
  id: string,
  reason: string,
  by?: string,
): Promise<DeploymentRecord> {
  const d = await getDeployment(deps.db, id);
  if (!d) throw new EngineError('not_found', `no deployment ${id}`);
  if (d.state === 'queued') return updateDeployment(deps.db, id, { state: 'cancelled', reason, finished: true });
  if (d.state === 'rolling_back')
    throw new EngineError(
      'conflict',
      `deployment ${id} is already rolling back (${d.reason?.split('\n')[0] ?? 'no reason recorded'})`,
    );
  if (d.state !== 'running')
    throw new EngineError(
      'conflict',
      `deployment ${id} already finished (${d.state.replace('_', ' ')}); to undo it, run: slipway rollback ` +
        `${d.service} --env ${d.environment}`,
    );
  const { deployment } = await requestControl(deps, id, {
    kind: 'abort',
    reason,
    ...(by ? { by } : {}),
    outcome: 'rolled_back',
    at: deps.clock.now(),
  });
  return deployment;
}

/**
 * The deployment's whole plan, built once by the strategies: migration steps when the service's
 * releases carry migrations (database.service), gate steps when the environment has gates.
 */
function planOf(
  deps: EngineDeps,
  config: ProjectConfig | undefined,
  service: string,
  environment: string,
  strategy: StrategyConfig,
  instances: number,
  hasStable: boolean,
): Plan {
  const gates = config?.environments.find((e) => e.name === environment)?.gates;
  return buildPlan({
    strategy,
    instances,
    hasStable,
    migrations: Boolean(deps.migrations && config?.database?.service === service),
    gates: {
      before: Boolean(gates && (gates.before.length > 0 || gates.coverage !== undefined)),
      after: Boolean(gates && gates.after.length > 0),
    },
  });
}

/**
 * Before anything starts: the environment is not frozen and is inside a deployment window (unless
 * this is an emergency), and the
 * release has been through the environments this one requires, and has the approvals the
 * environment needs. The refusal says what it waits for.
 */
export async function refuseOutsidePipeline(
  deps: EngineDeps,
  config: ProjectConfig,
  req: Pick<DeployRequest, 'project' | 'service' | 'environment' | 'version' | 'emergency' | 'requestedBy'>,
): Promise<void> {
  const environment = config.environments.find((e) => e.name === req.environment);
  if (!environment) return; // serviceIn already refused an unknown environment
  const now = new Date(deps.clock.now());
  const freeze = activeFreeze(environment.freezes, now);
  if (freeze && !req.emergency) {
    throw new EngineError(
      'conflict',
      `${req.environment} is frozen until ${freeze.endsAt.toISOString()}: ${freeze.message} (${freeze.window}); an ` +
        `admin can deploy anyway with --emergency --reason "…"`,
      { freeze: { message: freeze.message, endsAt: freeze.endsAt.toISOString(), window: freeze.window } },
    );
  }
  const outside = outsideWindows(environment, now);
  if (outside && !req.emergency) {
    const at = outside.next.opensAt.toISOString();
    throw new EngineError(
      'conflict',
      `${outside.message}: schedule it with --at next-window (or --at ${at}), or an admin deploys now with ` +
        '--emergency --reason "…"',
      { window: { opensAt: at, closesAt: outside.next.closesAt.toISOString(), window: outside.next.window } },
    );
  }
  const waits = await promotionWaits(deps.db, req.project, req.service, req.version, environment, now);
  if (waits.length > 0) {
    const soonest = waits.every((w) => w.readyAt)
      ? ` (ready at ${new Date(Math.max(...waits.map((w) => w.readyAt!.getTime()))).toISOString()})`
      : '';
    throw new EngineError(
      'conflict',
      `${req.service} ${req.version} cannot go to ${req.environment} yet: ` +
        `${waits.map((w) => w.reason).join('; ')}${soonest}`,
      {
        waits: waits.map((w) => ({
          environment: w.environment,
          reason: w.reason,
          ...(w.readyAt ? { readyAt: w.readyAt.toISOString() } : {}),
        })),
      },
    );
  }
  // Emergencies skip freezes only: sign-off is about this release, not about the calendar.
  const approvals = await approvalStatus(
    deps.db,
    req.project,
    req.service,
    req.version,
    environment,
    now,
    req.requestedBy,
  );
  if (approvals?.waitsFor) {
    // The bus for on-approval-needed notifications: approvers hear that someone is waiting for them.
    await deps.events.emit({
      project: req.project,
      service: req.service,
      environment: req.environment,
      kind: 'approval.needed',
      message: approvals.waitsFor,
      data: {
        version: req.version,
        reason: approvals.waitsFor,
        ...(req.requestedBy ? { by: req.requestedBy } : {}),
        missing: approvals.missing,
      },
    });
    throw new EngineError('conflict', approvals.waitsFor, {
      approvals: {
        environment: approvals.environment,
        state: approvals.state,
        required: approvals.required,
        approvedBy: approvals.approvedBy,
        missing: approvals.missing,
      },
    });
  }
}

/**
 * An emergency canary is judged more strictly: it skipped the freeze, so it gets less benefit of
 * the doubt — absolute limits and baseline multipliers halved, unavailability tolerated half as long.
 */
function stricterForEmergency(strategy: StrategyConfig): StrategyConfig {
  if (strategy.type !== 'canary') return strategy;
  const t = strategy.analysis.triggers;
  return {
    ...strategy,
    analysis: {
      ...strategy.analysis,
      triggers: {
        errorRateVsBaseline: Math.max(1.5, t.errorRateVsBaseline / 2),
        p95VsBaseline: Math.max(1.5, t.p95VsBaseline / 2),
        maxErrorRate: t.maxErrorRate / 2,
        maxP95Ms: t.maxP95Ms / 2,
        unavailableForMs: t.unavailableForMs / 2,
      },
    },
  };
}

/** The release preflight (app/) for one service, compared with `stableVersion`, the release live there. */
export async function preflightOf(
  deps: EngineDeps,
  config: ProjectConfig,
  service: ResolvedService,
  version: string,
  environment: string,
  stableVersion: string | undefined,
): Promise<void> {
  await deps.preflight?.check({
    project: config.project,
    environment,
    service,
    version,
    ...(stableVersion ? { stableVersion } : {}),
    dataDir: config.dataDir,
  });
}

/** The environment's own env for a deployment's settings, when it has any (instance-spec.ts adds it at each start). */
export function environmentEnvSetting(
  service: ResolvedService,
  spec: ReleaseSpec,
): Pick<DeploymentSettings, 'environmentEnv'> {
  const environmentEnv = environmentEnvFor(service, spec);
  return Object.keys(environmentEnv).length > 0 ? { environmentEnv } : {};
}
