import type { ProjectConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { getRelease } from '../../store/repos/releases.js';
import { getServiceState } from '../../store/repos/service-state.js';
import type { AlertTarget } from './reader.js';

/** The services of an environment that have a live release, as alert targets. */
export async function liveTargets(db: Queryable, config: ProjectConfig, environment: string): Promise<AlertTarget[]> {
  const targets: AlertTarget[] = [];
  for (const service of config.services) {
    const state = await getServiceState(db, config.project, environment, service.name);
    if (!state?.stableRelease) continue;
    const [live, previous] = await Promise.all([
      getRelease(db, state.stableRelease),
      state.previousRelease ? getRelease(db, state.previousRelease) : undefined,
    ]);
    if (!live) continue;
    targets.push({
      project: config.project,
      environment,
      service: service.name,
      release: live.version,
      releaseId: live.id,
      ...(previous ? { previousRelease: previous.version } : {}),
      liveSince: state.updatedAt.getTime(),
    });
  }
  return targets;
}

/** The target environment-wide readers get: no service, no release. */
export function environmentTarget(project: string, environment: string): AlertTarget {
  return { project, environment, service: '', release: '', releaseId: '', liveSince: 0 };
}
