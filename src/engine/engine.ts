import type { ProjectConfig } from '../config/model.js';
import { configDigest } from '../config/digest.js';
import type { LogLine, LogOptions } from '../runtimes/runtime.js';
import { isSlipwayError, messageOf } from '../shared/errors.js';
import type { DeploymentRecord } from '../model/deployment.js';
import { getDeployment, listDeployments, nextQueued } from '../store/repos/deployments.js';
import { listInstances, markStopped, setDesired } from '../store/repos/instances.js';
import { deleteProject, getProject, listProjects, restoreProject, upsertProject } from '../store/repos/projects.js';
import { aboutDeployment } from './event-log.js';
import type { EngineDeps } from './context.js';
import { requestControl } from './control-requests.js';
import {
  createDeployment,
  describeActive,
  projectConfig,
  requestAbort,
  startQueued,
  type DeployRequest,
} from './deployments.js';
import { pipelineView, type ReleaseView } from './pipeline/view.js';
import { EngineError } from './errors.js';
import { auditAutomaticRollback, automaticActors } from './automatic-audit.js';
import { Executor } from './executor.js';
import { CanaryWatch, type SignalFactory } from './analysis/canary-watch.js';
import { PostDeployWatch } from './analysis/post-deploy-watch.js';
import { InstanceChanges } from './instance-changes.js';
import { InstanceMonitor } from './instance-monitor.js';
import { inFlightDeployments, recoverInstances } from './recovery.js';
import { requestRollback, type RollbackRequest } from './rollback.js';
import { retireWarmInstances } from './sweeper.js';
import { Rollouts } from './rollouts/rollouts.js';
import type { ReleaseRequest } from './rollouts/admission.js';
import type { RolloutRecord } from '../model/rollout.js';
import { dataPlaneEnvironment } from './traffic-controller.js';

/** Periodic work: retire warm instances, re-push route tables. */
const tickMs = 1000;
const reconcileEveryTicks = 5;

/**
 * The deployment engine's front door: the API and the app call this, nothing else in engine/.
 * It holds no state the store does not have, so it can be stopped and started at any moment.
 */
export class Engine {
  readonly executor: Executor;
  /** Watches releases after their rollout (present when the app gives signal sources). */
  readonly watch?: PostDeployWatch;
  /** Releases of the whole project, component by component (slipway release). */
  readonly rollouts: Rollouts;
  private readonly monitor: InstanceMonitor;
  private timer?: NodeJS.Timeout;
  private ticks = 0;
  private readonly choresRunning = new Set<string>();

  readonly deps: EngineDeps;

  constructor(deps: EngineDeps, options: { signals?: SignalFactory } = {}) {
    this.deps = { ...deps };
    this.deps.instanceChanges ??= new InstanceChanges();
    // Canaries are watched only when the app gives signal sources (the embedded proxy's at least).
    if (options.signals)
      this.deps.canary = new CanaryWatch(this.deps, options.signals, (id, reason) =>
        this.abort(id, reason, 'canary judge').then(
          (d) =>
            auditAutomaticRollback(this.deps.db, this.deps.logger, {
              actor: automaticActors.canary,
              action: 'deployment.abort',
              place: d,
              deployment: d.id,
              reason,
            }),
          () => undefined, // already rolling back or finished: nothing left to undo
        ),
      );
    if (options.signals)
      this.watch = new PostDeployWatch(
        this.deps,
        options.signals,
        async (project) => (await getProject(this.deps.db, project))?.config,
        async (d, reason) => {
          const { deployment } = await this.rollback({
            project: d.project,
            service: d.service,
            environment: d.environment,
            requestedBy: 'post-deploy watch',
            reason,
          });
          await auditAutomaticRollback(this.deps.db, this.deps.logger, {
            actor: automaticActors.watch,
            action: 'deployment.rollback',
            place: d,
            deployment: deployment.id,
            reason,
          });
          return deployment.id;
        },
      );
    this.executor = new Executor(this.deps, (d) => this.finished(d));
    this.rollouts = new Rollouts(this.deps, {
      deploy: (req) => this.deploy(req),
      abort: (id, reason, by) => this.abort(id, reason, by),
      rollback: (req) => this.rollback(req),
    });
    this.monitor = new InstanceMonitor(this.deps);
  }

  /** Adopt recorded instances, restore routes, resume in-flight deployments, start timers. */
  async start(): Promise<{ resumed: string[] }> {
    this.monitor.start({ holdStates: true });
    await recoverInstances(this.deps);
    await this.monitor.release();
    await this.deps.traffic.reconcileAll(await this.projects(), true);
    const resumed = await inFlightDeployments(this.deps);
    for (const id of resumed) {
      const d = await getDeployment(this.deps.db, id);
      if (d) {
        await this.deps.events.emit({
          project: d.project,
          deploymentId: d.id,
          service: d.service,
          environment: d.environment,
          kind: 'deployment.resumed',
          message:
            `coordinator restarted: resuming at step ${d.step + 1}/${d.plan.steps.length} ` +
            `(${d.state.replace('_', ' ')})`,
          data: { step: d.step, state: d.state },
        });
      }
      this.executor.run(id);
    }
    for (const d of await listDeployments(this.deps.db, { states: ['queued'], limit: 1000 })) await this.handOver(d);
    await this.watch?.resume();
    await this.rollouts.tend();
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
    return { resumed };
  }

  /** Stop loops and timers; instances and the proxy keep running. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.rollouts.close();
    await this.deps.canary?.close();
    await this.watch?.close();
    await this.executor.close();
    await this.monitor.stop();
  }

  /**
   * Record (or update) a project's config and bring the data plane in line with it. When the
   * data plane refuses a table (an environment's address is in use), the earlier config is put
   * back and the error names the environment: nothing is half-applied.
   */
  async applyProject(config: ProjectConfig): Promise<{ changed: boolean }> {
    const digest = configDigest(config);
    const before = await getProject(this.deps.db, config.project);
    const { changed } = await upsertProject(this.deps.db, config.project, config, digest);
    if (!changed) return { changed };
    const previous = before?.config;
    let environment = '';
    try {
      for (const env of config.environments) {
        environment = env.name;
        await this.deps.traffic.push(config.project, env.name);
      }
      for (const env of previous?.environments ?? []) {
        if (!config.environments.some((n) => n.name === env.name))
          await this.deps.router.remove(dataPlaneEnvironment(config.project, env.name)).catch(() => undefined);
      }
    } catch (e) {
      if (before) await restoreProject(this.deps.db, before);
      else await deleteProject(this.deps.db, config.project);
      this.deps.traffic.invalidate();
      if (previous) await this.deps.traffic.reconcileAll([previous]);
      const listen = config.environments.find((n) => n.name === environment)?.listen;
      const code = isSlipwayError(e) && e.code === 'conflict' ? 'conflict' : 'unavailable';
      throw new EngineError(
        code,
        `environment "${environment}" cannot serve on ${listen}: ${messageOf(e)}; the config was not applied`,
      );
    }
    return { changed };
  }

  /** Start a deployment (or queue it). */
  async deploy(req: DeployRequest): Promise<DeploymentRecord> {
    const d = await createDeployment(this.deps, req);
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: d.state === 'queued' ? 'deployment.queued' : 'deployment.started',
      message:
        (req.emergency ? `EMERGENCY (${req.emergency.reason}): ` : '') +
        `${d.state === 'queued' ? 'queued' : 'started'} ${d.strategy} deployment of ${d.service} to ${d.environment}` +
        // A comma, not brackets: a name may have its own ("admin (scheduled)").
        (req.requestedBy ? `, requested by ${req.requestedBy}` : ''),
      data: {
        strategy: d.strategy,
        version: req.version,
        plan: d.plan.steps,
        ...(req.emergency ? { emergency: req.emergency } : {}),
      },
    });
    if (d.state === 'running') {
      await this.watch?.supersede(d.project, d.service, d.environment, d.id);
      this.executor.run(d.id);
    }
    return d;
  }

  /** `slipway release VERSION --env E`: every component of the release, in dependency order, as one thing. */
  release(req: ReleaseRequest): Promise<RolloutRecord> {
    return this.rollouts.release(req);
  }

  /** Per release: where it is and what it still waits for, environment by environment. */
  async pipeline(project: string): Promise<ReleaseView[]> {
    return pipelineView(this.deps.db, await projectConfig(this.deps, project), new Date(this.deps.clock.now()));
  }

  /** Abort a running deployment: it rolls back. */
  async abort(id: string, reason: string, by?: string): Promise<DeploymentRecord> {
    const d = await requestAbort(this.deps, id, reason, by);
    this.wake(d);
    return d;
  }

  /** `slipway promote`: a canary skips its remaining steps and goes to 100 %. */
  async promote(id: string, by?: string): Promise<DeploymentRecord> {
    const d = await this.runningDeployment(id, 'promote');
    if (d.settings.strategyConfig.type !== 'canary' || !d.plan.steps.some((s) => s.judged)) {
      throw new EngineError(
        'conflict',
        `deployment ${id} is a ${d.strategy} deployment, not a canary: there are no canary steps to skip`,
      );
    }
    const { deployment } = await requestControl(this.deps, id, {
      kind: 'promote',
      ...(by ? { by } : {}),
      at: this.deps.clock.now(),
    });
    this.wake(deployment);
    return deployment;
  }

  /** `slipway pause`: no further step starts until resume (a canary is still judged meanwhile). */
  async pause(id: string, by?: string): Promise<DeploymentRecord> {
    const { deployment: d, changed } = await requestControl(this.deps, id, {
      kind: 'pause',
      reason: `paused${by ? ` by ${by}` : ''}`,
      ...(by ? { by } : {}),
      at: this.deps.clock.now(),
    });
    if (!changed) return d;
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.paused',
      message: `paused${by ? ` by ${by}` : ''}: no further step starts until slipway resume`,
      data: { by },
    });
    return d;
  }

  /** `slipway resume`: continue a paused deployment (also ends an open pause step). */
  async resume(id: string, by?: string): Promise<DeploymentRecord> {
    const { deployment: d } = await requestControl(this.deps, id, {
      kind: 'resume',
      ...(by ? { by } : {}),
      at: this.deps.clock.now(),
    });
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.resumed',
      message: `resumed${by ? ` by ${by}` : ''}`,
      data: { by },
    });
    this.wake(d);
    return d;
  }

  private async runningDeployment(id: string, verb: string): Promise<DeploymentRecord> {
    const d = await getDeployment(this.deps.db, id);
    if (!d) throw new EngineError('not_found', `no deployment ${id}`);
    if (d.state !== 'running')
      throw new EngineError('conflict', `cannot ${verb} deployment ${id}: it is ${d.state.replace('_', ' ')}`);
    return d;
  }

  /** Roll a service back: abort what is in flight, or bring the previous release back. */
  async rollback(req: RollbackRequest): Promise<{ deployment: DeploymentRecord; aborted: boolean }> {
    const result = await requestRollback(this.deps, req);
    const d = result.deployment;
    if (!result.aborted) await this.watch?.supersede(d.project, d.service, d.environment, d.id);
    if (!result.aborted && d.kind === 'rollback' && d.state === 'running') {
      await this.deps.events.emit({
        ...aboutDeployment(d),
        kind: 'deployment.started',
        message:
          `rolling ${d.service} in ${d.environment} back to the previous release` +
          (req.requestedBy ? `, requested by ${req.requestedBy}` : '') +
          (req.reason ? `: ${req.reason.split('\n')[0]}` : ''),
        data: { strategy: 'rollback', plan: d.plan.steps, ...(req.reason ? { reason: req.reason } : {}) },
      });
    }
    this.wake(d);
    // A component of a release being rolled back rolls the release back (rollouts/next-step.ts).
    void this.rollouts.tend(d.project, d.environment);
    return result;
  }

  /** Stop every instance of every project (for `slipway down`). */
  async stopAllInstances(): Promise<number> {
    const live = await listInstances(this.deps.db, { live: true });
    await setDesired(
      this.deps.db,
      live.map((i) => i.id),
      'stopped',
    );
    await Promise.all(
      live.map(async (i) => {
        await this.deps.runtime
          .stop(i.id)
          .catch((e) => this.deps.logger.warn({ instance: i.id, err: messageOf(e) }, 'stop failed'));
        await markStopped(this.deps.db, i.id);
      }),
    );
    return live.length;
  }

  /** An instance's log lines (see Runtime.logs). */
  instanceLogs(instanceId: string, options: LogOptions): AsyncIterable<LogLine> {
    return this.deps.runtime.logs(instanceId, options);
  }

  /** Is the data plane answering? */
  dataPlaneHealthy(): Promise<boolean> {
    return this.deps.router.healthy();
  }

  /** A one-line description of a deployment in flight (for refusals). */
  describe(d: DeploymentRecord): Promise<string> {
    return describeActive(this.deps, d);
  }

  private wake(d: DeploymentRecord): void {
    if (d.state !== 'running' && d.state !== 'rolling_back') return;
    if (this.executor.isRunning(d.id)) this.executor.interrupt(d.id);
    else this.executor.run(d.id);
  }

  /** A deployment reached a final state: watch it when it succeeded, then start the next queued one. */
  private async finished(d: DeploymentRecord): Promise<void> {
    try {
      await this.watch?.begin(d);
    } catch (e) {
      this.deps.logger.warn({ deployment: d.id, err: messageOf(e) }, 'could not start the post-deploy watch');
    }
    await this.handOver(d);
    void this.rollouts.tend(d.project, d.environment);
  }

  /** A deployment ended: start the next queued one for the same service and environment. */
  private async handOver(finished: DeploymentRecord): Promise<void> {
    const next = await nextQueued(this.deps.db, finished.project, finished.service, finished.environment);
    if (!next) return;
    const started = await startQueued(this.deps, next);
    if (started) {
      await this.watch?.supersede(started.project, started.service, started.environment, started.id);
      await this.deps.events.emit({
        ...aboutDeployment(started),
        kind: 'deployment.started',
        message: `started queued ${started.strategy} deployment of ${started.service} to ${started.environment}`,
        data: { plan: started.plan.steps },
      });
      this.executor.run(started.id);
    } else if ((await getDeployment(this.deps.db, next.id))?.state === 'cancelled') {
      await this.handOver(next);
    }
  }

  private async projects(): Promise<ProjectConfig[]> {
    return (await listProjects(this.deps.db)).map((p) => p.config);
  }

  private tick(): void {
    this.ticks++;
    // Each chore on its own: one slower than the interval (a loaded machine, a host slow to stop an instance) is not
    // started again while it runs, and holds up none of the others; a failing one keeps none of the others waiting.
    void this.chore('retire warm instances', () => retireWarmInstances(this.deps));
    if (this.ticks % reconcileEveryTicks !== 0) return;
    void this.chore('reconcile', async () => {
      await this.attempt('reconcile traffic', async () => this.deps.traffic.reconcileAll(await this.projects()));
      // Contract migrations waiting for old releases to go: retried once their instances stop.
      await this.attempt('sweep contract migrations', async () => this.deps.migrations?.sweep());
      await this.attempt('tend rollouts', () => this.rollouts.tend());
    });
  }

  private async chore(name: string, run: () => Promise<unknown>): Promise<void> {
    if (this.choresRunning.has(name)) return;
    this.choresRunning.add(name);
    try {
      await this.attempt(name, run);
    } finally {
      this.choresRunning.delete(name);
    }
  }

  private async attempt(name: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (e) {
      this.deps.logger.warn({ chore: name, err: messageOf(e) }, 'engine tick failed');
    }
  }
}

export { EngineError };
