import type { AvailabilityInput } from '../../judge/model.js';
import type { DeploymentRecord } from '../../model/deployment.js';
import type { Runtime } from '../../runtimes/runtime.js';
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../store/db.js';
import { listInstances } from '../../store/repos/instances.js';

/**
 * How many of a deployment's candidate instances are healthy now, and since when fewer than all
 * have been (the judge's "unavailable for" trigger). Remembers the start of each degraded spell.
 */
export class AvailabilityTracker {
  private readonly degradedSince = new Map<string, number>();

  constructor(private readonly deps: { db: Db; runtime: Runtime; clock: Clock }) {}

  /** The candidate's instances as the runtime sees them now. */
  async of(d: DeploymentRecord): Promise<AvailabilityInput> {
    const candidates = (
      await listInstances(this.deps.db, {
        project: d.project,
        environment: d.environment,
        service: d.service,
        releaseId: d.toRelease,
        live: true,
      })
    ).filter((i) => i.desired === 'running');
    const states = new Map(this.deps.runtime.list().map((s) => [s.instanceId, s.state]));
    const healthy = candidates.filter((i) => states.get(i.id) === 'healthy').length;
    if (healthy < candidates.length) {
      if (!this.degradedSince.has(d.id)) this.degradedSince.set(d.id, this.deps.clock.now());
    } else this.degradedSince.delete(d.id);
    const since = this.degradedSince.get(d.id);
    return { instances: candidates.length, healthy, ...(since !== undefined ? { degradedSince: since } : {}) };
  }

  /** Forget a deployment. */
  forget(id: string): void {
    this.degradedSince.delete(id);
  }
}
