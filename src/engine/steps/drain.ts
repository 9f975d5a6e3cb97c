import { formatDuration } from '../../shared/duration.js';
import { setDesired } from '../../store/repos/instances.js';
import type { Role } from '../../strategies/plan.js';
import { deploymentEventBase, liveInstancesOf, type StepContext } from '../context.js';

/**
 * Take the oldest instances of the role's release out of rotation until `keep` remain routed,
 * then wait until the data plane has no request in flight to them (bounded by the drain
 * timeout). They keep running (desired `warm`) until a `stop` or `keepWarm` step.
 */
export async function drain(ctx: StepContext, step: { role: Role; keep: number }): Promise<void> {
  const release = ctx.releases[step.role];
  if (!release) return; // nothing of that role was ever started
  const d = ctx.deployment;
  const live = await liveInstancesOf(ctx, release.id);
  const routed = live.filter((i) => i.desired === 'running');
  const leaving = routed.slice(0, Math.max(0, routed.length - step.keep));
  if (leaving.length > 0) {
    await setDesired(
      ctx.db,
      leaving.map((i) => i.id),
      'warm',
    );
    await ctx.traffic.push(d.project, d.environment, d.service);
  }
  // Those just taken out, and those an earlier run of this step took out before a restart (warm in the list read
  // above: reading it again after the write was one statement more in every drain).
  const draining = new Set([...live.filter((i) => i.desired === 'warm'), ...leaving].map((i) => i.id));
  if (draining.size === 0) return;

  const started = ctx.clock.now();
  const deadline = started + d.settings.drainTimeoutMs;
  let inFlight = 0;
  for (;;) {
    const upstreams = await ctx.router.upstreams().catch(() => undefined);
    inFlight = upstreams ? upstreams.filter((u) => draining.has(u.id)).reduce((n, u) => n + u.inFlight, 0) : inFlight;
    if (upstreams && inFlight === 0) break;
    if (ctx.clock.now() >= deadline) break;
    await ctx.clock.sleep(ctx.pollMs ?? 100, ctx.signal);
  }
  const waited = ctx.clock.now() - started;
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: 'instance.drained',
    message:
      inFlight === 0
        ? `drained ${draining.size} ${release.version} instance${draining.size === 1 ? '' : 's'} in ` +
          `${formatDuration(waited)}`
        : `drain timeout: ${inFlight} request${inFlight === 1 ? '' : 's'} still in flight to ${release.version} ` +
          `after ${formatDuration(waited)}`,
    data: { release: release.version, instances: [...draining], inFlight, waitedMs: waited },
  });
}
