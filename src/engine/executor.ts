import { isSlipwayError, messageOf } from '../shared/errors.js';
import { noRequest, type DeploymentRecord, type RollbackOutcome } from '../model/deployment.js';
import { getDeployment, setControl, updateDeployment } from '../store/repos/deployments.js';
import { isFenceRefusal } from '../store/repos/leader-lease.js';
import { getRelease, type ReleaseRecord } from '../store/repos/releases.js';
import { getServiceState } from '../store/repos/service-state.js';
import type { Db } from '../store/db.js';
import { promotedPlan } from '../strategies/build.js';
import { describeStep } from '../strategies/plan.js';
import { rollbackPlan } from '../strategies/rollback.js';
import type { EngineDeps, StepContext } from './context.js';
import { aboutDeployment, deploymentWrite } from './event-log.js';
import { finishMessage } from './model/finish-message.js';
import { afterStepFailure, nextAction } from './model/next-action.js';
import { runStep } from './steps/index.js';

/**
 * Runs deployments: one loop per active deployment, one step at a time. Before a step the deployment is read from the
 * store (the row the last step's advance returned, or read again) and `nextAction` decides what to do; after it, the
 * step index is advanced in the store. So a coordinator killed at any point resumes at the step it was on (steps are
 * idempotent), and a request recorded in the store is honoured even if the process died before acting on it.
 */
export class Executor {
  private readonly loops = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private closed = false;
  /**
   * Releases read by any loop, by id: a release never changes once stored, and a deployment's stable release is most
   * often the release the previous deployment of its service brought (bench/scale.ts: 1.5 release reads per
   * deployment, 1 with this). Starts afresh past `releasesKept`.
   */
  private readonly releases = new Map<string, ReleaseRecord>();

  constructor(
    private readonly deps: EngineDeps,
    /** Called when a deployment reaches a final state (the queue starts the next one). */
    private readonly onFinished: (d: DeploymentRecord) => Promise<void>,
  ) {}

  /**
   * The store for the loop's own bookkeeping (a step's start and advance, the switch to a rollback, the final state):
   * on PGlite these go before the store's other work, so a burst of notifications does not slow a step (Db.deployment).
   */
  private get own(): Db {
    return this.deps.db.deployment();
  }

  /** Start (or resume) the loop of an active deployment. Idempotent. */
  run(id: string): void {
    if (this.closed || this.loops.has(id)) return;
    const controller = new AbortController();
    const done = this.loop(id, controller)
      .catch((e) => {
        // A write refused by the store's fence: this coordinator's lease had run out. Either another took it (this
        // one steps down, which closes the executor, and the new leader resumes the deployment from the store) or
        // nobody did and a late renewal keeps the term: then this loop must go on, so it is tried again shortly
        // (a no-op once closed). Anything else is a bug and still ends the process.
        if (!isFenceRefusal(e)) throw e;
        this.deps.logger.warn({ deploymentId: id, err: messageOf(e) }, 'deployment loop stopped: write refused');
        setTimeout(() => this.run(id), 1_000).unref();
      })
      .finally(() => this.loops.delete(id));
    this.loops.set(id, { controller, done });
  }

  /** Interrupt the current step of a deployment (its request is already recorded in the store). */
  interrupt(id: string): void {
    const loop = this.loops.get(id);
    if (!loop) return;
    loop.controller.abort(new Error('interrupted'));
    // The loop re-reads the deployment, acts on the request, and continues with a fresh controller.
  }

  /** Is a loop running for this deployment? */
  isRunning(id: string): boolean {
    return this.loops.has(id);
  }

  /** Wait for a deployment's loop to end (tests, shutdown). */
  async settled(id: string): Promise<void> {
    await this.loops.get(id)?.done;
  }

  /** Stop every loop where it is; the store keeps each deployment's step for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { controller } of this.loops.values()) controller.abort(new Error('coordinator shutting down'));
    await Promise.allSettled([...this.loops.values()].map((l) => l.done));
  }

  private async loop(id: string, first: AbortController): Promise<void> {
    let controller = first;
    // The deployment's releases, read once (see `releases`): reading both before every step was 2 of its ~14
    // statements (bench/scale.ts).
    const release = async (releaseId: string) => {
      const known = this.releases.get(releaseId);
      if (known) return known;
      const found = await getRelease(this.deps.db, releaseId);
      if (!found) return found;
      if (this.releases.size >= releasesKept) this.releases.clear();
      this.releases.set(releaseId, found);
      return found;
    };
    // The record as the last step's advance returned it: the row after that write, so as current as a re-read, and
    // one statement fewer per step. An interrupt since then means a request was recorded: read again to see it.
    let advanced: DeploymentRecord | undefined;
    for (;;) {
      if (this.closed) return;
      const d = advanced && !controller.signal.aborted ? advanced : await getDeployment(this.own, id);
      advanced = undefined;
      if (!d) return;
      const action = nextAction(d);
      switch (action.kind) {
        case 'idle':
          return;
        case 'rollBack':
          await this.startRollback(d, action.reason, action.outcome, undefined, action.by);
          continue;
        case 'promote':
          await this.promoteNow(d, action.by);
          continue;
        case 'acknowledgeResume':
          await setControl(this.deps.db, d.id, noRequest, ['resume']);
          continue;
        case 'finish':
          await this.finish(d, action.state, release);
          return;
        case 'hold':
          // Held by `slipway pause`, an open pause step or an inconclusive analysis: no step starts.
          // The canary watch keeps judging meanwhile, so a bad candidate still rolls back.
          await this.deps.clock.sleep(this.deps.pollMs ?? 200, controller.signal).catch(() => undefined);
          if (controller.signal.aborted) controller = this.freshController(id);
          continue;
        case 'runStep': {
          if (controller.signal.aborted) controller = this.freshController(id);
          const outcome = await this.runOne(d, action.index, controller.signal, release);
          if (outcome === 'stop') return;
          if (outcome === 'done') advanced = await updateDeployment(this.own, id, { step: action.index + 1 });
        }
      }
    }
  }

  /** Run one step; `done` advances the plan, `again` decides anew (a request arrived or the plan changed), `stop` ends
   * the loop. */
  private async runOne(
    d: DeploymentRecord,
    index: number,
    signal: AbortSignal,
    release: ReleaseReader,
  ): Promise<'done' | 'again' | 'stop'> {
    this.deps.canary?.watch(d);
    const step = d.plan.steps[index]!;
    // Written while the step runs (the event log keeps a deployment's events in order), and stored before the step
    // is advanced or anything else is recorded of it: waiting for it first made every step one commit longer.
    const started = this.deps.events.emit(
      {
        ...aboutDeployment(d),
        kind: 'deployment.step.started',
        message: `step ${index + 1}/${d.plan.steps.length}: ${describeStep(step)}`,
        data: { step: index, of: d.plan.steps.length, kind: step.kind, state: d.state },
      },
      deploymentWrite,
    );
    try {
      await runStep(await this.contextFor(d, signal, release), step);
      await started;
      return 'done';
    } catch (e) {
      await started;
      if (this.closed) return 'stop';
      if (signal.aborted) return 'again'; // a request was recorded; the next pass acts on it
      this.deps.logger.warn({ deployment: d.id, step: step.kind, err: messageOf(e) }, 'step failed');
      const next = afterStepFailure(d, messageOf(e));
      if (next.kind === 'rollBack') {
        await this.startRollback(d, next.reason, next.outcome, e);
        return 'again';
      }
      await this.fail(d, next.reason, e);
      return 'stop';
    }
  }

  private freshController(id: string): AbortController {
    const controller = new AbortController();
    const entry = this.loops.get(id);
    if (entry) entry.controller = controller;
    return controller;
  }

  /** `slipway promote`: the remaining canary steps give way to the full promotion. */
  private async promoteNow(d: DeploymentRecord, by: string | undefined): Promise<void> {
    // Plan first, then the request (compare-and-set): a crash in between promotes again, which
    // changes nothing, and an abort that arrived meanwhile is kept for the next pass.
    await updateDeployment(this.deps.db, d.id, {
      plan: promotedPlan(d.plan, d.step, d.settings.instances),
      step: d.step,
    });
    await setControl(this.deps.db, d.id, noRequest, ['promote']);
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.promoted',
      message: `promoted by ${by ?? 'request'}: skipping the remaining canary steps`,
      data: { by },
    });
  }

  private async contextFor(d: DeploymentRecord, signal: AbortSignal, release: ReleaseReader): Promise<StepContext> {
    const [stable, candidate] = await Promise.all([
      d.fromRelease ? release(d.fromRelease) : undefined,
      release(d.toRelease),
    ]);
    return { ...this.deps, deployment: d, releases: { stable, candidate }, signal };
  }

  /** Switch to the rollback plan; stable first, then the candidate goes. */
  private async startRollback(
    d: DeploymentRecord,
    reason: string,
    outcome: RollbackOutcome,
    error?: unknown,
    by?: string,
  ): Promise<void> {
    const state = await getServiceState(this.deps.db, d.project, d.environment, d.service);
    const hasStable = Boolean(d.fromRelease && state?.stableRelease === d.fromRelease);
    const revert = Boolean(d.settings.revertMigrationsOnRollback && d.progress.migrationsApplied.length > 0);
    await updateDeployment(this.own, d.id, {
      state: 'rolling_back',
      plan: rollbackPlan(d.settings.instances, hasStable, revert),
      step: 0,
      reason,
      control: noRequest,
      progress: { ...d.progress, outcome, forward: d.progress.forward ?? { plan: d.plan, step: d.step } },
      error: error
        ? { message: messageOf(error), details: isSlipwayError(error) ? error.details : undefined }
        : undefined,
    });
    await this.deps.events.emit(
      {
        ...aboutDeployment(d),
        kind: 'deployment.rolling_back',
        message: `rolling back: ${reason.split('\n')[0]}`,
        // `by` tells a person's rollback from the judge's (incidents open only for automatic ones).
        data: {
          reason,
          outcome,
          ...(by ? { by } : {}),
          ...(isSlipwayError(error) && error.details ? { details: error.details } : {}),
        },
      },
      deploymentWrite,
    );
  }

  private async finish(
    d: DeploymentRecord,
    state: 'succeeded' | RollbackOutcome,
    release: ReleaseReader,
  ): Promise<void> {
    const [from, to] = await Promise.all([d.fromRelease ? release(d.fromRelease) : undefined, release(d.toRelease)]);
    // The final state and its event in one transaction: whoever sees the state finds the event (see EventLog.record).
    const finished = await this.deps.events.record(
      d.id,
      (tx) => updateDeployment(tx, d.id, { state, finished: true }),
      (finished) => ({
        ...aboutDeployment(d),
        kind: 'deployment.finished',
        message: finishMessage(finished, { from: from?.version, to: to?.version }),
        // After a rollback: its start (deployment.rolling_back) already told people it failed (notify/triggers.ts).
        data: { state, reason: d.reason, ...(state === 'succeeded' ? {} : { afterRollback: true }) },
      }),
      deploymentWrite,
    );
    await this.onFinished(finished);
  }

  private async fail(d: DeploymentRecord, reason: string, error: unknown): Promise<void> {
    const finished = await this.deps.events.record(
      d.id,
      (tx) =>
        updateDeployment(tx, d.id, {
          state: 'failed',
          reason,
          error: { message: messageOf(error), details: isSlipwayError(error) ? error.details : undefined },
          finished: true,
        }),
      (finished) => ({
        ...aboutDeployment(d),
        kind: 'deployment.finished',
        message: finishMessage(finished, {}),
        data: { state: 'failed', reason },
      }),
      deploymentWrite,
    );
    await this.onFinished(finished);
  }
}

/** Releases the executor keeps (a long-lived coordinator sees releases come and go). */
const releasesKept = 10_000;

/** A release by id, from the executor's copies (see Executor.loop). */
type ReleaseReader = (releaseId: string) => Promise<ReleaseRecord | undefined>;
