import { getDeployment, setControl } from '../../store/repos/deployments.js';
import { deploymentEventBase, type StepContext } from '../context.js';

/**
 * A timed pause holds for `forMs` (longer while the deployment is paused). An open pause pauses
 * the deployment: the executor starts no further step until `slipway resume` or `promote`.
 */
export async function pause(ctx: StepContext, step: { forMs?: number }): Promise<void> {
  let d = ctx.deployment;
  if (step.forMs === undefined) {
    // Pauses the deployment unless a request is already waiting (a promote or abort decides instead).
    const paused = await setControl(
      ctx.db,
      d.id,
      { kind: 'pause', reason: 'paused until promoted (pause step)', at: ctx.clock.now() },
      ['none', 'resume'],
    );
    if (paused) {
      ctx.deployment = paused;
      await ctx.events.emit({
        ...deploymentEventBase(ctx),
        kind: 'deployment.paused',
        message: `paused until promoted: run slipway promote (or resume) to go on, slipway abort to roll back`,
        data: {},
      });
    }
    return;
  }
  const from = d.stepStartedAt?.getTime() ?? ctx.clock.now();
  for (;;) {
    // The deployment's own state, in its lane: the first statement after each wait, which the engine's clock announced
    // (announcing-clock.ts), so the store's background gives way to it rather than to something after it.
    d = (await getDeployment(ctx.db.deployment(), d.id)) ?? d;
    if (d.control.kind === 'promote' || d.control.kind === 'abort') return;
    const left = from + step.forMs - ctx.clock.now();
    if (left <= 0 && d.control.kind !== 'pause') return;
    await ctx.clock.sleep(Math.max(50, Math.min(left > 0 ? left : 250, 1000)), ctx.signal);
  }
}
