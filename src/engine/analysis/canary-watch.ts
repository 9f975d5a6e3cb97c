import type { CanaryStrategy } from '../../config/model.js';
import type { AvailabilityInput, Verdict } from '../../judge/model.js';
import type { SignalSource } from '../../signals/signal-source.js';
import { messageOf } from '../../shared/errors.js';
import type { DeploymentRecord } from '../../model/deployment.js';
import type { Runtime } from '../../runtimes/runtime.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { getDeployment } from '../../store/repos/deployments.js';
import { getRelease } from '../../store/repos/releases.js';
import { insertVerdict } from '../../store/repos/verdicts.js';
import { aboutDeployment, type EventLog } from '../event-log.js';
import { isJudged } from '../model/next-action.js';
import { AnalysisSession } from './session.js';
import { AvailabilityTracker } from './availability.js';

/** Builds the signal sources of a canary (the app knows the concrete ones). */
export type SignalFactory = (deployment: DeploymentRecord, strategy: CanaryStrategy) => Promise<SignalSource[]>;

/** What the watch works with (a part of the engine's dependencies). */
export interface CanaryWatchDeps {
  db: Db;
  runtime: Runtime;
  events: EventLog;
  clock: Clock;
  logger: Logger;
}

/** How a deciding verdict reads in the timeline. */
const outcomeWords = { fail: 'failed', pass: 'passed', inconclusive: 'inconclusive' } as const;

/** A running verdict is stored this often; fails and gates always. */
const storeRunningEveryMs = 5000;

/**
 * Watches every canary while its candidate takes traffic: every analysis interval it measures
 * everything since the first shift and asks the judge, and rolls back the moment a verdict
 * fails (the judge is sequential: it fails as soon as the evidence is conclusive). It also
 * serves the analyze steps, which ask the same session for a gate verdict.
 */
export class CanaryWatch {
  private readonly sessions = new Map<string, AnalysisSession>();
  private readonly loops = new Map<string, AbortController>();
  private readonly lastStored = new Map<string, number>();
  private closed = false;

  private readonly available: AvailabilityTracker;

  constructor(
    private readonly deps: CanaryWatchDeps,
    private readonly signals: SignalFactory,
    /** Roll the deployment back with this reason (the engine records the abort and wakes the executor). */
    private readonly rollBack: (deploymentId: string, reason: string) => Promise<void>,
  ) {
    this.available = new AvailabilityTracker(deps);
  }

  /** Start watching a canary deployment (idempotent; no-op for other strategies). */
  watch(d: DeploymentRecord): void {
    if (this.closed || this.loops.has(d.id) || !isJudged(d) || d.settings.strategyConfig.type !== 'canary') return;
    const controller = new AbortController();
    this.loops.set(d.id, controller);
    void this.loop(d.id, controller.signal).finally(() => this.loops.delete(d.id));
  }

  /** The session of a canary deployment (created on first use). */
  async session(d: DeploymentRecord): Promise<AnalysisSession> {
    const existing = this.sessions.get(d.id);
    if (existing) return existing;
    const strategy = d.settings.strategyConfig as CanaryStrategy;
    const [stable, candidate] = await Promise.all([
      d.fromRelease ? getRelease(this.deps.db, d.fromRelease) : undefined,
      getRelease(this.deps.db, d.toRelease),
    ]);
    const session = new AnalysisSession(d.id, await this.signals(d, strategy), strategy.analysis, {
      project: d.project,
      service: d.service,
      environment: d.environment,
      stable: stable?.version ?? '',
      candidate: candidate?.version ?? '',
      baselineUntil: d.startedAt?.getTime() ?? d.createdAt.getTime(),
    });
    // Two callers may have raced here (watch and an analyze step): keep the first, close ours.
    const raced = this.sessions.get(d.id);
    if (raced) {
      await session.close();
      return raced;
    }
    this.sessions.set(d.id, session);
    return session;
  }

  /** The candidate's instances as the runtime sees them now. */
  availability(d: DeploymentRecord): Promise<AvailabilityInput> {
    return this.available.of(d);
  }

  /** Store a verdict and say so in the timeline when it decides something. */
  async record(d: DeploymentRecord, verdict: Verdict, final: boolean): Promise<void> {
    await insertVerdict(this.deps.db, d.id, d.step, verdict, final);
    this.lastStored.set(d.id, verdict.at);
    if (verdict.outcome === 'running') return;
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: `analysis.${verdict.outcome}`,
      message: `canary ${outcomeWords[verdict.outcome]} (score ${Math.round(verdict.score)}): ${verdict.reason}`,
      data: { outcome: verdict.outcome, score: verdict.score, reason: verdict.reason, final },
    });
  }

  /** Stop watching everything (coordinator shutdown); sessions are rebuilt after a restart. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.loops.values()) c.abort(new Error('closing'));
    for (const s of this.sessions.values()) await s.close();
    this.sessions.clear();
  }

  private async loop(id: string, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const d = await getDeployment(this.deps.db, id);
        if (!d || !isJudged(d)) return;
        const strategy = d.settings.strategyConfig as CanaryStrategy;
        if (d.progress.trafficShiftedAt !== undefined && d.control.kind !== 'promote') {
          if (await this.lookOnce(d, strategy)) return;
        }
        await this.deps.clock.sleep(strategy.analysis.intervalMs, signal);
      }
    } catch (e) {
      if (!signal.aborted) this.deps.logger.error({ deployment: id, err: messageOf(e) }, 'canary watch stopped');
    } finally {
      const d = await getDeployment(this.deps.db, id).catch(() => undefined);
      // The session is only needed while the judge still watches (analyze steps are judged steps).
      if (!d || !isJudged(d) || d.control.kind === 'abort') {
        await this.sessions.get(id)?.close();
        this.sessions.delete(id);
        this.available.forget(id);
        this.lastStored.delete(id);
      }
    }
  }

  /** One look; true when the canary was rolled back. */
  private async lookOnce(d: DeploymentRecord, strategy: CanaryStrategy): Promise<boolean> {
    const session = await this.session(d);
    const now = this.deps.clock.now();
    const { verdict, errors, consecutiveErrors } = await session.look(
      d.progress.trafficShiftedAt!,
      now,
      await this.availability(d),
      false,
    );
    if (verdict.outcome === 'fail') {
      await this.record(d, verdict, false);
      await this.rollBack(d.id, `canary analysis failed: ${verdict.reason}`);
      return true;
    }
    if (consecutiveErrors >= strategy.analysis.consecutiveErrorLimit) {
      const first = errors[0];
      const reason =
        `canary analysis: ${first?.source ?? 'a signal source'} failed ${consecutiveErrors} looks in a ` +
        `row (consecutiveErrorLimit ${strategy.analysis.consecutiveErrorLimit}): ` +
        `${first && 'message' in first ? first.message : ''}`;
      await this.record(d, { ...verdict, outcome: 'fail', reason }, false);
      await this.rollBack(d.id, reason);
      return true;
    }
    if (now - (this.lastStored.get(d.id) ?? 0) >= storeRunningEveryMs) await this.record(d, verdict, false);
    return false;
  }
}
