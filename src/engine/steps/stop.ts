import { markStopped, setDesired } from '../../store/repos/instances.js';
import type { Role } from '../../strategies/plan.js';
import { deploymentEventBase, liveInstancesOf, type StepContext } from '../context.js';

/**
 * Stop the role's instances until `keep` remain, unrouted (drained) ones first. Stopping is
 * SIGTERM → drain timeout → SIGKILL in the runtime; all of them in parallel.
 */
export async function stop(ctx: StepContext, step: { role: Role; keep: number }): Promise<void> {
  const release = ctx.releases[step.role];
  if (!release) return;
  const d = ctx.deployment;
  const live = await liveInstancesOf(ctx, release.id);
  const ordered = [...live.filter((i) => i.desired === 'warm'), ...live.filter((i) => i.desired === 'running')];
  const leaving = ordered.slice(0, Math.max(0, live.length - step.keep));
  if (leaving.length === 0) return;
  await setDesired(
    ctx.db,
    leaving.map((i) => i.id),
    'stopped',
  );
  await ctx.traffic.push(d.project, d.environment, d.service);
  // Recorded together once every stop has ended (one statement, where one per instance was a commit each); those
  // that stopped are recorded even when another's stop failed.
  const stops = await Promise.allSettled(leaving.map((i) => ctx.runtime.stop(i.id)));
  await markStopped(
    ctx.db,
    leaving.filter((_, n) => stops[n]!.status === 'fulfilled').map((i) => i.id),
  );
  const failed = stops.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: 'instance.stopped',
    message: `stopped ${leaving.length} ${release.version} instance${leaving.length === 1 ? '' : 's'}`,
    data: { release: release.version, instances: leaving.map((i) => i.id) },
  });
}
