import { getDeployment, patchOptions } from '../../store/repos/deployments.js';
import { deploymentEventBase, type StepContext } from '../context.js';

/**
 * A timed pause holds for `forMs` (longer while the deployment is paused). An open pause pauses
 * the deployment: the executor starts no further step until `slipway resume` or `promote`.
 */
export async function pause(ctx: StepContext, step: { forMs?: number }): Promise<void> {
  let d = ctx.deployment;
  if (step.forMs === undefined) {
    if (!d.options.paused) {
      ctx.deployment = await patchOptions(ctx.db, d.id, {
        paused: { reason: 'paused until promoted (pause step)', at: ctx.clock.now() },
      });
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
    d = (await getDeployment(ctx.db, d.id)) ?? d;
    if (d.options.promoteRequested || d.options.abortRequested) return;
    const left = from + step.forMs - ctx.clock.now();
    if (left <= 0 && !d.options.paused) return;
    await ctx.clock.sleep(Math.max(50, Math.min(left > 0 ? left : 250, 1000)), ctx.signal);
  }
}
