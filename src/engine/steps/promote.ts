import { promoteStable } from '../../store/repos/service-state.js';
import { replaceTraffic } from '../../store/repos/traffic.js';
import { deploymentEventBase, releaseFor, type StepContext } from '../context.js';

/** The candidate becomes the stable release; the old one is remembered as `previous` for rollback. */
export async function promote(ctx: StepContext): Promise<void> {
  const d = ctx.deployment;
  const candidate = releaseFor(ctx, 'candidate');
  await promoteStable(ctx.db, { project: d.project, environment: d.environment, service: d.service }, candidate.id);
  await ctx.traffic.push(d.project, d.environment, d.service);
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: 'release.promoted',
    message: `${d.service} ${candidate.version} is now stable in ${d.environment}`,
    data: { release: candidate.version, previous: ctx.releases.stable?.version },
  });
}

/** Undo's last step: only the stable release (if any) stays in the route table, at full weight. */
export async function restoreStable(ctx: StepContext): Promise<void> {
  const d = ctx.deployment;
  const stable = ctx.releases.stable;
  const keep = stable ? [{ releaseId: stable.id, role: 'stable' as const, weight: 100 }] : [];
  await replaceTraffic(ctx.db, { project: d.project, environment: d.environment, service: d.service }, keep);
  await ctx.traffic.push(d.project, d.environment, d.service);
}
