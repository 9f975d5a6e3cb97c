import type { Queryable } from '../../store/db.js';
import { listInstances } from '../../store/repos/instances.js';
import { getRelease } from '../../store/repos/releases.js';
import type { LiveRelease } from './blockers.js';

/**
 * Releases of a service with instances that may still serve in the given environments: every
 * instance not stopped on purpose, plus those told to stop whose process is not confirmed gone
 * (still draining). Warm instances kept for an instant rollback count: traffic can return to them.
 */
export async function liveReleases(
  db: Queryable,
  project: string,
  service: string,
  environments: string[],
): Promise<LiveRelease[]> {
  const counts = new Map<string, { environment: string; releaseId: string; instances: number }>();
  for (const environment of environments) {
    for (const instance of await listInstances(db, { project, service, environment })) {
      if (instance.desired === 'stopped' && instance.stoppedAt) continue;
      const key = `${environment}\u0000${instance.releaseId}`;
      const entry = counts.get(key) ?? { environment, releaseId: instance.releaseId, instances: 0 };
      entry.instances++;
      counts.set(key, entry);
    }
  }
  const live: LiveRelease[] = [];
  for (const entry of counts.values()) {
    const release = await getRelease(db, entry.releaseId);
    if (release) live.push({ environment: entry.environment, version: release.version, instances: entry.instances });
  }
  return live;
}
