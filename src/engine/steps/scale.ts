import { newId } from '../../shared/ids.js';
import { messageOf } from '../../shared/errors.js';
import { insertInstances, recordHandles, setDesired, updateInstanceStatus } from '../../store/repos/instances.js';
import type { Role } from '../../strategies/plan.js';
import { deploymentEventBase, liveInstancesOf, releaseFor, type StepContext } from '../context.js';
import { EngineError } from '../errors.js';
import { instanceSpecFor } from '../instance-spec.js';

/**
 * Ensure `instances` instances of the role's release are meant to run: warm ones (kept from an
 * earlier deployment, still healthy) are taken back first, then new ones are recorded and
 * started. Recording before starting means a crash in between leaves a row the next run starts.
 */
export async function scale(ctx: StepContext, step: { role: Role; instances: number }): Promise<void> {
  const release = releaseFor(ctx, step.role);
  const d = ctx.deployment;
  const live = await liveInstancesOf(ctx, release.id);
  const running = live.filter((i) => i.desired === 'running');
  const known = new Set(ctx.runtime.list().map((s) => s.instanceId));

  const warm = live.filter((i) => i.desired === 'warm' && known.has(i.id));
  const reuse = warm.slice(0, Math.max(0, step.instances - running.length));
  if (reuse.length > 0) {
    await setDesired(
      ctx.db,
      reuse.map((i) => i.id),
      'running',
      null,
    );
    await ctx.events.emit({
      ...deploymentEventBase(ctx),
      kind: 'instance.reused',
      message: `reusing ${reuse.length} warm ${release.version} instance${reuse.length === 1 ? '' : 's'}`,
      data: { instances: reuse.map((i) => i.id), release: release.version },
    });
  }

  // Rows recorded by a run that died before starting them: start them now (start is idempotent).
  const unstarted = running.filter((i) => !known.has(i.id));
  const missing = Math.max(0, step.instances - running.length - reuse.length);
  const created = await insertInstances(
    ctx.db,
    Array.from({ length: missing }, () => {
      const id = newId('ins');
      return {
        id,
        project: d.project,
        service: d.service,
        environment: d.environment,
        releaseId: release.id,
        deploymentId: d.id,
        runtime: ctx.runtime.name,
        spec: instanceSpecFor(id, d, release),
      };
    }),
  );
  const toStart = [...unstarted, ...created];
  const results = await Promise.allSettled(toStart.map((instance) => ctx.runtime.start(instance.spec)));
  // The handles of those that started, in one statement once every start has ended, then their events.
  const started = toStart.flatMap((instance, n) => {
    const r = results[n]!;
    return r.status === 'fulfilled' ? [{ id: instance.id, handle: r.value }] : [];
  });
  await recordHandles(ctx.db, started);
  await Promise.all(
    started.map(({ id, handle }) =>
      ctx.events.emit({
        ...deploymentEventBase(ctx),
        kind: 'instance.started',
        message: `started ${d.service} ${release.version} instance ${id} on ${handle.address}`,
        data: { instance: id, release: release.version, address: handle.address },
      }),
    ),
  );
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [{ instance: toStart[i]!.id, error: messageOf(r.reason) }] : [],
  );
  for (const f of failures) await updateInstanceStatus(ctx.db, f.instance, { state: 'failed', message: f.error });
  if (failures.length > 0) {
    throw new EngineError(
      'failed',
      `could not start ${d.service} ${release.version}: ${failures[0]!.error} (instance ${failures[0]!.instance})`,
      { failures },
    );
  }
}
