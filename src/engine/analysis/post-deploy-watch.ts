import type { CanaryStrategy, ProjectConfig } from '../../config/model.js';
import { defaultStrategy } from '../../config/strategy.js';
import type { DeploymentRecord, DeploymentWatch } from '../../model/deployment.js';
import { messageOf } from '../../shared/errors.js';
import { formatDuration } from '../../shared/duration.js';
import { getDeployment, listWatching, setWatch } from '../../store/repos/deployments.js';
import { getRelease } from '../../store/repos/releases.js';
import { insertVerdict } from '../../store/repos/verdicts.js';
import { aboutDeployment } from '../event-log.js';
import { againstBaseline } from './against-baseline.js';
import { AvailabilityTracker } from './availability.js';
import type { CanaryWatchDeps, SignalFactory } from './canary-watch.js';
import { AnalysisSession } from './session.js';
import { defaultWatchWarmUpMs, duringWarmUp, watchWindowStart } from './warm-up.js';

/** A running verdict of a watch is stored this often; a failing one always. */
const storeRunningEveryMs = 5000;

/**
 * The post-deploy watch: after a deployment succeeds, the judge keeps comparing the new release
 * with the previous one (its traffic before the rollout) for the environment's `watch.for`, and a
 * failing verdict — or a critical alert for the service, reported through `alertFired` — rolls back
 * to the previous release (instantly while it is warm) or only says so (`onRegression: alert`).
 * The watch's state lives on the deployment record, so a restarted coordinator resumes it.
 */
export class PostDeployWatch {
  private readonly loops = new Map<string, AbortController>();
  private readonly sessions = new Map<string, AnalysisSession>();
  private readonly lastStored = new Map<string, number>();
  private readonly available: AvailabilityTracker;
  private closed = false;

  constructor(
    private readonly deps: CanaryWatchDeps,
    private readonly signals: SignalFactory,
    private readonly configOf: (project: string) => Promise<ProjectConfig | undefined>,
    /** Roll the service back to its previous release with this reason; the rollback deployment's id. */
    private readonly rollBack: (d: DeploymentRecord, reason: string) => Promise<string>,
  ) {
    this.available = new AvailabilityTracker(deps);
  }

  /** A deployment finished: watch it when it succeeded, replaced a release, and its environment watches. */
  async begin(d: DeploymentRecord): Promise<void> {
    if (this.closed || d.state !== 'succeeded' || d.kind !== 'deploy' || !d.fromRelease) return;
    const env = (await this.configOf(d.project))?.environments.find((e) => e.name === d.environment);
    if (!env || env.watch.forMs <= 0) return;
    const now = this.deps.clock.now();
    const watch: DeploymentWatch = {
      state: 'watching',
      startedAt: now,
      until: now + env.watch.forMs,
      onRegression: env.watch.onRegression,
      // A config stored before watch.warmUp existed gets its default, as a newly applied one would.
      warmUpMs: env.watch.warmUpMs ?? defaultWatchWarmUpMs,
    };
    const watched = await setWatch(this.deps.db, d.id, watch);
    if (!watched) return;
    const [from, to] = await this.versions(d);
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'watch.started',
      message:
        `watching ${d.service} ${to} against ${from} for ${formatDuration(env.watch.forMs)}: ` +
        (watch.onRegression === 'rollback' ? 'a regression rolls back' : 'a regression is reported'),
      data: {
        until: new Date(watch.until).toISOString(),
        onRegression: watch.onRegression,
        warmUpUntil: new Date(now + (watch.warmUpMs ?? 0)).toISOString(),
      },
    });
    this.run(watched);
  }

  /** Another deployment of the service started: the watch of the one before it ends. */
  async supersede(project: string, service: string, environment: string, by: string): Promise<void> {
    for (const d of await listWatching(this.deps.db, { project, service, environment }))
      if (d.id !== by) await this.end(d, 'ended', `superseded by deployment ${by}`);
  }

  /** A critical alert fired for a service: a release watched there regresses. */
  async alertFired(project: string, environment: string, service: string, reason: string): Promise<void> {
    for (const d of await listWatching(this.deps.db, { project, service, environment }))
      await this.regress(d, `critical alert: ${reason}`);
  }

  /** After a restart: carry on with the watches still running; end those whose window passed meanwhile. */
  async resume(): Promise<void> {
    for (const d of await listWatching(this.deps.db)) {
      if (d.watch!.until <= this.deps.clock.now())
        await this.end(d, 'ended', 'its window ended while the coordinator was not running');
      else this.run(d);
    }
  }

  /** Stop watching (coordinator shutdown); the records keep the watches for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.loops.values()) c.abort(new Error('closing'));
    for (const s of this.sessions.values()) await s.close();
    this.sessions.clear();
  }

  private run(d: DeploymentRecord): void {
    if (this.closed || this.loops.has(d.id)) return;
    const controller = new AbortController();
    this.loops.set(d.id, controller);
    void this.loop(d.id, controller.signal).finally(() => {
      this.loops.delete(d.id);
      void this.sessions.get(d.id)?.close();
      this.sessions.delete(d.id);
      this.lastStored.delete(d.id);
      this.available.forget(d.id);
    });
  }

  private async loop(id: string, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const d = await getDeployment(this.deps.db, id);
        if (d?.watch?.state !== 'watching') return;
        if (this.deps.clock.now() >= d.watch.until) {
          await this.end(d, 'passed');
          return;
        }
        const session = await this.session(d);
        if (await this.lookOnce(d, session)) return;
        await this.deps.clock.sleep(this.analysisOf(d).intervalMs, signal);
      }
    } catch (e) {
      if (!signal.aborted) this.deps.logger.error({ deployment: id, err: messageOf(e) }, 'post-deploy watch stopped');
    }
  }

  /** One look; true when the release regressed. */
  private async lookOnce(d: DeploymentRecord, session: AnalysisSession): Promise<boolean> {
    const now = this.deps.clock.now();
    const { startedAt, warmUpMs = 0 } = d.watch!;
    const from = watchWindowStart(startedAt, warmUpMs, now);
    const looked = await session.look(from, now, await this.available.of(d), false);
    const verdict = duringWarmUp(looked.verdict, startedAt + warmUpMs);
    const step = d.plan.steps.length;
    if (verdict.outcome === 'fail') {
      await insertVerdict(this.deps.db, d.id, step, verdict, false);
      await this.regress(d, `post-deploy watch: ${verdict.reason}`);
      return true;
    }
    if (now - (this.lastStored.get(d.id) ?? 0) >= storeRunningEveryMs) {
      await insertVerdict(this.deps.db, d.id, step, verdict, false);
      this.lastStored.set(d.id, now);
    }
    return false;
  }

  private async regress(d: DeploymentRecord, reason: string): Promise<void> {
    const regressed = await this.end(d, 'regressed', reason);
    if (!regressed || d.watch!.onRegression !== 'rollback') return;
    try {
      const rollback = await this.rollBack(d, reason);
      await setWatch(this.deps.db, d.id, { ...regressed.watch!, rollback });
    } catch (e) {
      await this.deps.events.emit({
        ...aboutDeployment(d),
        kind: 'watch.rollback_failed',
        message: `the post-deploy watch could not roll ${d.service} back: ${messageOf(e)}`,
        data: { reason: messageOf(e) },
      });
    }
  }

  /** Move a watch out of `watching` (compare-and-set: only one ending wins) and say so; undefined when already ended.
   * */
  private async end(
    d: DeploymentRecord,
    state: Exclude<DeploymentWatch['state'], 'watching'>,
    reason?: string,
  ): Promise<DeploymentRecord | undefined> {
    const now = this.deps.clock.now();
    const watch: DeploymentWatch = { ...d.watch!, state, endedAt: now, ...(reason ? { reason } : {}) };
    const ended = await setWatch(this.deps.db, d.id, watch, 'watching');
    if (!ended) return undefined;
    this.loops.get(d.id)?.abort(new Error('watch ended'));
    const [from, to] = await this.versions(d);
    const message =
      state === 'passed'
        ? `${d.service} ${to} was watched for ${formatDuration(watch.until - watch.startedAt)}: no regression ` +
          `against ${from}`
        : state === 'regressed'
          ? `${d.service} ${to} regressed after its ` +
            `rollout${watch.onRegression === 'rollback' ? `, rolling back to ${from}` : ''}: ${reason?.split('\n')[0]}`
          : `watch of ${d.service} ${to} ended: ${reason}`;
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: `watch.${state}`,
      message,
      data: { state, ...(reason ? { reason } : {}), onRegression: watch.onRegression },
    });
    return ended;
  }

  private analysisOf(d: DeploymentRecord): CanaryStrategy['analysis'] {
    return this.strategyOf(d).analysis;
  }

  /** The deployment's canary analysis, or the default one for blue-green and rolling deployments. */
  private strategyOf(d: DeploymentRecord): CanaryStrategy {
    const s = d.settings.strategyConfig;
    return s.type === 'canary' ? s : (defaultStrategy('canary') as CanaryStrategy);
  }

  private async session(d: DeploymentRecord): Promise<AnalysisSession> {
    const existing = this.sessions.get(d.id);
    if (existing) return existing;
    const strategy = this.strategyOf(d);
    const [from, to] = await this.versions(d);
    const sources = (await this.signals(d, strategy)).map(againstBaseline);
    const session = new AnalysisSession(d.id, sources, strategy.analysis, {
      project: d.project,
      service: d.service,
      environment: d.environment,
      stable: from,
      candidate: to,
      baselineUntil: d.watch!.startedAt,
    });
    this.sessions.set(d.id, session);
    return session;
  }

  private async versions(d: DeploymentRecord): Promise<[string, string]> {
    const [from, to] = await Promise.all([
      d.fromRelease ? getRelease(this.deps.db, d.fromRelease) : undefined,
      getRelease(this.deps.db, d.toRelease),
    ]);
    return [from?.version ?? '', to?.version ?? ''];
  }
}
