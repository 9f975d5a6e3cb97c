import { setDesired } from '../../store/repos/instances.js';
import type { Role } from '../../strategies/plan.js';
import { deploymentEventBase, liveInstancesOf, type StepContext } from '../context.js';

/** Leave the role's unrouted instances running until a retire time, for instant rollback. */
export async function keepWarm(ctx: StepContext, step: { role: Role; forMs: number }): Promise<void> {
  const release = ctx.releases[step.role];
  if (!release) return;
  const warm = (await liveInstancesOf(ctx, release.id)).filter((i) => i.desired === 'warm');
  if (warm.length === 0) return;
  const retireAt = new Date(ctx.clock.now() + step.forMs);
  await setDesired(
    ctx.db,
    warm.map((i) => i.id),
    'warm',
    retireAt,
  );
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: 'instance.warm',
    message:
      `keeping ${warm.length} ${release.version} instance${warm.length === 1 ? '' : 's'} warm until ` +
      `${retireAt.toISOString()} for instant rollback`,
    data: { release: release.version, instances: warm.map((i) => i.id), retireAt: retireAt.toISOString() },
  });
}
