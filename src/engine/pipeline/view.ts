/**
 * The pipeline as people ask about it: for each recent release, where it is (live, was deployed,
 * failed) in each environment, and for the environments it has not reached, what it still waits
 * for — a failure earlier, an earlier environment, a soak, a freeze, approvals — or that it is ready to go.
 */
import type { ProjectConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { listDeployments } from '../../store/repos/deployments.js';
import { listReleases } from '../../store/repos/releases.js';
import { listServiceStates } from '../../store/repos/service-state.js';
import { failureOf } from './promotion.js';
import { notThereYet } from './not-there-yet.js';

export interface ReleaseStage {
  environment: string;
  /** live: the stable release now; deployed: succeeded there before; failed: its last attempt failed or rolled back;
   * ready / waiting: not there yet. */
  state: 'live' | 'deployed' | 'failed' | 'ready' | 'waiting';
  /** For `waiting`: what it waits for, in words. */
  waitsFor: string[];
}

export interface ReleaseView {
  service: string;
  version: string;
  createdAt: string;
  /** In promotion order: the environments it went to, and those after the last of them (one it skipped is left
   * out). */
  stages: ReleaseStage[];
}

/** The `releases` newest releases of every service, each across every environment in promotion order. */
export async function pipelineView(
  db: Queryable,
  config: ProjectConfig,
  now: Date,
  releasesPerService = 5,
): Promise<ReleaseView[]> {
  const states = await listServiceStates(db, config.project);
  const views: ReleaseView[] = [];
  for (const service of config.services) {
    const deployments = await listDeployments(db, { project: config.project, service: service.name, limit: 500 });
    for (const release of await listReleases(db, config.project, service.name, releasesPerService)) {
      const stages: ReleaseStage[] = [];
      // Once a release failed somewhere, the environments after it are not "ready" for it.
      const failedIn: string[] = [];
      // The environments before the last one it went to and that it skipped are left out: it was never there, and
      // they are not where it goes next, so neither a state nor "ready" would be true of it there.
      const reached = (environment: string) =>
        deployments.some((d) => d.environment === environment && d.toRelease === release.id);
      const furthest = config.environments.findLastIndex((e) => reached(e.name));
      for (const [index, environment] of config.environments.entries()) {
        const mine = deployments.filter((d) => d.environment === environment.name && d.toRelease === release.id);
        const stable =
          states.find((s) => s.environment === environment.name && s.service === service.name)?.stableRelease ===
          release.id;
        if (!stable && mine.length === 0 && index < furthest) continue;
        // How its last try there ended decides (a success its post-deploy watch found regressing is a failure).
        const last = mine
          .filter((d) => d.kind === 'deploy' && d.finishedAt)
          .reduce<(typeof mine)[number] | undefined>(
            (a, d) => (!a || d.finishedAt! > a.finishedAt! ? d : a),
            undefined,
          );
        const failed = failureOf(last) !== undefined;
        if (failed) failedIn.push(environment.name);
        if (stable) stages.push({ environment: environment.name, state: 'live', waitsFor: [] });
        else if (failed) stages.push({ environment: environment.name, state: 'failed', waitsFor: [] });
        else if (mine.some((d) => d.state === 'succeeded'))
          stages.push({ environment: environment.name, state: 'deployed', waitsFor: [] });
        else
          stages.push({
            environment: environment.name,
            ...(await notThereYet(db, {
              project: config.project,
              service: service.name,
              release,
              target: environment,
              now,
              deployments,
              failedIn: [...failedIn],
            })),
          });
      }
      views.push({
        service: service.name,
        version: release.version,
        createdAt: release.createdAt.toISOString(),
        stages,
      });
    }
  }
  return views;
}
