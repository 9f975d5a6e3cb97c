import type { InstanceStatus } from '../../runtimes/runtime.js';
import { formatDuration } from '../../shared/duration.js';
import type { Role } from '../../strategies/plan.js';
import { deploymentEventBase, liveInstancesOf, releaseFor, type StepContext } from '../context.js';
import { EngineError } from '../errors.js';
import { waitForInstances } from '../instance-changes.js';
import { logTail } from '../log-tail.js';

/** Restarts during one wait after which an instance counts as crash-looping. */
export const crashLoopRestarts = 3;

/**
 * Wait until `instances` instances of the role's release are healthy. Fails early when one
 * cannot start at all or crash-loops, and at the health start timeout otherwise; the error
 * names the instance and carries the tail of its log.
 */
export async function waitHealthy(ctx: StepContext, step: { role: Role; instances: number }): Promise<void> {
  const release = releaseFor(ctx, step.role);
  const d = ctx.deployment;
  const startedAt = d.stepStartedAt?.getTime() ?? ctx.clock.now();
  // A resumed wait gets at least a few health intervals, so adopted instances can report in.
  const deadline = Math.max(startedAt + d.settings.startTimeoutMs, ctx.clock.now() + 5 * d.settings.health.intervalMs);
  const restartsAtStart = new Map<string, number>();
  let reported = -1;

  for (;;) {
    const mark = ctx.instanceChanges?.mark() ?? 0;
    const recorded = await routableStates(ctx, release.id);
    const statuses = ctx.runtime.list().filter((s) => recorded.has(s.instanceId));
    const healthy = statuses.filter((s) => s.state === 'healthy' && recorded.get(s.instanceId) === 'healthy').length;
    if (healthy !== reported) {
      reported = healthy;
      await ctx.events.emit({
        ...deploymentEventBase(ctx),
        kind: 'deployment.health',
        message: `${healthy}/${step.instances} ${release.version} instances healthy`,
        data: { release: release.version, healthy, wanted: step.instances },
      });
    }
    if (healthy >= step.instances) return;

    for (const s of statuses) {
      if (!restartsAtStart.has(s.instanceId)) restartsAtStart.set(s.instanceId, s.restarts);
      const restarts = s.restarts - restartsAtStart.get(s.instanceId)!;
      if (s.state === 'failed')
        throw await instanceError(ctx, s, release.version, `could not be started: ${s.message ?? 'unknown error'}`);
      if (restarts >= crashLoopRestarts)
        throw await instanceError(
          ctx,
          s,
          release.version,
          `is crash-looping (${restarts} restarts while starting${s.lastExit ? `; last ${exitText(s.lastExit)}` : ''})`,
        );
    }
    if (ctx.clock.now() >= deadline) {
      const worst = statuses.find((s) => s.state !== 'healthy');
      if (worst)
        throw await instanceError(
          ctx,
          worst,
          release.version,
          `is not healthy after ${formatDuration(d.settings.startTimeoutMs)} (state ${worst.state})`,
        );
      throw new EngineError(
        'failed',
        `only ${healthy} of ${step.instances} ${d.service} ${release.version} instances are running after ` +
          `${formatDuration(d.settings.startTimeoutMs)}`,
      );
    }
    await waitForInstances(ctx, release.id, mark, ctx.pollMs ?? 100);
  }
}

/**
 * The store's state of each instance of a release meant to run. An instance counts as healthy only when the runtime
 * AND the store say so: route tables are built from the store, which the instance monitor updates a moment after
 * the runtime reports; returning on the runtime's word alone let the next step (stop an old instance) push a table
 * without the new one in it — 2 of 3 instances routed under maxUnavailable 0, seen under load.
 */
export async function routableStates(ctx: StepContext, releaseId: string): Promise<Map<string, string>> {
  const instances = await liveInstancesOf(ctx, releaseId);
  return new Map(instances.filter((i) => i.desired === 'running').map((i) => [i.id, i.state]));
}

/** How an instance's process last ended, for people: "exit code 1", "signal SIGSEGV". */
export function exitText(exit: { code: number | null; signal: string | null }): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.code === null ? 'exit with an unknown code' : `exit code ${exit.code}`;
}

async function instanceError(ctx: StepContext, s: InstanceStatus, version: string, what: string): Promise<EngineError> {
  const tail = await logTail(ctx.runtime, s.instanceId, 20);
  const log = tail.length > 0 ? `\n--- last ${tail.length} log lines of ${s.instanceId} ---\n${tail.join('\n')}` : '';
  return new EngineError('failed', `instance ${s.instanceId} of ${ctx.deployment.service} ${version} ${what}${log}`, {
    instance: s.instanceId,
    state: s.state,
    restarts: s.restarts,
    ...(s.lastExit ? { exitCode: s.lastExit.code, exitSignal: s.lastExit.signal } : {}),
    logTail: tail,
  });
}
