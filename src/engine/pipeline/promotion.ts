/**
 * Promotion rules: a release may enter an environment only after it succeeded in each of the
 * environments it `requires`, has been there at least `soakMs`, and its last deployment there did
 * not fail, roll back or regress in its post-deploy watch since.
 */
import type { EnvironmentConfig } from '../../config/model.js';
import type { DeploymentRecord } from '../../model/deployment.js';
import type { Queryable } from '../../store/db.js';
import { firstSucceededAt, lastFinishedDeploymentOf } from '../../store/repos/deployments.js';
import { getReleaseByVersion } from '../../store/repos/releases.js';

/** Something a release still waits for before it may enter an environment. */
export interface PromotionWait {
  environment: string;
  reason: string;
  /** When the wait ends by itself (a soak), if it does. */
  readyAt?: Date;
}

/** What `version` of `service` still waits for before it may be deployed to `target`; empty = may go. */
export async function promotionWaits(
  db: Queryable,
  project: string,
  service: string,
  version: string,
  target: EnvironmentConfig,
  now: Date,
): Promise<PromotionWait[]> {
  if (!target.requires?.length) return []; // absent in configs stored by older versions
  const release = await getReleaseByVersion(db, project, service, version);
  const succeeded = new Map<string, Date | undefined>();
  const failures = new Map<string, string | undefined>();
  for (const environment of target.requires) {
    if (!release) continue;
    succeeded.set(environment, await firstSucceededAt(db, project, service, environment, release.id));
    failures.set(environment, failureOf(await lastFinishedDeploymentOf(db, project, service, environment, release.id)));
  }
  return waitsGiven(
    service,
    version,
    target,
    now,
    (environment) => succeeded.get(environment),
    (environment) => failures.get(environment),
  );
}

/**
 * Why a release's last deployment to an environment does not count as a success there, if it does not. A release
 * that succeeded and then regressed in its post-deploy watch (rolled back, or only reported) is not one to promote:
 * the watch is what said it hurts users.
 */
export function failureOf(last: DeploymentRecord | undefined): string | undefined {
  if (!last) return undefined;
  if (last.state === 'failed') return 'its last deployment there failed';
  if (last.state === 'rolled_back') return 'its last deployment there was rolled back';
  if (last.watch?.state === 'regressed')
    return `its post-deploy watch there found a regression${last.watch.rollback ? ' and rolled it back' : ''}`;
  return undefined;
}

/**
 * The rule itself, given when the release first succeeded in each environment: for callers that
 * already hold the deployments (the pipeline view), so they need not ask the store again.
 */
export function waitsGiven(
  service: string,
  version: string,
  target: EnvironmentConfig,
  now: Date,
  succeededAt: (environment: string) => Date | undefined,
  failedIn: (environment: string) => string | undefined = () => undefined,
): PromotionWait[] {
  const waits: PromotionWait[] = [];
  for (const environment of target.requires ?? []) {
    const failure = failedIn(environment);
    if (failure) {
      waits.push({
        environment,
        reason:
          `${service} ${version} is not good in ${environment}: ${failure}; deploy a fixed release there first ` +
          '(or this one again, if what went wrong was not the release)',
      });
      continue;
    }
    const at = succeededAt(environment);
    if (!at) {
      waits.push({
        environment,
        reason: `${service} ${version} has not been deployed successfully to ${environment} yet`,
      });
      continue;
    }
    const readyAt = new Date(at.getTime() + target.soakMs);
    if (readyAt > now) {
      waits.push({
        environment,
        reason:
          `${service} ${version} has soaked in ${environment} for ${minutes(now.getTime() - at.getTime())} of ` +
          `${minutes(target.soakMs)}`,
        readyAt,
      });
    }
  }
  return waits;
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 1 ? `${m}m` : `${Math.floor(ms / 1000)}s`;
}
