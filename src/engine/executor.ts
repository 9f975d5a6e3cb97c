import { messageOf, isSlipwayError } from '../shared/errors.js';
import { getDeployment, patchOptions, updateDeployment, type DeploymentRecord } from '../store/repos/deployments.js';
import { getRelease } from '../store/repos/releases.js';
import { getServiceState } from '../store/repos/service-state.js';
import { describeStep, withSmokeBeforePromote } from '../strategies/plan.js';
import { rollbackPlan } from '../strategies/rollback.js';
import { promotionSteps } from '../strategies/canary.js';
import { aboutDeployment } from './event-log.js';
import type { EngineDeps, StepContext } from './context.js';
import { runStep } from './steps/index.js';

/**
 * Runs deployments: one loop per active deployment, one step at a time. Before a step the
 * deployment is re-read from the store; after it, the step index is advanced in the store. So
 * a coordinator killed at any point resumes at the step it was on (steps are idempotent), and
 * an abort recorded in the store is honoured even if the process died before acting on it.
 */
export class Executor {
  private readonly loops = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private closed = false;

  constructor(
    private readonly deps: EngineDeps,
    /** Called when a deployment reaches a final state (the queue starts the next one). */
    private readonly onFinished: (d: DeploymentRecord) => Promise<void>,
  ) {}

  /** Start (or resume) the loop of an active deployment. Idempotent. */
  run(id: string): void {
    if (this.closed || this.loops.has(id)) return;
    const controller = new AbortController();
    const done = this.loop(id, controller).finally(() => this.loops.delete(id));
    this.loops.set(id, { controller, done });
  }

  /** Interrupt the current step of a deployment (its abort is already recorded in the store). */
  interrupt(id: string): void {
    const loop = this.loops.get(id);
    if (!loop) return;
    loop.controller.abort(new Error('interrupted'));
    // The loop re-reads the deployment, sees the abort, and continues with a fresh controller.
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
    const { events, logger } = this.deps;
    for (;;) {
      if (this.closed) return;
      let d = await getDeployment(this.deps.db, id);
      if (!d || (d.state !== 'running' && d.state !== 'rolling_back')) return;

      if (d.state === 'running' && d.options.abortRequested) {
        d = await this.startRollback(d, d.options.abortRequested.reason, d.options.abortRequested.outcome);
        continue;
      }
      if (d.state === 'running' && d.options.promoteRequested) {
        d = await this.promoteNow(d);
        continue;
      }
      if (d.step >= d.plan.steps.length) {
        await this.finish(d);
        return;
      }
      if (d.state === 'running' && d.options.paused) {
        // Held by `slipway pause`, an open pause step or an inconclusive analysis: no step starts.
        // The canary watch keeps judging meanwhile, so a bad candidate still rolls back.
        await this.deps.clock.sleep(this.deps.pollMs ?? 200, controller.signal).catch(() => undefined);
        if (controller.signal.aborted) controller = this.freshController(id);
        continue;
      }
      this.deps.canary?.watch(d);

      if (controller.signal.aborted) controller = this.freshController(id);
      const step = d.plan.steps[d.step]!;
      const ctx = await this.contextFor(d, controller.signal);
      await events.emit({
        ...aboutDeployment(d),
        kind: 'deployment.step.started',
        message: `step ${d.step + 1}/${d.plan.steps.length}: ${describeStep(step)}`,
        data: { step: d.step, of: d.plan.steps.length, kind: step.kind, state: d.state },
      });
      try {
        await runStep(ctx, step);
      } catch (e) {
        if (this.closed) return;
        if (controller.signal.aborted) continue; // an abort was recorded; the next pass acts on it
        logger.warn({ deployment: id, step: step.kind, err: messageOf(e) }, 'step failed');
        if (d.state === 'running') {
          await this.startRollback(d, messageOf(e), d.options.trafficShifted ? 'rolled_back' : 'failed', e);
          continue;
        }
        await this.fail(d, `rollback could not complete: ${messageOf(e)}`, e);
        return;
      }
      await updateDeployment(this.deps.db, id, { step: d.step + 1 });
    }
  }

  private freshController(id: string): AbortController {
    const controller = new AbortController();
    const entry = this.loops.get(id);
    if (entry) entry.controller = controller;
    return controller;
  }

  /** `slipway promote`: the remaining canary steps give way to the full promotion. */
  private async promoteNow(d: DeploymentRecord): Promise<DeploymentRecord> {
    const contract = d.plan.steps.some((s) => s.kind === 'contract') ? [{ kind: 'contract' as const }] : [];
    // Smoke checks still run before the promotion (their step, if any, is among the skipped ones).
    const promotion = d.plan.steps.slice(d.step).some((s) => s.kind === 'smoke')
      ? withSmokeBeforePromote(promotionSteps(d.options.instances))
      : promotionSteps(d.options.instances);
    const steps = [...d.plan.steps.slice(0, d.step), ...promotion, ...contract];
    await patchOptions(this.deps.db, d.id, {}, ['promoteRequested', 'paused']);
    const updated = await updateDeployment(this.deps.db, d.id, {
      plan: { ...d.plan, steps, analysisUntilStep: d.step },
      step: d.step,
    });
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.promoted',
      message: `promoted by ${d.options.promoteRequested?.by ?? 'request'}: skipping the remaining canary steps`,
      data: { by: d.options.promoteRequested?.by },
    });
    return updated;
  }

  private async contextFor(d: DeploymentRecord, signal: AbortSignal): Promise<StepContext> {
    const [stable, candidate] = await Promise.all([
      d.fromRelease ? getRelease(this.deps.db, d.fromRelease) : undefined,
      getRelease(this.deps.db, d.toRelease),
    ]);
    return { ...this.deps, deployment: d, releases: { stable, candidate }, signal };
  }

  /** Switch to the rollback plan; stable first, then the candidate goes. */
  private async startRollback(
    d: DeploymentRecord,
    reason: string,
    outcome: 'rolled_back' | 'failed',
    error?: unknown,
  ): Promise<DeploymentRecord> {
    const state = await getServiceState(this.deps.db, d.project, d.environment, d.service);
    const hasStable = Boolean(d.fromRelease && state?.stableRelease === d.fromRelease);
    const plan = rollbackPlan(
      d.options.instances,
      hasStable,
      Boolean(d.options.revertMigrationsOnRollback && d.options.migrationsApplied?.length),
    );
    await patchOptions(this.deps.db, d.id, { outcome, forward: d.options.forward ?? { plan: d.plan, step: d.step } }, [
      'abortRequested',
      'paused',
    ]);
    const updated = await updateDeployment(this.deps.db, d.id, {
      state: 'rolling_back',
      plan,
      step: 0,
      reason,
      error: error
        ? { message: messageOf(error), details: isSlipwayError(error) ? error.details : undefined }
        : undefined,
    });
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.rolling_back',
      message: `rolling back: ${reason.split('\n')[0]}`,
      data: { reason, outcome, ...(isSlipwayError(error) && error.details ? { details: error.details } : {}) },
    });
    return updated;
  }

  private async finish(d: DeploymentRecord): Promise<void> {
    const state = d.state === 'running' ? 'succeeded' : (d.options.outcome ?? 'rolled_back');
    const finished = await updateDeployment(this.deps.db, d.id, { state, finished: true });
    const message =
      state === 'succeeded'
        ? `deployment succeeded: ${d.service} is on the new release in ${d.environment}`
        : `deployment ${state === 'failed' ? 'failed' : 'rolled back'}: ${(d.reason ?? '').split('\n')[0]}`;
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.finished',
      message,
      data: { state, reason: d.reason },
    });
    await this.onFinished(finished);
  }

  private async fail(d: DeploymentRecord, reason: string, error: unknown): Promise<void> {
    const finished = await updateDeployment(this.deps.db, d.id, {
      state: 'failed',
      reason,
      error: { message: messageOf(error), details: isSlipwayError(error) ? error.details : undefined },
      finished: true,
    });
    await this.deps.events.emit({
      ...aboutDeployment(d),
      kind: 'deployment.finished',
      message: `deployment failed: ${reason.split('\n')[0]}`,
      data: { state: 'failed', reason },
    });
    await this.onFinished(finished);
  }
}
