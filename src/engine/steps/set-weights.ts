import { messageOf } from '../../shared/errors.js';
import { replaceTraffic } from '../../store/repos/traffic.js';
import { deploymentEventBase, type StepContext } from '../context.js';
import { EngineError } from '../errors.js';
import { waitForInstances } from '../instance-changes.js';
import { routableStates } from './wait-healthy.js';

/** How long a weight change waits for an unreachable data plane (the supervisor restarts it) before failing. */
const pushRetryMs = 15_000;

/**
 * Record the new weights and push them to the data plane, waiting until it has them, so
 * "traffic moved" in an event means the proxy is already routing that way.
 */
export async function setWeights(ctx: StepContext, step: { stable: number; candidate: number }): Promise<void> {
  const d = ctx.deployment;
  const entries = [];
  if (ctx.releases.stable)
    entries.push({ releaseId: ctx.releases.stable.id, role: 'stable' as const, weight: step.stable });
  if (ctx.releases.candidate && ctx.releases.candidate.id !== ctx.releases.stable?.id) {
    entries.push({ releaseId: ctx.releases.candidate.id, role: 'candidate' as const, weight: step.candidate });
  }
  // A release about to take all the traffic must have a healthy instance in rotation first, or
  // the proxy would answer 503 until it had one (the rollback plan shifts before it waits).
  for (const role of ['stable', 'candidate'] as const) {
    const other = role === 'stable' ? step.candidate : step.stable;
    if ((role === 'stable' ? step.stable : step.candidate) > 0 && other === 0) await waitForOneHealthy(ctx, role);
  }
  // The first weight given to the candidate is when its traffic began (recorded with the weights, in one statement).
  const shifted = step.candidate > 0 && d.progress.trafficShiftedAt === undefined ? ctx.clock.now() : undefined;
  await replaceTraffic(
    ctx.db,
    { project: d.project, environment: d.environment, service: d.service },
    entries,
    shifted === undefined ? undefined : { deploymentId: d.id, fields: { trafficShiftedAt: shifted } },
  );
  if (shifted !== undefined) ctx.deployment = { ...d, progress: { ...d.progress, trafficShiftedAt: shifted } };
  const deadline = ctx.clock.now() + pushRetryMs;
  for (;;) {
    try {
      await ctx.traffic.push(d.project, d.environment, d.service);
      break;
    } catch (e) {
      if (ctx.clock.now() >= deadline)
        throw new EngineError('unavailable', `could not update the proxy's routes: ${messageOf(e)}`);
      await ctx.clock.sleep(250, ctx.signal);
    }
  }
  const total = step.stable + step.candidate;
  const pct = (w: number) => (total === 0 ? 0 : Math.round((w / total) * 100));
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: 'traffic.shifted',
    message:
      `traffic: ${ctx.releases.stable?.version ?? '-'} ${pct(step.stable)}% / ` +
      `${ctx.releases.candidate?.version ?? '-'} ${pct(step.candidate)}%`,
    data: {
      stable: { release: ctx.releases.stable?.version, weight: step.stable },
      candidate: { release: ctx.releases.candidate?.version, weight: step.candidate },
    },
  });
}

/** Wait (up to the start timeout) until the role's release has a healthy instance meant to serve. */
async function waitForOneHealthy(ctx: StepContext, role: 'stable' | 'candidate'): Promise<void> {
  const release = ctx.releases[role];
  if (!release) return;
  const d = ctx.deployment;
  const deadline = ctx.clock.now() + d.settings.startTimeoutMs;
  for (;;) {
    const mark = ctx.instanceChanges?.mark() ?? 0;
    const recorded = await routableStates(ctx, release.id);
    const healthy = (s: { instanceId: string; state: string }) =>
      s.state === 'healthy' && recorded.get(s.instanceId) === 'healthy';
    if (ctx.runtime.list().some(healthy)) return;
    if (ctx.clock.now() >= deadline) return; // waitHealthy, next, reports the instances and their logs
    await waitForInstances(ctx, release.id, mark, ctx.pollMs ?? 100);
  }
}
