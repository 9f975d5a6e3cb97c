/**
 * The pipeline as people ask about it: for each recent release, where it is (live, was deployed,
 * failed) in each environment, and for the environments it has not reached, what it still waits
 * for — an earlier environment, a soak, a freeze, approvals — or that it is ready to go.
 */
import type { ProjectConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { listDeployments } from '../../store/repos/deployments.js';
import { listReleases } from '../../store/repos/releases.js';
import { listServiceStates } from '../../store/repos/service-state.js';
import { activeFreeze } from './freeze.js';
import { failureOf, waitsGiven } from './promotion.js';
import { approvalStatus } from './approval-status.js';

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
      let failedIn: string | undefined;
      for (const environment of config.environments) {
        const mine = deployments.filter((d) => d.environment === environment.name && d.toRelease === release.id);
        const stable =
          states.find((s) => s.environment === environment.name && s.service === service.name)?.stableRelease ===
          release.id;
        // How its last try there ended decides (a success its post-deploy watch found regressing is a failure).
        const last = mine
          .filter((d) => d.kind === 'deploy' && d.finishedAt)
          .reduce<(typeof mine)[number] | undefined>(
            (a, d) => (!a || d.finishedAt! > a.finishedAt! ? d : a),
            undefined,
          );
        const failed = failureOf(last) !== undefined;
        if (failed) failedIn ??= environment.name;
        if (stable) stages.push({ environment: environment.name, state: 'live', waitsFor: [] });
        else if (failed) stages.push({ environment: environment.name, state: 'failed', waitsFor: [] });
        else if (mine.some((d) => d.state === 'succeeded'))
          stages.push({ environment: environment.name, state: 'deployed', waitsFor: [] });
        else {
          // First success per environment, from the deployments already in hand.
          const succeededAt = (env: string) =>
            deployments
              .filter(
                (d) => d.environment === env && d.toRelease === release.id && d.state === 'succeeded' && d.finishedAt,
              )
              .reduce<Date | undefined>(
                (first, d) => (!first || d.finishedAt! < first ? d.finishedAt : first),
                undefined,
              );
          const waitsFor = waitsGiven(service.name, release.version, environment, now, succeededAt).map(
            (w) => w.reason,
          );
          if (failedIn) waitsFor.unshift(`it failed in ${failedIn}: deploy a fixed release there first`);
          const freeze = activeFreeze(environment.freezes, now);
          if (freeze)
            waitsFor.push(`${environment.name} is frozen until ${freeze.endsAt.toISOString()} (${freeze.message})`);
          const approvals = await approvalStatus(db, config.project, service.name, release.version, environment, now);
          if (approvals?.waitsFor) waitsFor.push(approvals.waitsFor);
          stages.push({ environment: environment.name, state: waitsFor.length > 0 ? 'waiting' : 'ready', waitsFor });
        }
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
